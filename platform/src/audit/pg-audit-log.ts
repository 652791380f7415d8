/**
 * The durable, queryable audit log: one row per entry in PostgreSQL's `audit_log` (migration 0001).
 * Details are redacted again here, whoever built the entry, so no code path can store a secret.
 */
import type { Pool } from 'pg';
import type { Actor } from '@chargewatch/model';
import { redact, type AuditEntry, type AuditLog, type AuditQuery } from './audit-log';

interface AuditRow {
  id: string;
  at: Date;
  actor_kind: Actor['kind'];
  actor_name: string;
  actor_role: Actor['role'];
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  result: string;
  latency_ms: number | null;
}

const MAX_LIMIT = 1000;

function toEntry(r: AuditRow): AuditEntry {
  const e: AuditEntry = { id: r.id, at: r.at, actor: { kind: r.actor_kind, name: r.actor_name, role: r.actor_role }, action: r.action, result: r.result };
  if (r.target !== null) e.target = r.target;
  if (r.details !== null) e.details = r.details;
  if (r.latency_ms !== null) e.latencyMs = r.latency_ms;
  return e;
}

/** The WHERE clause and its parameters for a query; every value is a bound parameter. */
function where(q: AuditQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    parts.push(clause(`$${params.length}`));
  };
  if (q.target !== undefined) add((n) => `target = ${n}`, q.target);
  if (q.actor !== undefined) add((n) => `actor_name = ${n}`, q.actor);
  // `command` matches `command.Reset`: an action and the actions below it.
  if (q.action !== undefined) add((n) => `(action = ${n} OR starts_with(action, ${n} || '.'))`, q.action);
  if (q.from !== undefined) add((n) => `at >= ${n}`, q.from);
  if (q.to !== undefined) add((n) => `at < ${n}`, q.to);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export class PgAuditLog implements AuditLog {
  constructor(private readonly pool: Pool) {}

  async record(entry: AuditEntry): Promise<void> {
    const details = entry.details === undefined ? null : JSON.stringify(redact(entry.details));
    const latency = entry.latencyMs === undefined ? null : Math.max(0, Math.round(entry.latencyMs));
    await this.pool.query(
      `INSERT INTO audit_log (at, actor_kind, actor_name, actor_role, action, target, details, result, latency_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [entry.at, entry.actor.kind, entry.actor.name, entry.actor.role, entry.action, entry.target ?? null, details, entry.result, latency],
    );
  }

  async list(q: AuditQuery): Promise<{ total: number; items: AuditEntry[] }> {
    const { sql, params } = where(q);
    const limit = Math.min(Math.max(1, q.limit ?? 100), MAX_LIMIT);
    const offset = Math.max(0, q.offset ?? 0);
    const [count, rows] = await Promise.all([
      this.pool.query<{ total: string }>(`SELECT count(*) AS total FROM audit_log ${sql}`, params),
      this.pool.query<AuditRow>(
        `SELECT id::text, at, actor_kind, actor_name, actor_role, action, target, details, result, latency_ms
         FROM audit_log ${sql} ORDER BY at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
    ]);
    return { total: Number(count.rows[0]?.total ?? 0), items: rows.rows.map(toEntry) };
  }
}
