/**
 * One stale-transaction sweep as a scheduled pass, shared by the collector's timer and the worker's
 * housekeeping job: the sweeper configured for a schedule, and a pass that logs what it closed.
 */
import type { ChargeEvent } from '@chargewatch/model';
import type { Logger } from '../logger';
import type { StaleSweepResult } from './stale-transactions';
import type { StationStore } from './station-store';

export interface ScheduledSweepOptions {
  store: StationStore;
  staleAfterSec: number;
  /** The process sweeping, recorded as the lock holder. */
  holder: string;
  /** Durable journal append of the closes; throws when they could not be made durable. */
  publish: (events: ChargeEvent[]) => Promise<void>;
  /** How often passes are scheduled: the lock outlives a slow sweep but not a dead sweeper by much. */
  intervalSec: number;
  logger: Logger;
}

export function scheduledStaleSweep(o: ScheduledSweepOptions): (now?: number) => Promise<StaleSweepResult> {
  const sweeper = o.store.staleSweeper({
    staleAfterMs: o.staleAfterSec * 1000,
    holder: o.holder,
    publish: o.publish,
    lockMs: Math.max(60_000, o.intervalSec * 2000),
    logger: o.logger,
  });
  return async (now?: number) => {
    const result = await sweeper.closeStaleTransactions(now);
    if (result.closed.length || result.recovered) o.logger.info({ closed: result.closed.length, recovered: result.recovered }, 'closed stale transactions');
    return result;
  };
}
