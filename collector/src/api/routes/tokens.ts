/**
 * The token registry (viewer reads, editor writes):
 *
 *   GET    /api/v1/tokens                   tokens (?q, ?type, ?status, ?accountId, ?groupId, ?site, ?station, paged)
 *   POST   /api/v1/tokens                   register a token (400 naming each problem; 409 duplicate)
 *   GET    /api/v1/tokens/export            every token (?format=csv|json); never a PIN
 *   POST   /api/v1/tokens/import            CSV (text/csv) or JSON; every row checked first, 400 names each bad row
 *   GET    /api/v1/tokens/{id}              one token
 *   PATCH  /api/v1/tokens/{id}              change it (null clears a field; type and uid never change)
 *   DELETE /api/v1/tokens/{id}              remove it
 *   POST   /api/v1/tokens/{id}/block        status Blocked ({reason}, kept in the audit)
 *   POST   /api/v1/tokens/{id}/unblock      status Accepted
 *
 * PINs are write-only. Tokens live in PostgreSQL: without the registry (ACCESS_MODE=accept-all, no
 * DATABASE_URL) or before migrations applied every route answers 503 with why. Changes are audited
 * with the user (api/audit-changes.ts), bodies through tokenAuditBody (uids masked, PINs dropped).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JsonSchema } from '@chargewatch/model';
import {
  CsvError,
  TokenRegistryError,
  coercingJsonValidator,
  strictJsonValidator,
  tokensFromCsv,
  tokensFromJson,
  tokensToCsv,
  type TokenQuery,
  type TokenRegistry,
} from '@chargewatch/platform';
import { errorSchema } from '../schemas';
import { requestActor } from '../request-actor';
import {
  blockBodySchema,
  exportQuery,
  idParams,
  importErrorSchema,
  importQuery,
  importResultSchema,
  tokenAuditBody,
  tokenBodySchema,
  tokenListQuery,
  tokenPageSchema,
  tokenPatchSchema,
  tokenSchema,
} from '../token-schemas';

export interface AccessApiContext {
  registry?: TokenRegistry;
  /** true once the database is migrated. */
  ready(): boolean;
}

const E = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema } as const;

/** Strict bodies, coerced query strings, 503 without the registry; first in each access scope. */
export function accessScope(app: FastifyInstance, ctx: AccessApiContext): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictJsonValidator(schema as JsonSchema) : coercingJsonValidator(schema as JsonSchema)));
  app.addHook('preHandler', async (_req, reply) => {
    if (!ctx.registry) return reply.code(503).send({ error: 'Service Unavailable', message: 'the token registry needs PostgreSQL and ACCESS_MODE=registry (DATABASE_URL is not set, or ACCESS_MODE=accept-all)' });
    if (!ctx.ready()) return reply.code(503).send({ error: 'Service Unavailable', message: 'PostgreSQL is not ready (unreachable, or migrations not yet applied); try again shortly' });
    return undefined;
  });
}

/** The registry's refusals as HTTP answers; anything else is a 500. */
export function registryError(reply: FastifyReply, err: unknown) {
  if (err instanceof TokenRegistryError) {
    const code = err.code === 'not_found' ? 404 : err.code === 'duplicate' ? 409 : 400;
    const error = code === 404 ? 'Not Found' : code === 409 ? 'Conflict' : 'Bad Request';
    return reply.code(code).send({ error, message: err.message, ...(err.rows ? { rows: err.rows } : {}) });
  }
  throw err;
}

export function tokenRoutes(ctx: AccessApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    accessScope(app, ctx);
    const tags = ['tokens'];
    const reg = () => ctx.registry!;
    const audit = { auditBody: tokenAuditBody };

    app.get<{ Querystring: TokenQuery }>('/tokens', {
      config: { role: 'viewer' },
      schema: { summary: 'Tokens, by id (search and filters)', tags, querystring: tokenListQuery, response: { 200: tokenPageSchema, ...E } },
    }, async (req) => reg().list(req.query));

    app.post<{ Body: unknown }>('/tokens', {
      config: { role: 'editor', ...audit },
      schema: { summary: 'Registers a token (PINs are write-only)', tags, body: tokenBodySchema, response: { 201: tokenSchema, ...E } },
    }, async (req, reply) => {
      try {
        return reply.code(201).send(await reg().create(req.body, requestActor(req)));
      } catch (err) {
        return registryError(reply, err);
      }
    });

    app.get<{ Querystring: { format: 'csv' | 'json' } }>('/tokens/export', {
      config: { role: 'viewer' },
      schema: { summary: 'Every token as CSV (formula cells neutralised) or JSON; never a PIN', tags, querystring: exportQuery },
    }, async (req, reply) => {
      const all = [];
      for await (const t of reg().all()) all.push(t);
      if (req.query.format === 'json') return reply.type('application/json').send(JSON.stringify({ tokens: all }));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tokens.csv"').send(tokensToCsv(all));
    });

    app.post<{ Body: unknown; Querystring: { mode: 'upsert' | 'create' } }>('/tokens/import', {
      config: { role: 'editor', ...audit },
      schema: {
        summary: 'Imports tokens from CSV (text/csv, a header row of column names) or JSON (an array, or {tokens}); all rows are checked before any is written',
        tags,
        querystring: importQuery,
        response: { 200: importResultSchema, 400: importErrorSchema, 409: errorSchema, 503: errorSchema },
      },
    }, async (req, reply) => {
      let rows;
      try {
        rows = typeof req.body === 'string' ? tokensFromCsv(req.body) : tokensFromJson(req.body);
      } catch (err) {
        if (err instanceof CsvError) return reply.code(400).send({ error: 'Bad Request', message: err.message, rows: [{ row: err.line, errors: [err.message.replace(/^line \d+: /, '')] }] });
        return reply.code(400).send({ error: 'Bad Request', message: (err as Error).message });
      }
      try {
        const { created, updated } = await reg().import(rows, requestActor(req), req.query.mode);
        return { created, updated };
      } catch (err) {
        return registryError(reply, err);
      }
    });

    app.get<{ Params: { id: string } }>('/tokens/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One token', tags, params: idParams, response: { 200: tokenSchema, ...E } },
    }, async (req, reply) => (await reg().get(req.params.id)) ?? reply.code(404).send({ error: 'Not Found', message: `no token ${req.params.id}` }));

    app.patch<{ Params: { id: string }; Body: unknown }>('/tokens/:id', {
      config: { role: 'editor', ...audit },
      schema: { summary: 'Changes a token; null clears a field', tags, params: idParams, body: tokenPatchSchema, response: { 200: tokenSchema, ...E } },
    }, async (req, reply) => {
      try {
        return await reg().update(req.params.id, req.body, requestActor(req));
      } catch (err) {
        return registryError(reply, err);
      }
    });

    app.delete<{ Params: { id: string } }>('/tokens/:id', {
      config: { role: 'editor' },
      schema: { summary: 'Removes a token', tags, params: idParams, response: { 204: { type: 'null' }, ...E } },
    }, async (req, reply) => ((await reg().delete(req.params.id)) ? reply.code(204).send() : reply.code(404).send({ error: 'Not Found', message: `no token ${req.params.id}` })));

    for (const action of ['block', 'unblock'] as const) {
      app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(`/tokens/:id/${action}`, {
        config: { role: 'editor', ...audit },
        schema: { summary: action === 'block' ? 'Blocks a token (status Blocked) on every collector within a second' : 'Unblocks a token (status Accepted)', tags, params: idParams, body: blockBodySchema, response: { 200: tokenSchema, ...E } },
      }, async (req, reply) => {
        try {
          return await reg()[action](req.params.id, requestActor(req));
        } catch (err) {
          return registryError(reply, err);
        }
      });
    }
  };
}
