/**
 * Misuse incidents (viewer reads, editor acts):
 *
 *   GET  /api/v1/incidents                   newest first (?rule, ?severity, ?status, ?station, ?token, ?from, ?to, paged)
 *   GET  /api/v1/incidents/{id}              one incident with its evidence
 *   POST /api/v1/incidents/{id}/acknowledge  open → acknowledged
 *   POST /api/v1/incidents/{id}/resolve      → resolved ({resolution?}); later findings open a new incident
 *
 * Incidents live in PostgreSQL (the worker's `misuse` consumer writes them): without DATABASE_URL, or
 * before migrations applied, every route answers 503 with why. Changes are audited with the user by
 * api/audit-changes.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JsonSchema } from '@chargewatch/model';
import { coercingJsonValidator, strictJsonValidator, type IncidentStore, type MisuseState } from '@chargewatch/platform';
import { errorSchema } from '../schemas';
import { requestActor } from '../request-actor';
import { incidentIdParams, incidentListQuery, incidentPageSchema, incidentSchema, resolveBodySchema } from '../incident-schemas';

/** The hash incidents carry for a registry token: undefined when there is no such token, null for a PIN (none). */
export type TokenHashLookup = (tokenId: string) => Promise<string | null | undefined>;

export interface IncidentApiContext {
  /** Absent without DATABASE_URL. */
  incidents?: IncidentStore;
  state: MisuseState;
  ready(): boolean;
  /** Absent without the token registry: `?token` then answers 503. */
  tokenHashOf?: TokenHashLookup;
}

const E = { 400: errorSchema, 404: errorSchema, 503: errorSchema } as const;
const notFound = (reply: FastifyReply, id: string) => reply.code(404).send({ error: 'Not Found', message: `no incident ${id}` });

interface ListQuery {
  rule?: string;
  severity?: string;
  status?: string;
  station?: string;
  token?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export function incidentRoutes(ctx: IncidentApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictJsonValidator(schema as JsonSchema) : coercingJsonValidator(schema as JsonSchema)));
    app.addHook('preHandler', async (_req, reply) => {
      if (!ctx.incidents) return reply.code(503).send({ error: 'Service Unavailable', message: 'incidents need PostgreSQL: DATABASE_URL is not set on this collector' });
      if (!ctx.ready()) return reply.code(503).send({ error: 'Service Unavailable', message: 'PostgreSQL is not ready (unreachable, or migrations not yet applied); try again shortly' });
      return undefined;
    });
    const store = () => ctx.incidents!;
    const tags = ['incidents'];

    app.get<{ Querystring: ListQuery }>('/incidents', {
      config: { role: 'viewer' },
      schema: { summary: 'Misuse incidents, most recently seen first', tags, querystring: incidentListQuery, response: { 200: incidentPageSchema, ...E } },
    }, async (req, reply) => {
      const { from, to, token, ...rest } = req.query;
      const f = from ? new Date(from) : undefined;
      const t = to ? new Date(to) : undefined;
      if ((f && Number.isNaN(f.getTime())) || (t && Number.isNaN(t.getTime()))) return reply.code(400).send({ error: 'Bad Request', message: 'from and to must be ISO 8601 times' });
      if (token === undefined) return store().list({ ...rest, from: f, to: t });
      if (!ctx.tokenHashOf) return reply.code(503).send({ error: 'Service Unavailable', message: 'incidents by token need the token registry (ACCESS_MODE=registry)' });
      const hash = await ctx.tokenHashOf(token);
      if (hash === undefined) return reply.code(404).send({ error: 'Not Found', message: `no token ${token}` });
      if (hash === null) return { total: 0, items: [] };
      return store().list({ ...rest, tokenHash: hash, from: f, to: t });
    });

    app.get<{ Params: { id: string } }>('/incidents/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One misuse incident with its evidence', tags, params: incidentIdParams, response: { 200: incidentSchema, ...E } },
    }, async (req, reply) => (await store().get(req.params.id)) ?? notFound(reply, req.params.id));

    app.post<{ Params: { id: string } }>('/incidents/:id/acknowledge', {
      config: { role: 'editor' },
      schema: { summary: 'Acknowledges an open incident (someone is on it)', tags, params: incidentIdParams, response: { 200: incidentSchema, ...E } },
    }, async (req, reply) => (await store().acknowledge(req.params.id, requestActor(req))) ?? notFound(reply, req.params.id));

    app.post<{ Params: { id: string }; Body: { resolution?: string } | undefined }>('/incidents/:id/resolve', {
      config: { role: 'editor' },
      schema: { summary: 'Resolves an incident; findings after this open a new one', tags, params: incidentIdParams, body: resolveBodySchema, response: { 200: incidentSchema, ...E } },
    }, async (req, reply) => {
      const r = await store().resolve(req.params.id, requestActor(req), req.body?.resolution);
      if (!r) return notFound(reply, req.params.id);
      await ctx.state.endEpisode(r.subject);
      return r;
    });
  };
}
