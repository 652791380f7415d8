/**
 * Processor of the housekeeping queue's `registry-prune` job: removes registry entries of stations that
 * connected but never booted (platform StationStore.pruneUnbooted, one atomic script per station, so a
 * collector's timer pruning at the same moment never removes one twice) and publishes each id on the
 * `pruned` channel, where every collector drops that station's Prometheus series and caches.
 */
import { RedisKeys } from '@chargewatch/model';
import type { Logger, StationStore } from '@chargewatch/platform';
import type { Redis } from 'ioredis';

export interface RegistryPruneJobResult {
  pruned: number;
}

export interface RegistryPruneProcessorOptions {
  store: StationStore;
  redis: Redis;
  prefix: string;
  /** REGISTRY_PRUNE_UNBOOTED_AFTER_SEC; 0: the job does nothing. */
  afterSec: number;
  logger: Logger;
  now?: () => number;
}

/**
 * Where the collector keeps a station's security record (collector/src/ocpp/auth/station-security.ts,
 * which the worker may not import): a station with one is never pruned. Keep the two in step.
 */
export function securityKey(prefix: string, stationId: string): string {
  return `${prefix}station:${stationId}:security`;
}

export function registryPruneProcessor(o: RegistryPruneProcessorOptions): () => Promise<RegistryPruneJobResult> {
  const channel = new RedisKeys(o.prefix).prunedChannel();
  const now = o.now ?? Date.now;
  return async () => {
    if (o.afterSec <= 0) return { pruned: 0 };
    const pruned = await o.store.pruneUnbooted({ seenBefore: now() - o.afterSec * 1000, securityKey: (id) => securityKey(o.prefix, id) });
    for (const id of pruned) await o.redis.publish(channel, id);
    if (pruned.length) o.logger.info({ pruned: pruned.length, afterSec: o.afterSec }, 'pruned stations that never booted');
    return { pruned: pruned.length };
  };
}
