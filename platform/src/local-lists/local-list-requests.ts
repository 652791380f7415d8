/**
 * "Sync this station's local list now", from any process (the API): the request is stored (so the
 * worker's scan serves it even when the message is lost) and announced on `access:locallist:sync`,
 * where the worker enqueues the station's sync at once.
 */
import type { Redis } from 'ioredis';
import { RedisKeys } from '@chargewatch/model';
import type { LocalListStore } from './local-list-store';

export async function requestLocalListSync(o: { store: LocalListStore; redis: Redis; prefix: string }, stationId: string, full: boolean): Promise<void> {
  // A Full asked by an operator also asks a station marked unsupported again (its limits are re-learned).
  await o.store.request([stationId], { full, evenUnsupported: full });
  await o.redis.publish(new RedisKeys(o.prefix).localListSyncChannel(), JSON.stringify({ stationId, full }));
}
