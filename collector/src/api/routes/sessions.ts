/**
 * Charging sessions (viewer reads):
 *
 *   GET /api/v1/sessions        newest start first (?station, ?token, ?account, ?active, ?from, ?to, paged)
 *   GET /api/v1/sessions/{id}   one session
 *
 * Sessions live in PostgreSQL (the worker's `sessions` journal consumer writes them, a moment after the
 * station's message): without DATABASE_URL, or before migrations applied, both answer 503 with why.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JsonSchema } from '@chargewatch/model';
import { coercingJsonValidator, type SessionStore } from '@chargewatch/platform';
import { errorSchema } from '../schemas';
import { sessionIdParams, sessionListQuery, sessionPageSchema, sessionSchema } from '../session-schemas';

export interface SessionApiContext {
  /** Absent without DATABASE_URL. */
  sessions?: SessionStore;
  ready(): boolean;
}

interface ListQuery {
  station?: string;
  token?: string;
  account?: string;
  active?: boolean;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

const E = { 400: errorSchema, 404: errorSchema, 503: errorSchema } as const;
const notFound = (reply: FastifyReply, id: string) => reply.code(404).send({ error: 'Not Found', message: `no session ${id}` });

export function sessionRoutes(ctx: SessionApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(({ schema }) => coercingJsonValidator(schema as JsonSchema));
    app.addHook('preHandler', async (_req, reply) => {
      if (!ctx.sessions) return reply.code(503).send({ error: 'Service Unavailable', message: 'sessions need PostgreSQL: DATABASE_URL is not set on this collector' });
      if (!ctx.ready()) return reply.code(503).send({ error: 'Service Unavailable', message: 'PostgreSQL is not ready (unreachable, or migrations not yet applied); try again shortly' });
      return undefined;
    });
    const store = () => ctx.sessions!;
    const tags = ['sessions'];

    app.get<{ Querystring: ListQuery }>('/sessions', {
      config: { role: 'viewer' },
      schema: { summary: 'Charging sessions, newest start first', tags, querystring: sessionListQuery, response: { 200: sessionPageSchema, ...E } },
    }, async (req, reply) => {
      const q = req.query;
      const from = q.from ? Date.parse(q.from) : undefined;
      const to = q.to ? Date.parse(q.to) : undefined;
      if ((from !== undefined && Number.isNaN(from)) || (to !== undefined && Number.isNaN(to))) return reply.code(400).send({ error: 'Bad Request', message: 'from and to must be ISO 8601 times' });
      return store().list({
        ...(q.station ? { stationId: q.station } : {}),
        ...(q.token ? { tokenRef: q.token } : {}),
        ...(q.account ? { accountId: q.account } : {}),
        ...(q.active !== undefined ? { active: q.active } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        limit: q.limit,
        offset: q.offset,
      });
    });

    app.get<{ Params: { id: string } }>('/sessions/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One charging session', tags, params: sessionIdParams, response: { 200: sessionSchema, ...E } },
    }, async (req, reply) => (await store().get(req.params.id)) ?? notFound(reply, req.params.id));
  };
}
