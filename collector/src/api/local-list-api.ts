/**
 * The local-list routes of the collector's API, on the PostgreSQL pool the audit log opened
 * (DATABASE_URL). Without one the routes exist all the same and answer 503 saying why.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { LocalListStore, type StationStore } from '@chargewatch/platform';
import type { ApiDeps } from './deps';
import { localListRoutes } from './routes/local-lists';

export function localListApi(o: { opened: { pool?: Pool; migrated?: () => boolean }; store: StationStore; redis: Redis; prefix: string }): Array<(app: FastifyInstance, deps: ApiDeps) => Promise<void>> {
  const pool = o.opened.pool;
  return [localListRoutes({ ready: () => o.opened.migrated?.() ?? false, store: o.store, redis: o.redis, prefix: o.prefix, ...(pool ? { lists: new LocalListStore(pool) } : {}) })];
}
