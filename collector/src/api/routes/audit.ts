/**
 * Reading the audit log: GET /api/v1/audit, newest first, filtered by target (a station id), actor,
 * action (an action and the actions below it: `command` matches `command.Reset`) and period. Admin only:
 * it shows who did what to which station. Entries hold no secrets (they are redacted when written).
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog, AuditQuery } from '@chargewatch/platform';
import { errorSchema } from '../schemas';

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    actor: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } },
    action: { type: 'string' },
    target: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
    result: { type: 'string' },
    latencyMs: { type: 'number' },
  },
  required: ['at', 'actor', 'action', 'result'],
} as const;

const querySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    target: { type: 'string', minLength: 1, maxLength: 128 },
    actor: { type: 'string', minLength: 1, maxLength: 256 },
    action: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

interface Query {
  target?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

export function auditRoutes(audit: AuditLog) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get<{ Querystring: Query }>('/audit', {
      config: { role: 'admin' },
      schema: {
        summary: 'Audit log: commands and API changes, who made them, when, result and latency; newest first',
        tags: ['audit'],
        querystring: querySchema,
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: entrySchema } } }, 400: errorSchema },
      },
    }, async (req, reply) => {
      const { target, actor, action, from, to, limit, offset } = req.query;
      const q: AuditQuery = { limit, offset };
      if (target !== undefined) q.target = target;
      if (actor !== undefined) q.actor = actor;
      if (action !== undefined) q.action = action;
      if (from !== undefined) q.from = new Date(from);
      if (to !== undefined) q.to = new Date(to);
      if (q.from && q.to && q.from >= q.to) return reply.code(400).send({ error: 'Bad Request', message: '"from" must be before "to"' });
      const page = await audit.list(q);
      return { total: page.total, items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })) };
    });
  };
}
