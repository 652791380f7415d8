/**
 * Every change made through the API goes to the audit log: who (the request's actor), what (an action
 * named after the route), on which station, with which status and latency. Reads are not audited, and
 * neither are command submissions: the command module audits those itself, with the command's id, when
 * they are submitted and when they end. A request refused with 401 has no actor to record.
 *
 * The entry is written after the answer was sent, so a slow or unreachable audit store never holds a
 * change back; an entry that cannot be written is logged with everything it held (secrets removed; the
 * audit log counts the failure), so a log pipeline keeps it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redact, type AuditEntry, type AuditLog } from '@chargewatch/platform';
import { requestActor } from './request-actor';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes audited by their own module (with more detail than a request has). */
const AUDITED_ELSEWHERE = [/^\/api\/v1\/stations\/:id\/commands\//];

/** `PUT /api/v1/stations/:id/metadata` → `stations.metadata.put`: the route's fixed segments and the method. */
export function auditAction(method: string, routeUrl: string): string {
  const fixed = routeUrl
    .replace(/^\/api\/v\d+\//, '')
    .split('/')
    .filter((s) => s !== '' && !s.startsWith(':') && s !== '*');
  return [...fixed, method.toLowerCase()].join('.');
}

/** The audit entry for one answered request, or undefined when it is not a change to audit. */
export function auditEntryFor(req: FastifyRequest, statusCode: number, latencyMs: number): AuditEntry | undefined {
  const routeUrl = req.routeOptions.url;
  if (READS.has(req.method) || !routeUrl?.startsWith('/api/') || statusCode === 401) return undefined;
  if (AUDITED_ELSEWHERE.some((re) => re.test(routeUrl))) return undefined;
  const params = (req.params ?? {}) as Record<string, unknown>;
  const details: Record<string, unknown> = {};
  const auditBody = req.routeOptions.config?.auditBody;
  if (req.body !== undefined && req.body !== null) details.body = redact(auditBody ? auditBody(req.body) : req.body);
  const query = req.query as Record<string, unknown> | undefined;
  if (query && Object.keys(query).length) details.query = redact(query);
  const entry: AuditEntry = {
    at: new Date(Date.now() - latencyMs),
    actor: requestActor(req),
    action: auditAction(req.method, routeUrl),
    result: String(statusCode),
    latencyMs,
  };
  if (typeof params.id === 'string') entry.target = params.id;
  if (Object.keys(details).length) entry.details = details;
  return entry;
}

/** Adds the hook to `app`; call it on the root instance before the routes are registered. */
export function auditChanges(app: FastifyInstance, audit: AuditLog): void {
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const entry = auditEntryFor(req, reply.statusCode, reply.elapsedTime);
    if (!entry) return;
    try {
      await audit.record(entry);
    } catch (err) {
      req.log.error({ err, audit: { ...entry, at: entry.at.toISOString() } }, 'could not store an audit entry; it is in this log line');
    }
  });
}
