/**
 * Processor of the housekeeping queue's `stale-transaction-sweep` job: one pass of platform's
 * StaleTransactionSweeper, the same one the collectors' timer runs. Several processes may sweep (a
 * worker, collectors not yet switched off): the sweeper's lock lets one run at a time and each close is
 * atomic, so a run that finds the lock taken simply reports `ran: false`.
 */
import { scheduledStaleSweep, type ScheduledSweepOptions } from '@chargewatch/platform';

export interface StaleSweepJobResult {
  ran: boolean;
  closed: number;
  recovered: number;
}

export interface StaleSweepProcessorOptions extends ScheduledSweepOptions {
  now?: () => number;
}

export function staleSweepProcessor(o: StaleSweepProcessorOptions): () => Promise<StaleSweepJobResult> {
  const sweep = scheduledStaleSweep(o);
  const now = o.now ?? Date.now;
  return async () => {
    const result = await sweep(now());
    return { ran: result.ran, closed: result.closed.length, recovered: result.recovered };
  };
}
