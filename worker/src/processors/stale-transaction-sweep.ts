/**
 * Processor of the housekeeping queue's `stale-transaction-sweep` job: one pass of platform's
 * StaleTransactionSweeper, the same one the collectors' timer runs. Several processes may sweep (a
 * worker, collectors not yet switched off): the sweeper's lock lets one run at a time and each close is
 * atomic, so a run that finds the lock taken simply reports `ran: false`.
 */
import type { ChargeEvent } from '@chargewatch/model';
import { scheduledStaleSweep, type Logger, type StationStore } from '@chargewatch/platform';

export interface StaleSweepJobResult {
  ran: boolean;
  closed: number;
  recovered: number;
}

export interface StaleSweepProcessorOptions {
  store: StationStore;
  staleAfterSec: number;
  /** The BullMQ worker's id, recorded as the lock holder. */
  holder: string;
  /** Durable journal append of the closes; throws when they could not be made durable. */
  publish: (events: ChargeEvent[]) => Promise<void>;
  /** How often the job is scheduled: the lock must outlive a slow sweep but not a dead worker by much. */
  intervalSec: number;
  logger: Logger;
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
