/**
 * The internal HTTP API: health, readiness, Prometheus metrics, station state and operations.
 * It listens on API_PORT, never on the public OCPP port. /api routes need `Authorization: Bearer`.
 */
import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { ApiDeps } from './deps';
import { stationRoutes } from './routes/stations';
import { fleetRoutes } from './routes/fleet';
import { historyRoutes } from './routes/history';
import { auditChanges } from './audit-changes';

export type { ApiDeps };

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  // pino's Logger is a FastifyBaseLogger at run time; the generic parameters differ only in typing.
  // Per-request logs would log every Prometheus scrape; failures are logged by the error handler.
  // Scrapers keep connections alive and send the next request while we close: shutdown cuts them.
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'api' }), bodyLimit: 5 * 1024 * 1024, disableRequestLogging: true, forceCloseConnections: true }) as unknown as FastifyInstance;
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  await app.register(swagger, {
    openapi: {
      info: { title: 'ChargeWatch collector API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!deps.auth || !req.url.startsWith('/api/')) return;
    if (!tokenMatches(req.headers.authorization, deps.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
    }
  });

  // Before the routes, so the hook reaches every scope registered below.
  if (deps.audit) auditChanges(app, deps.audit);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      deps.onInternalError?.();
    }
    reply.code(status).send({ error: status >= 500 ? 'Internal Server Error' : 'Bad Request', message: status >= 500 ? 'internal error; see collector log' : err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, boolean> = {};
    await Promise.all(Object.entries(deps.ready).map(async ([name, probe]) => (checks[name] = await probe().catch(() => false))));
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return deps.registry.metrics();
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => stationRoutes(scope, deps));
  await app.register(async (scope) => fleetRoutes(scope, deps));
  await app.register(async (scope) => historyRoutes(scope, deps));
  for (const plugin of deps.plugins ?? []) await app.register(async (scope) => plugin(scope, deps));
  return app;
}
