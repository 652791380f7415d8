/**
 * One job on a timer, never two passes at once: a tick while the previous pass still runs is skipped,
 * a failing pass is counted and logged and the timer goes on, and stop() waits for a pass in progress.
 * The collector's housekeeping (stale transactions, registry pruning) runs through it.
 */
import type { Logger } from '@chargewatch/platform';

export interface PeriodicJob {
  stop(): Promise<void>;
}

/** intervalMs <= 0: no timer at all. */
export function startPeriodic(intervalMs: number, run: () => Promise<unknown>, onError: () => void, logger: Logger, what: string): PeriodicJob {
  let running: Promise<unknown> | undefined;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          running ??= run()
            .catch((err) => {
              onError();
              logger.warn({ err }, `${what} failed`);
            })
            .finally(() => (running = undefined));
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
