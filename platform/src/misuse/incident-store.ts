/**
 * Misuse incidents in PostgreSQL (migration 0007). The consumer records findings: the first finding of
 * a subject opens an incident under its deterministic dedupe key, later ones (merged by the episode,
 * misuse-state.ts) add to its count, last seen and evidence. Each finding's journal event is recorded
 * once per subject in `misuse_incident_events`, in the same transaction, so a replayed event changes
 * nothing. The API lists incidents and moves them open → acknowledged → resolved.
 */
import type { Pool, PoolClient } from 'pg';
import { severityRank, type Actor, type IncidentStatus, type MaskedToken, type MisuseRule, type MisuseSeverity } from '@chargewatch/model';

/** Evidence kept per incident: the first events and the latest. */
export const EVIDENCE_HEAD = 5;
export const EVIDENCE_MAX = 20;

export interface Finding {
  rule: MisuseRule;
  severity: MisuseSeverity;
  subject: string;
  dedupeKey: string;
  /** The journal event that made the finding. */
  eventKey: string;
  at: number;
  stationId?: string;
  site?: string;
  token?: MaskedToken;
  summary: string;
  /** Events with masked tokens (evidenceOf). */
  evidence: Array<Record<string, unknown>>;
}

export interface IncidentResponse {
  action: 'keycode_lockout' | 'block_token';
  /** block_token: blocked, not_blocked, unavailable, failed. */
  result?: string;
  until?: string;
  at: string;
}

export interface IncidentRecord {
  id: string;
  rule: MisuseRule;
  severity: MisuseSeverity;
  subject: string;
  stationId?: string;
  site?: string;
  token?: { masked: string; type?: string; hash?: string };
  summary: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  evidence: Array<Record<string, unknown>>;
  status: IncidentStatus;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  response?: IncidentResponse;
}

export interface IncidentQuery {
  rule?: string;
  severity?: string;
  status?: string;
  station?: string;
  /** The keyed hash of the token (tokenHash). */
  tokenHash?: string;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

interface Row {
  id: string;
  rule: MisuseRule;
  severity: MisuseSeverity;
  subject: string;
  station_id: string | null;
  site: string | null;
  token_masked: string | null;
  token_type: string | null;
  token_hash: string | null;
  summary: string;
  first_seen: Date;
  last_seen: Date;
  count: number;
  evidence: Array<Record<string, unknown>>;
  status: IncidentStatus;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  resolution: string | null;
  response: IncidentResponse | null;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
const iso = (d: Date | null) => (d ? d.toISOString() : undefined);

function toRecord(r: Row): IncidentRecord {
  return {
    id: String(r.id),
    rule: r.rule,
    severity: r.severity,
    subject: r.subject,
    stationId: opt(r.station_id),
    site: opt(r.site),
    token: r.token_masked ? { masked: r.token_masked, type: opt(r.token_type), hash: opt(r.token_hash) } : undefined,
    summary: r.summary,
    firstSeen: r.first_seen.toISOString(),
    lastSeen: r.last_seen.toISOString(),
    count: r.count,
    evidence: r.evidence,
    status: r.status,
    acknowledgedBy: opt(r.acknowledged_by),
    acknowledgedAt: iso(r.acknowledged_at),
    resolvedBy: opt(r.resolved_by),
    resolvedAt: iso(r.resolved_at),
    resolution: opt(r.resolution),
    response: opt(r.response),
  };
}

/** The first EVIDENCE_HEAD and the latest of `evidence` plus `added`, at most EVIDENCE_MAX. */
export function boundedEvidence(evidence: Array<Record<string, unknown>>, added: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const known = new Set(evidence.map((e) => e.key));
  const all = [...evidence, ...added.filter((e) => !known.has(e.key))];
  if (all.length <= EVIDENCE_MAX) return all;
  return [...all.slice(0, EVIDENCE_HEAD), ...all.slice(all.length - (EVIDENCE_MAX - EVIDENCE_HEAD))];
}

export const actorName = (a: Actor): string => `${a.kind}:${a.name}`;

const COLUMNS = 'id, rule, severity, subject, station_id, site, token_masked, token_type, token_hash, summary, first_seen, last_seen, count, evidence, status, acknowledged_by, acknowledged_at, resolved_by, resolved_at, resolution, response';

export class IncidentStore {
  constructor(private readonly pool: Pool) {}

  private async transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  /**
   * Records a finding: opens its incident or adds to it. Undefined when its event was recorded before
   * for this subject (a replay); `created` when this finding opened the incident.
   */
  async record(f: Finding): Promise<{ incident: IncidentRecord; created: boolean } | undefined> {
    return this.transaction(async (c) => {
      const seen = await c.query('SELECT 1 FROM misuse_incident_events WHERE subject = $1 AND event_key = $2', [f.subject, f.eventKey]);
      if (seen.rowCount) return undefined;
      const at = new Date(f.at);
      const inserted = await c.query<Row>(
        `INSERT INTO misuse_incidents (dedupe_key, subject, rule, severity, station_id, site, token_masked, token_type, token_hash, summary, first_seen, last_seen, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING ${COLUMNS}`,
        [f.dedupeKey, f.subject, f.rule, f.severity, f.stationId ?? null, f.site ?? null, f.token?.masked ?? null, f.token?.type ?? null, f.token?.hash || null, f.summary.slice(0, 500), at, JSON.stringify(boundedEvidence([], f.evidence))],
      );
      let row = inserted.rows[0];
      const created = row !== undefined;
      if (!row) {
        const cur = (await c.query<Row>(`SELECT ${COLUMNS} FROM misuse_incidents WHERE dedupe_key = $1 FOR UPDATE`, [f.dedupeKey])).rows[0]!;
        const severity = severityRank(f.severity) > severityRank(cur.severity) ? f.severity : cur.severity;
        row = (
          await c.query<Row>(
            `UPDATE misuse_incidents SET count = count + 1, first_seen = LEAST(first_seen, $2), last_seen = GREATEST(last_seen, $2), severity = $3,
               evidence = $4, summary = CASE WHEN $2 >= last_seen THEN $5 ELSE summary END
             WHERE id = $1 RETURNING ${COLUMNS}`,
            [cur.id, at, severity, JSON.stringify(boundedEvidence(cur.evidence, f.evidence)), f.summary.slice(0, 500)],
          )
        ).rows[0]!;
      }
      await c.query('INSERT INTO misuse_incident_events (subject, event_key, incident_id) VALUES ($1, $2, $3)', [f.subject, f.eventKey, row.id]);
      return { incident: toRecord(row), created };
    });
  }

  /** Records what the detector did; only the first response of an incident is kept. */
  async setResponse(id: string, response: IncidentResponse): Promise<void> {
    await this.pool.query('UPDATE misuse_incidents SET response = $2 WHERE id = $1 AND response IS NULL', [id, JSON.stringify(response)]);
  }

  async get(id: string): Promise<IncidentRecord | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM misuse_incidents WHERE id = $1`, [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : undefined;
  }

  /** Newest (by last seen) first; `from`/`to` bound last seen. */
  async list(q: IncidentQuery): Promise<{ total: number; items: IncidentRecord[] }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      args.push(v);
      where.push(sql.replace('?', `$${args.length}`));
    };
    if (q.rule) add('rule = ?', q.rule);
    if (q.severity) add('severity = ?', q.severity);
    if (q.status) add('status = ?', q.status);
    if (q.station) add('station_id = ?', q.station);
    if (q.tokenHash) add('token_hash = ?', q.tokenHash);
    if (q.from) add('last_seen >= ?', q.from);
    if (q.to) add('last_seen < ?', q.to);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM misuse_incidents ${w}`, args)).rows[0]!.n);
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const offset = Math.max(q.offset ?? 0, 0);
    const r = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM misuse_incidents ${w} ORDER BY last_seen DESC, id DESC LIMIT ${limit} OFFSET ${offset}`, args);
    return { total, items: r.rows.map(toRecord) };
  }

  /** open → acknowledged; undefined when there is no such incident, the record unchanged when it is past open. */
  async acknowledge(id: string, actor: Actor): Promise<IncidentRecord | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const r = await this.pool.query<Row>(
      `UPDATE misuse_incidents SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = now() WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
      [id, actorName(actor)],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : this.get(id);
  }

  /** open or acknowledged → resolved, with an optional note. */
  async resolve(id: string, actor: Actor, resolution?: string): Promise<IncidentRecord | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const r = await this.pool.query<Row>(
      `UPDATE misuse_incidents SET status = 'resolved', resolved_by = $2, resolved_at = now(), resolution = $3 WHERE id = $1 AND status <> 'resolved' RETURNING ${COLUMNS}`,
      [id, actorName(actor), resolution ?? null],
    );
    return r.rows[0] ? toRecord(r.rows[0]) : this.get(id);
  }

  /** Incidents open (nobody acknowledged them yet), by rule and severity (the open-incidents gauge). */
  async openCounts(): Promise<Array<{ rule: MisuseRule; severity: MisuseSeverity; count: number }>> {
    const r = await this.pool.query<{ rule: MisuseRule; severity: MisuseSeverity; n: string }>(
      "SELECT rule, severity, count(*) AS n FROM misuse_incidents WHERE status = 'open' GROUP BY rule, severity",
    );
    return r.rows.map((x) => ({ rule: x.rule, severity: x.severity, count: Number(x.n) }));
  }
}
