/**
 * The misuse incident routes of the collector's API, wired to the PostgreSQL pool
 * the audit log opened (DATABASE_URL); without one the routes exist all the same and answer 503 saying
 * why. A registered token's incidents are found by the keyed hash incidents carry
 * (MISUSE_TOKEN_HASH_SECRET, the worker's), computed here from the registry's copy of its id.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { IncidentStore, MisuseState, tokenHash, type TokenRegistry } from '@chargewatch/platform';
import type { ApiDeps } from './deps';
import { incidentRoutes, type TokenHashLookup } from './routes/incidents';

type Opened = { pool?: ConstructorParameters<typeof IncidentStore>[0]; migrated?: () => boolean };

export function incidentsApi(o: {
  opened: Opened;
  redis: Redis;
  prefix: string;
  registry?: Pick<TokenRegistry, 'get'>;
  hashSecret: string;
}): (app: FastifyInstance, deps: ApiDeps) => Promise<void> {
  const registry = o.registry;
  const tokenHashOf: TokenHashLookup | undefined = registry
    ? async (id) => {
        const t = await registry.get(id);
        if (!t) return undefined;
        // PINs have no hash: their incidents are about the station (pin_guessing), not the token.
        return t.uid === undefined ? null : tokenHash({ id: t.uid, type: t.type }, o.hashSecret);
      }
    : undefined;
  return incidentRoutes({
    incidents: o.opened.pool ? new IncidentStore(o.opened.pool) : undefined,
    state: new MisuseState(o.redis, o.prefix),
    ready: () => o.opened.migrated?.() ?? false,
    ...(tokenHashOf ? { tokenHashOf } : {}),
  });
}
