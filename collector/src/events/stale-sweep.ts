/**
 * Runs the stale-transaction sweep (platform/src/state/stale-transactions.ts) on a timer in the
 * collector, until the worker's scheduler takes it over (then TX_STALE_SWEEP_INTERVAL_SEC=0 here). Every
 * collector may run the timer: the sweep's lock lets one of them sweep at a time, and each close is
 * atomic on its own.
 */
import type { ChargeEvent } from '@chargewatch/model';
import { scheduledStaleSweep, type Logger, type StaleSweepResult, type StationStore } from '@chargewatch/platform';
import { startPeriodic } from './periodic';

export interface StaleSweepTimerOptions {
  store: StationStore;
  staleAfterSec: number;
  /** 0: no timer; runOnce() still works. */
  intervalSec: number;
  holder: string;
  /** Durable journal append of the closes (and Prometheus); throws when they could not be made durable. */
  publish: (events: ChargeEvent[]) => Promise<void>;
  logger: Logger;
  onError: () => void;
}

export interface StaleSweepTimer {
  runOnce(now?: number): Promise<StaleSweepResult>;
  stop(): Promise<void>;
}

export function startStaleSweep(o: StaleSweepTimerOptions): StaleSweepTimer {
  const runOnce = scheduledStaleSweep(o);
  const periodic = startPeriodic(o.intervalSec * 1000, () => runOnce(), o.onError, o.logger, 'stale transaction sweep');
  return { runOnce, stop: () => periodic.stop() };
}
