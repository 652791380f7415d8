/**
 * The InfluxDB writer's dead letters: lines InfluxDB refused for good, kept with its reason so nothing
 * acknowledged to a station vanishes (platform/src/journal/dead-letters.ts). Admin only: the lines hold
 * every station's data.
 *   GET    /api/v1/deadletters/influx           newest first, paged with `before`
 *   POST   /api/v1/deadletters/influx/replay    re-submit (all, oldest first, or the given ids) after
 *                                               fixing the cause; written ones are removed, refused stay
 *   DELETE /api/v1/deadletters/influx/{id}      discard one, once it is understood
 */
import type { FastifyInstance } from 'fastify';
import type { DeadLetterStream, WriteAttempt } from '@chargewatch/platform';
import { errorSchema } from '../schemas';

const ID = '^[0-9]{1,20}-[0-9]{1,20}$';

const letterSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, reason: { type: 'string' }, line: { type: 'string' } },
  required: ['id', 'at', 'reason', 'line'],
} as const;

export function deadLetterRoutes(deadLetters: DeadLetterStream, attempt: WriteAttempt) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: { limit: number; before?: string } }>('/deadletters/influx', {
      config: { role: 'admin' },
      schema: {
        summary: 'Lines InfluxDB refused, with its reason; newest first',
        tags: ['deadletters'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, before: { type: 'string', pattern: ID } },
        },
        response: {
          200: { type: 'object', properties: { total: { type: 'integer' }, next: { type: 'string' }, items: { type: 'array', items: letterSchema } } },
          400: errorSchema,
        },
      },
    }, async (req) => {
      const page = await deadLetters.list({ limit: req.query.limit, ...(req.query.before ? { before: req.query.before } : {}) });
      return { ...page, items: page.items.map((d) => ({ ...d, at: new Date(d.at).toISOString() })) };
    });

    app.post<{ Body: { ids?: string[]; limit?: number } }>('/deadletters/influx/replay', {
      config: { role: 'admin' },
      schema: {
        summary: 'Write dead letters again (after fixing the cause); those InfluxDB now takes are removed',
        tags: ['deadletters'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ids: { type: 'array', items: { type: 'string', pattern: ID }, minItems: 1, maxItems: 1000 },
            limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
        response: {
          200: { type: 'object', properties: { replayed: { type: 'integer' }, written: { type: 'integer' }, stillRejected: { type: 'integer' } } },
          400: errorSchema,
          503: errorSchema,
        },
      },
    }, async (req, reply) => {
      const body = req.body ?? {};
      try {
        return await deadLetters.replay(attempt, { limit: body.limit ?? 1000, ...(body.ids ? { ids: body.ids } : {}) });
      } catch (err) {
        // InfluxDB down or unreachable: nothing more was removed; try again later.
        req.log.warn({ err }, 'dead-letter replay failed');
        return reply.code(503).send({ error: 'Service Unavailable', message: `InfluxDB did not take the write: ${(err as Error).message}` });
      }
    });

    app.delete<{ Params: { id: string } }>('/deadletters/influx/:id', {
      config: { role: 'admin' },
      schema: {
        summary: 'Discard one dead letter',
        tags: ['deadletters'],
        params: { type: 'object', properties: { id: { type: 'string', pattern: ID } }, required: ['id'] },
        response: { 204: { type: 'null' }, 400: errorSchema, 404: errorSchema },
      },
    }, async (req, reply) => {
      if ((await deadLetters.remove([req.params.id])) === 0) return reply.code(404).send({ error: 'Not Found', message: `no dead letter ${req.params.id}` });
      return reply.code(204).send();
    });
  };
}
