/**
 * Local authorization lists (viewer reads, editor asks for a sync):
 *
 *   GET    /api/v1/stations/{id}/local-list        the station's list state: sync state, version, entry
 *                                                 count, limits learned, last outcome and error
 *   POST   /api/v1/stations/{id}/local-list/sync   sync now ({full: true}: a Full, also to a station
 *                                                 marked unsupported); 202, the worker does it
 *   GET    /api/v1/local-lists                     every station's state (?state, paged)
 *
 * The lists live in PostgreSQL and the worker keeps them (worker/src/access): without DATABASE_URL or
 * before migrations applied every route answers 503 with why.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { LocalListState } from '@chargewatch/model';
import { coercingJsonValidator, newLocalListRow, requestLocalListSync, strictJsonValidator, type LocalListStore, type StationStore } from '@chargewatch/platform';
import type { JsonSchema } from '@chargewatch/model';
import { errorSchema } from '../schemas';
import { listQuery, localListPageSchema, localListSchema, localListView, stationParams, syncBodySchema } from '../local-list-schemas';

export interface LocalListApiContext {
  /** Absent without DATABASE_URL. */
  lists?: LocalListStore;
  ready(): boolean;
  store: StationStore;
  redis: Redis;
  prefix: string;
}

const E = { 400: errorSchema, 404: errorSchema, 503: errorSchema } as const;

export function localListRoutes(ctx: LocalListApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictJsonValidator(schema as JsonSchema) : coercingJsonValidator(schema as JsonSchema)));
    app.addHook('preHandler', async (_req, reply) => {
      if (!ctx.lists) return reply.code(503).send({ error: 'Service Unavailable', message: 'local lists need PostgreSQL: DATABASE_URL is not set on this collector' });
      if (!ctx.ready()) return reply.code(503).send({ error: 'Service Unavailable', message: 'PostgreSQL is not ready (unreachable, or migrations not yet applied); try again shortly' });
      return undefined;
    });
    const tags = ['local lists'];
    const lists = () => ctx.lists!;
    const notFound = (id: string) => ({ error: 'Not Found', message: `no station ${JSON.stringify(id)} is registered` });

    app.get<{ Params: { id: string } }>('/stations/:id/local-list', {
      config: { role: 'viewer' },
      schema: { summary: 'A station\'s local authorization list: sync state, version, entries, limits', tags, params: stationParams, response: { 200: localListSchema, ...E } },
    }, async (req, reply) => {
      if (!(await ctx.store.exists(req.params.id))) return reply.code(404).send(notFound(req.params.id));
      return localListView((await lists().get(req.params.id)) ?? newLocalListRow(req.params.id, Date.now()));
    });

    app.post<{ Params: { id: string }; Body: { full?: boolean } | null }>('/stations/:id/local-list/sync', {
      config: { role: 'editor' },
      schema: { summary: 'Syncs the station\'s local list now (the worker sends it)', tags, params: stationParams, body: syncBodySchema, response: { 202: localListSchema, ...E } },
    }, async (req, reply) => {
      const id = req.params.id;
      if (!(await ctx.store.exists(id))) return reply.code(404).send(notFound(id));
      await requestLocalListSync({ store: lists(), redis: ctx.redis, prefix: ctx.prefix }, id, req.body?.full === true);
      return reply.code(202).send(localListView((await lists().get(id)) ?? newLocalListRow(id, Date.now())));
    });

    app.get<{ Querystring: { state?: LocalListState; limit: number; offset: number } }>('/local-lists', {
      config: { role: 'viewer' },
      schema: { summary: 'Local-list state of every station synced so far', tags, querystring: listQuery, response: { 200: localListPageSchema, ...E } },
    }, async (req) => {
      const page = await lists().list(req.query);
      return { total: page.total, items: page.items.map(localListView) };
    });
  };
}
