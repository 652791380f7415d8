/**
 * The audit log: every command sent to a station and every change made through the API — who, when,
 * what, on which target, with which result and latency. Entries never hold secrets: `redact` removes
 * them before an entry is built. The PostgreSQL implementation is the one deployments run.
 */
import type { Actor } from '@chargewatch/model';

export interface AuditEntry {
  id?: string;
  at: Date;
  actor: Actor;
  /** What was done, dotted: `station.metadata.put`, `station.security.put`, `command.Reset`, … */
  action: string;
  /** What it was done to: a station id, a token id, a campaign id … */
  target?: string;
  /** Request details with secrets removed (see redact). */
  details?: Record<string, unknown>;
  /** `ok`, `accepted`, `rejected`, `error`, an HTTP status … */
  result: string;
  latencyMs?: number;
}

export interface AuditQuery {
  target?: string;
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(query: AuditQuery): Promise<{ total: number; items: AuditEntry[] }>;
}

/** Keys whose values are secrets wherever they appear (matched without case). */
const SECRET_KEYS = /pass(word)?|secret|token|pin|signature|private|authorization|credential/i;

/** A deep copy of `value` with every secret-looking key's value replaced by "[redacted]". */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => redact(v, depth + 1));
  if (value === null || typeof value !== 'object') return typeof value === 'string' && value.length > 2000 ? `${value.slice(0, 2000)}…` : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}
