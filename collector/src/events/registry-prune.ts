/**
 * Prunes registry entries of stations that connected but never booted (platform's
 * StationStore.pruneUnbooted) on a timer, and tells every collector to drop what it keeps of them:
 * the pruning process publishes each id on the `pruned` channel, and each collector (itself included)
 * removes the station's Prometheus series and caches when it hears it. Every collector may run the
 * timer: each removal is one atomic script, so two collectors never prune one station twice.
 */
import type { Logger, StationStore } from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import { startPeriodic } from './periodic';

export interface RegistryPruneOptions {
  store: StationStore;
  redis: Redis;
  channel: string;
  /** 0: never prune (no timer; runOnce does nothing). */
  afterSec: number;
  securityKey: (stationId: string) => string;
  logger: Logger;
  onError: () => void;
}

export interface RegistryPruneTimer {
  /** One pass now; returns the ids removed. */
  runOnce(now?: number): Promise<string[]>;
  stop(): Promise<void>;
}

export function startRegistryPrune(o: RegistryPruneOptions): RegistryPruneTimer {
  const runOnce = async (now = Date.now()) => {
    if (o.afterSec <= 0) return [];
    const pruned = await o.store.pruneUnbooted({ seenBefore: now - o.afterSec * 1000, securityKey: o.securityKey });
    for (const id of pruned) await o.redis.publish(o.channel, id);
    if (pruned.length) o.logger.info({ pruned: pruned.length, afterSec: o.afterSec }, 'pruned stations that never booted');
    return pruned;
  };
  // Often enough that an entry goes within a quarter of the age past its due time, at most every 10 min.
  const intervalMs = Math.min(600_000, Math.max(10_000, (o.afterSec * 1000) / 4));
  const periodic = startPeriodic(o.afterSec > 0 ? intervalMs : 0, () => runOnce(), o.onError, o.logger, 'registry prune');
  return { runOnce, stop: () => periodic.stop() };
}
