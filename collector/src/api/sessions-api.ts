/**
 * The charging-session routes of the collector's API, wired to the PostgreSQL pool the audit log opened
 * (DATABASE_URL); without one the routes exist all the same and answer 503 saying why. The sessions are
 * written by the worker (worker/src/sessions); the collector only reads them.
 */
import type { FastifyInstance } from 'fastify';
import { SessionStore } from '@chargewatch/platform';
import type { ApiDeps } from './deps';
import { sessionRoutes } from './routes/sessions';

export function sessionsApi(o: {
  opened: { pool?: ConstructorParameters<typeof SessionStore>[0]; migrated?: () => boolean };
}): (app: FastifyInstance, deps: ApiDeps) => Promise<void> {
  return sessionRoutes({ sessions: o.opened.pool ? new SessionStore(o.opened.pool) : undefined, ready: () => o.opened.migrated?.() ?? false });
}
