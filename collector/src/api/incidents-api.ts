/**
 * The misuse incident routes of the collector's API, wired to the PostgreSQL pool the audit log opened
 * (DATABASE_URL); without one the routes exist all the same and answer 503 saying why.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { IncidentStore, MisuseState } from '@chargewatch/platform';
import type { ApiDeps } from './deps';
import { incidentRoutes } from './routes/incidents';

export function incidentsApi(o: {
  opened: { pool?: ConstructorParameters<typeof IncidentStore>[0]; migrated?: () => boolean };
  redis: Redis;
  prefix: string;
}): (app: FastifyInstance, deps: ApiDeps) => Promise<void> {
  return incidentRoutes({
    incidents: o.opened.pool ? new IncidentStore(o.opened.pool) : undefined,
    state: new MisuseState(o.redis, o.prefix),
    ready: () => o.opened.migrated?.() ?? false,
  });
}
