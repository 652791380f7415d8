/**
 * Accounts, the person or fleet tokens belong to (viewer reads, editor writes):
 *
 *   GET    /api/v1/accounts                 accounts (?q: part of the name, paged)
 *   POST   /api/v1/accounts                 create one (kind, name; contact, billingReference, currency, note)
 *   GET    /api/v1/accounts/{id}            one account
 *   PATCH  /api/v1/accounts/{id}            change it (null clears an optional field)
 *   GET    /api/v1/accounts/{id}/tokens     its tokens (paged)
 */
import type { FastifyInstance } from 'fastify';
import { AccountError, type AccountStore } from '@chargewatch/platform';
import { errorSchema } from '../schemas';
import { requestActor } from '../request-actor';
import { accountBodySchema, accountListQuery, accountSchema, idParams, tokenPageSchema } from '../token-schemas';
import { accessScope, type AccessApiContext } from './tokens';

const E = { 400: errorSchema, 404: errorSchema, 503: errorSchema } as const;
const page = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } } } as const;

export function accountRoutes(ctx: AccessApiContext & { accounts?: AccountStore }) {
  return async function routes(app: FastifyInstance): Promise<void> {
    accessScope(app, ctx);
    const tags = ['accounts'];
    const store = () => ctx.accounts!;
    const notFound = (id: string) => ({ error: 'Not Found', message: `no account ${id}` });

    app.get<{ Querystring: { q?: string; limit: number; offset: number } }>('/accounts', {
      config: { role: 'viewer' },
      schema: { summary: 'Accounts, by id', tags, querystring: accountListQuery, response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: accountSchema } } }, ...E } },
    }, async (req) => store().list(req.query));

    app.post<{ Body: unknown }>('/accounts', {
      config: { role: 'editor' },
      schema: { summary: 'Creates an account', tags, body: { ...accountBodySchema, required: ['kind', 'name'] }, response: { 201: accountSchema, ...E } },
    }, async (req, reply) => {
      try {
        return reply.code(201).send(await store().create(req.body, requestActor(req)));
      } catch (err) {
        if (err instanceof AccountError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
        throw err;
      }
    });

    app.get<{ Params: { id: string } }>('/accounts/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One account', tags, params: idParams, response: { 200: accountSchema, ...E } },
    }, async (req, reply) => (await store().get(req.params.id)) ?? reply.code(404).send(notFound(req.params.id)));

    app.patch<{ Params: { id: string }; Body: unknown }>('/accounts/:id', {
      config: { role: 'editor' },
      schema: { summary: 'Changes an account', tags, params: idParams, body: accountBodySchema, response: { 200: accountSchema, ...E } },
    }, async (req, reply) => {
      try {
        return (await store().update(req.params.id, req.body, requestActor(req))) ?? reply.code(404).send(notFound(req.params.id));
      } catch (err) {
        if (err instanceof AccountError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
        throw err;
      }
    });

    app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>('/accounts/:id/tokens', {
      config: { role: 'viewer' },
      schema: { summary: "An account's tokens", tags, params: idParams, querystring: page, response: { 200: tokenPageSchema, ...E } },
    }, async (req, reply) => {
      if (!(await store().get(req.params.id))) return reply.code(404).send(notFound(req.params.id));
      return ctx.registry!.list({ accountId: req.params.id, limit: req.query.limit, offset: req.query.offset });
    });
  };
}
