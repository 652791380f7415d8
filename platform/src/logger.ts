import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'chargewatch'): Logger {
  return pino({ name, level });
}

/** For tests and library use where log output is noise. */
export const silentLogger: Logger = pino({ level: 'silent' });
