/**
 * The charging_sessions table (migration 0008): one upsert per journal batch writes every session the
 * batch names, merging with what the row already holds by the rule of model/src/sessions.ts (first start
 * and token win, the station's end beats a close by policy, lowest and highest register reading). The
 * merge is in SQL so two writers (a redelivered batch racing its first delivery) cannot lose a fact.
 */
import type { Pool } from 'pg';
import type { SessionFacts } from '@chargewatch/model';

/** A session's facts with its token resolved: registry id and account, or only masked id and hash. */
export interface SessionRow extends Omit<SessionFacts, 'idToken'> {
  token?: { ref?: string; accountId?: string; type: string; masked: string; hash?: string };
}

export interface ChargingSession {
  id: string;
  stationId: string;
  transactionId: string;
  evseId?: number;
  connectorId?: number;
  site?: string;
  token?: { ref?: string; type?: string; masked: string };
  accountId?: string;
  startedAt?: string;
  endedAt?: string;
  /** Wh delivered (stop or highest reading minus start or lowest reading); absent while unknown. */
  energyWh?: number;
  meterStartWh?: number;
  meterStopWh?: number;
  stoppedReason?: string;
  closedBy?: 'station' | 'collector';
  offline: boolean;
  /** true while no end is recorded. */
  active: boolean;
}

export interface SessionQuery {
  tokenRef?: string;
  accountId?: string;
  stationId?: string;
  /** Only sessions still without an end (true) or only ended ones (false). */
  active?: boolean;
  /** Started at or after / before (ms). */
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

interface Row {
  id: string;
  station_id: string;
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  site: string | null;
  token_ref: string | null;
  account_id: string | null;
  token_type: string | null;
  token_masked: string | null;
  started_at: Date | null;
  ended_at: Date | null;
  meter_start_wh: string | null;
  meter_stop_wh: string | null;
  energy_wh: string | null;
  stopped_reason: string | null;
  closed_by: 'station' | 'collector' | null;
  offline: boolean;
  total: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const num = (v: string | null) => (v === null ? undefined : Number(v));

function toSession(r: Row): ChargingSession {
  const s: ChargingSession = { id: r.id, stationId: r.station_id, transactionId: r.transaction_id, offline: r.offline, active: r.ended_at === null };
  if (r.evse_id !== null) s.evseId = r.evse_id;
  if (r.connector_id !== null) s.connectorId = r.connector_id;
  if (r.site !== null) s.site = r.site;
  if (r.token_masked !== null) s.token = { masked: r.token_masked, ...(r.token_type ? { type: r.token_type } : {}), ...(r.token_ref ? { ref: r.token_ref } : {}) };
  if (r.account_id !== null) s.accountId = r.account_id;
  if (r.started_at) s.startedAt = r.started_at.toISOString();
  if (r.ended_at) s.endedAt = r.ended_at.toISOString();
  const energy = num(r.energy_wh);
  if (energy !== undefined) s.energyWh = energy;
  const start = num(r.meter_start_wh);
  if (start !== undefined) s.meterStartWh = start;
  const stop = num(r.meter_stop_wh);
  if (stop !== undefined) s.meterStopWh = stop;
  if (r.stopped_reason !== null) s.stoppedReason = r.stopped_reason;
  if (r.closed_by !== null) s.closedBy = r.closed_by;
  return s;
}

// The register went backwards (a meter replaced mid-session): no energy rather than a negative one.
const ENERGY = `CASE WHEN coalesce(meter_stop_wh, last_meter_wh) >= coalesce(meter_start_wh, first_meter_wh)
  THEN coalesce(meter_stop_wh, last_meter_wh) - coalesce(meter_start_wh, first_meter_wh) END`;
const COLUMNS = `id, station_id, transaction_id, evse_id, connector_id, site, token_ref, account_id, token_type, token_masked,
  started_at, ended_at, meter_start_wh, meter_stop_wh, ${ENERGY} AS energy_wh, stopped_reason, closed_by, offline`;

// A token is "said" once a masked id is recorded: the first one said stays (all five columns together).
const TOKEN_COLUMNS = ['token_ref', 'account_id', 'token_type', 'token_masked', 'token_hash'] as const;
const END_COLUMNS = ['ended_at', 'stopped_reason', 'closed_by', 'meter_stop_wh'] as const;

const UPSERT = `
INSERT INTO charging_sessions AS s (station_id, transaction_id, evse_id, connector_id, site, ${TOKEN_COLUMNS.join(', ')},
  started_at, meter_start_wh, ${END_COLUMNS.join(', ')}, first_meter_wh, last_meter_wh, offline)
SELECT r.station_id, r.transaction_id, r.evse_id, r.connector_id, r.site,
  -- A token deleted from the registry meanwhile: keep the session, without the link.
  (SELECT t.id FROM tokens t WHERE t.id = r.token_ref), (SELECT a.id FROM accounts a WHERE a.id = r.account_id),
  r.token_type, r.token_masked, r.token_hash, r.started_at, r.meter_start_wh, r.ended_at, r.stopped_reason, r.closed_by,
  r.meter_stop_wh, r.first_meter_wh, r.last_meter_wh, coalesce(r.offline, false)
FROM jsonb_to_recordset($1::jsonb) AS r(station_id text, transaction_id text, evse_id integer, connector_id integer, site text,
  token_ref bigint, account_id bigint, token_type text, token_masked text, token_hash text, started_at timestamptz,
  meter_start_wh numeric, ended_at timestamptz, stopped_reason text, closed_by text, meter_stop_wh numeric,
  first_meter_wh numeric, last_meter_wh numeric, offline boolean)
ON CONFLICT (station_id, transaction_id) DO UPDATE SET
  evse_id = coalesce(s.evse_id, EXCLUDED.evse_id),
  connector_id = coalesce(s.connector_id, EXCLUDED.connector_id),
  site = coalesce(s.site, EXCLUDED.site),
  ${TOKEN_COLUMNS.map((c) => `${c} = CASE WHEN s.token_masked IS NULL THEN EXCLUDED.${c} ELSE s.${c} END`).join(',\n  ')},
  started_at = coalesce(s.started_at, EXCLUDED.started_at),
  meter_start_wh = coalesce(s.meter_start_wh, EXCLUDED.meter_start_wh),
  ${END_COLUMNS.map(
    (c) =>
      `${c} = CASE WHEN EXCLUDED.ended_at IS NOT NULL AND (s.ended_at IS NULL OR (s.closed_by = 'collector' AND EXCLUDED.closed_by = 'station')) THEN EXCLUDED.${c} ELSE s.${c} END`,
  ).join(',\n  ')},
  first_meter_wh = least(s.first_meter_wh, EXCLUDED.first_meter_wh),
  last_meter_wh = greatest(s.last_meter_wh, EXCLUDED.last_meter_wh),
  offline = s.offline OR EXCLUDED.offline,
  updated_at = now()`;

export class SessionStore {
  constructor(private readonly pool: Pool) {}

  /** Merges the rows (one per session; a batch must not name a session twice) in one statement. */
  async record(rows: SessionRow[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((r) => ({
      station_id: r.stationId,
      transaction_id: r.transactionId,
      evse_id: r.evseId ?? null,
      connector_id: r.connectorId ?? null,
      site: r.site ?? null,
      token_ref: r.token?.ref ?? null,
      account_id: r.token?.accountId ?? null,
      token_type: r.token?.type ?? null,
      token_masked: r.token?.masked ?? null,
      token_hash: r.token?.hash ?? null,
      started_at: iso(r.startedAt),
      meter_start_wh: r.meterStartWh ?? null,
      ended_at: iso(r.end?.time),
      stopped_reason: r.end?.stoppedReason ?? null,
      closed_by: r.end?.closedBy ?? null,
      meter_stop_wh: r.end?.meterStopWh ?? null,
      first_meter_wh: r.firstMeterWh ?? null,
      last_meter_wh: r.lastMeterWh ?? null,
      offline: r.offline ?? false,
    }));
    await this.pool.query(UPSERT, [JSON.stringify(json)]);
  }

  async get(id: string): Promise<ChargingSession | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS}, 1 AS total FROM charging_sessions WHERE id = $1`, [id]);
    return rows[0] ? toSession(rows[0]) : undefined;
  }

  /** Newest start first (sessions whose start is unknown last); `total` counts every match. */
  async list(q: SessionQuery = {}): Promise<{ total: number; items: ChargingSession[] }> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (q.tokenRef !== undefined) where.push(`token_ref = ${arg(q.tokenRef)}`);
    if (q.accountId !== undefined) where.push(`account_id = ${arg(q.accountId)}`);
    if (q.stationId !== undefined) where.push(`station_id = ${arg(q.stationId)}`);
    if (q.active !== undefined) where.push(q.active ? 'ended_at IS NULL' : 'ended_at IS NOT NULL');
    if (q.from !== undefined) where.push(`started_at >= ${arg(new Date(q.from).toISOString())}`);
    if (q.to !== undefined) where.push(`started_at < ${arg(new Date(q.to).toISOString())}`);
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const offset = Math.max(q.offset ?? 0, 0);
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM charging_sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC NULLS LAST, id DESC LIMIT ${limit} OFFSET ${offset}`,
      args,
    );
    // Past the last page the window count is gone with the rows: count separately.
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (!rows.length && offset > 0) {
      const c = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM charging_sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, args);
      total = Number(c.rows[0]!.n);
    }
    return { total, items: rows.map(toSession) };
  }
}
