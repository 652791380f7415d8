/**
 * The internal HTTP API: health, readiness, Prometheus metrics, station state and operations.
 * It listens on API_PORT, never on the public OCPP port.
 *
 * Two kinds of route, told apart by where they are registered, never by comparing URLs:
 * - PUBLIC_PATHS, on the root instance: probes, metrics and the OpenAPI document;
 * - everything else, inside one scope with prefix /api whose onRequest hook (api-auth.ts) asks for
 *   the bearer token. The scope has its own 404 handler, behind the same hook, so an unknown path
 *   under /api answers 401 without a token (404 only with one): the answer reveals nothing about
 *   which routes exist. Spellings the router does not map into /api (`//api/…`, `/API/…`, dot
 *   segments) get the root 404, as every unknown path does. A route registered anywhere else makes
 *   buildApi throw.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { ApiDeps } from './deps';
import { stationRoutes } from './routes/stations';
import { fleetRoutes } from './routes/fleet';
import { historyRoutes } from './routes/history';
import { auditChanges } from './audit-changes';
import { apiAuth } from './api-auth';
import { renderChunked } from '../sinks/prometheus/chunked-exposition';

export type { ApiDeps };

/** The only routes outside the authenticated scope. */
export const PUBLIC_PATHS: readonly string[] = ['/healthz', '/readyz', '/metrics', '/metrics/stations', '/openapi.json'];

const notFound = (req: { method: string; url: string }, reply: import('fastify').FastifyReply) =>
  reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}` });

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

  // Every route is public and on the root instance, or inside the /api scope (or a scope below it).
  let apiScope: FastifyInstance | undefined;
  app.addHook('onRoute', function (this: FastifyInstance, route) {
    if (this === app && PUBLIC_PATHS.includes(route.url)) return;
    if (apiScope && (this === apiScope || Object.prototype.isPrototypeOf.call(apiScope, this))) return;
    throw new Error(`${route.method} ${route.url} is neither a public route nor inside the authenticated /api scope`);
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
  app.setNotFoundHandler(notFound);

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
  // Per-station series, for their own scrape job with a longer interval (docs/prometheus-operators.md);
  // rendered in slices so a large fleet does not hold up the event loop while the text is built.
  app.get('/metrics/stations', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', deps.stationRegistry?.contentType ?? deps.registry.contentType);
    return deps.stationRegistry ? renderChunked(deps.stationRegistry) : '';
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (api) => {
    apiScope = api;
    api.decorateRequest('actor', null);
    apiAuth(api, deps);
    api.setNotFoundHandler(notFound);
    // Route modules declare paths relative to /api/v1, each in its own scope (commands set their own validator).
    const v1 = { prefix: '/v1' };
    await api.register(async (scope) => stationRoutes(scope, deps), v1);
    await api.register(async (scope) => fleetRoutes(scope, deps), v1);
    await api.register(async (scope) => historyRoutes(scope, deps), v1);
    for (const plugin of deps.plugins ?? []) await api.register(async (scope) => plugin(scope, deps), v1);
  }, { prefix: '/api' });
  return app;
}
