/**
 * The InfluxDB writer's settings, read the same way by the collector and the worker (either may run the
 * writer, INFLUX_WRITER), so one env file serves both and each README table lists them once.
 */
export interface InfluxSettingDoc {
  env: string;
  default: string;
  meaning: string;
}

export const INFLUX_WRITERS = ['collector', 'worker'] as const;
export type InfluxWriterPlacement = (typeof INFLUX_WRITERS)[number];

export const INFLUX_SETTINGS: InfluxSettingDoc[] = [
  { env: 'INFLUX_URL', default: 'http://127.0.0.1:8086', meaning: 'InfluxDB base URL' },
  { env: 'INFLUX_API', default: 'auto', meaning: 'Write API: v1 (/write), v2 (/api/v2/write) or auto (chosen from the /ping version header)' },
  { env: 'INFLUX_DATABASE', default: 'chargewatch', meaning: 'Database for the v1 API (created at start when missing)' },
  { env: 'INFLUX_ORG', default: '', meaning: 'Organisation for the v2 API' },
  { env: 'INFLUX_BUCKET', default: 'chargewatch', meaning: 'Bucket for the v2 API' },
  { env: 'INFLUX_TOKEN', default: '', meaning: 'Token for the v2 API (also sent to 1.x/2.x v1 endpoints when set)' },
  { env: 'INFLUX_WRITER', default: 'collector', meaning: 'Which process consumes the journal into InfluxDB: collector (every collector, in-process) or worker (the workers; collectors then only append). Give collectors and workers the same value' },
  { env: 'INFLUX_BATCH_SIZE', default: '5000', meaning: 'Lines per InfluxDB write' },
  { env: 'INFLUX_FLUSH_INTERVAL_MS', default: '500', meaning: 'Longest time a point waits before it is written' },
  { env: 'INFLUX_MAX_BUFFER_LINES', default: '200000', meaning: 'Lines the writer holds in memory while InfluxDB is slow or down (the rest waits in the journal)' },
  { env: 'INFLUX_DEADLETTER_MAX', default: '100000', meaning: 'Lines InfluxDB refused that the dead-letter stream keeps (GET /api/v1/deadletters/influx); when full, the journal stops being acknowledged rather than drop one' },
];

export interface InfluxSettings {
  url: string;
  api: 'auto' | 'v1' | 'v2';
  database: string;
  org: string;
  bucket: string;
  token: string;
  writer: InfluxWriterPlacement;
  batchSize: number;
  flushIntervalMs: number;
  maxBufferLines: number;
  deadLetterMax: number;
}

const defaults = Object.fromEntries(INFLUX_SETTINGS.map((s) => [s.env, s.default]));

/** Reads the INFLUX_* variables; `fail` makes the process's own configuration error. */
export function readInfluxSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): InfluxSettings {
  // Compose and env files set variables to "" when left blank; that means "use the default".
  const str = (name: string) => env[name]?.trim() || defaults[name]!;
  const int = (name: string, min: number) => {
    const raw = str(name);
    if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) throw fail(`${name} must be an integer >= ${min}, got "${raw}"`);
    return Number(raw);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const raw = str(name) as T;
    if (!allowed.includes(raw)) throw fail(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw;
  };
  return {
    url: str('INFLUX_URL'),
    api: oneOf('INFLUX_API', ['auto', 'v1', 'v2'] as const),
    database: str('INFLUX_DATABASE'),
    org: env.INFLUX_ORG ?? '',
    bucket: str('INFLUX_BUCKET'),
    token: env.INFLUX_TOKEN ?? '',
    writer: oneOf('INFLUX_WRITER', INFLUX_WRITERS),
    batchSize: int('INFLUX_BATCH_SIZE', 1),
    flushIntervalMs: int('INFLUX_FLUSH_INTERVAL_MS', 10),
    maxBufferLines: int('INFLUX_MAX_BUFFER_LINES', 1000),
    deadLetterMax: int('INFLUX_DEADLETTER_MAX', 1),
  };
}
