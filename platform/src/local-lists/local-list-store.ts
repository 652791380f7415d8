/**
 * Local-list state per station in PostgreSQL (migration 0006): the list the station last accepted, its
 * version, the sync state and the limits learned from the station. One sync per station at a time:
 * `withStationLock` holds a session advisory lock on a dedicated connection for the sync's length
 * (it waits on the station's answers), so two workers never send one station overlapping versions.
 */
import type { Pool, PoolClient } from 'pg';
import type { LocalListItem, LocalListSkipReason, LocalListState } from '@chargewatch/model';

export interface LocalListLimits {
  maxEntries?: number;
  itemsPerMessage?: number;
  bytesPerMessage?: number;
}

export interface LocalListRow {
  stationId: string;
  protocol?: string;
  state: LocalListState;
  version?: number;
  entries: LocalListItem[];
  entryCount: number;
  needsFull: boolean;
  failures: number;
  lastError?: string;
  lastOutcome?: string;
  skipped: Partial<Record<LocalListSkipReason, number>>;
  limits: LocalListLimits;
  /** Epoch ms (all times below). */
  limitsLearnedAt?: number;
  requestedAt?: number;
  requestedFull: boolean;
  lastAttemptAt?: number;
  lastSyncAt?: number;
  lastCheckAt?: number;
  nextDueAt?: number;
  updatedAt: number;
}

/** A station with no row yet: never synced. */
export const newLocalListRow = (stationId: string, now: number): LocalListRow => ({
  stationId,
  state: 'pending',
  entries: [],
  entryCount: 0,
  needsFull: true,
  failures: 0,
  skipped: {},
  limits: {},
  requestedFull: false,
  updatedAt: now,
});

interface Row {
  station_id: string;
  protocol: string | null;
  state: LocalListState;
  version: number | null;
  entries?: LocalListItem[];
  entry_count: number;
  needs_full: boolean;
  failures: number;
  last_error: string | null;
  last_outcome: string | null;
  skipped: LocalListRow['skipped'];
  max_entries: number | null;
  items_per_message: number | null;
  bytes_per_message: number | null;
  limits_learned_at: Date | null;
  requested_at: Date | null;
  requested_full: boolean;
  last_attempt_at: Date | null;
  last_sync_at: Date | null;
  last_check_at: Date | null;
  next_due_at: Date | null;
  updated_at: Date;
}

const SUMMARY = `station_id, protocol, state, version, entry_count, needs_full, failures, last_error, last_outcome, skipped, max_entries,
  items_per_message, bytes_per_message, limits_learned_at, requested_at, requested_full, last_attempt_at, last_sync_at, last_check_at, next_due_at, updated_at`;

const ms = (d: Date | null) => (d ? d.getTime() : undefined);
const date = (n: number | undefined) => (n === undefined ? null : new Date(n).toISOString());

function toRow(r: Row): LocalListRow {
  const out: LocalListRow = {
    stationId: r.station_id,
    state: r.state,
    entries: r.entries ?? [],
    entryCount: r.entry_count,
    needsFull: r.needs_full,
    failures: r.failures,
    skipped: r.skipped,
    limits: {},
    requestedFull: r.requested_full,
    updatedAt: r.updated_at.getTime(),
  };
  const opt = <K extends keyof LocalListRow>(k: K, v: LocalListRow[K] | null | undefined) => {
    if (v !== null && v !== undefined) out[k] = v;
  };
  opt('protocol', r.protocol);
  opt('version', r.version);
  opt('lastError', r.last_error);
  opt('lastOutcome', r.last_outcome);
  if (r.max_entries !== null) out.limits.maxEntries = r.max_entries;
  if (r.items_per_message !== null) out.limits.itemsPerMessage = r.items_per_message;
  if (r.bytes_per_message !== null) out.limits.bytesPerMessage = r.bytes_per_message;
  opt('limitsLearnedAt', ms(r.limits_learned_at));
  opt('requestedAt', ms(r.requested_at));
  opt('lastAttemptAt', ms(r.last_attempt_at));
  opt('lastSyncAt', ms(r.last_sync_at));
  opt('lastCheckAt', ms(r.last_check_at));
  opt('nextDueAt', ms(r.next_due_at));
  return out;
}

export interface LocalListQuery {
  state?: LocalListState;
  limit?: number;
  offset?: number;
}

export class LocalListStore {
  constructor(private readonly pool: Pool) {}

  async get(stationId: string): Promise<LocalListRow | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SUMMARY}, entries FROM local_lists WHERE station_id = $1`, [stationId]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Writes the whole row (insert or update). */
  async save(r: LocalListRow, db: Pool | PoolClient = this.pool): Promise<void> {
    await db.query(
      `INSERT INTO local_lists (station_id, protocol, state, version, entries, entry_count, needs_full, failures, last_error, last_outcome, skipped,
         max_entries, items_per_message, bytes_per_message, limits_learned_at, requested_full, last_attempt_at, last_sync_at, last_check_at, next_due_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17, $18, $19, $20, now())
       ON CONFLICT (station_id) DO UPDATE SET protocol = EXCLUDED.protocol, state = EXCLUDED.state, version = EXCLUDED.version,
         entries = EXCLUDED.entries, entry_count = EXCLUDED.entry_count, needs_full = EXCLUDED.needs_full, failures = EXCLUDED.failures,
         last_error = EXCLUDED.last_error, last_outcome = EXCLUDED.last_outcome, skipped = EXCLUDED.skipped, max_entries = EXCLUDED.max_entries,
         items_per_message = EXCLUDED.items_per_message, bytes_per_message = EXCLUDED.bytes_per_message,
         limits_learned_at = EXCLUDED.limits_learned_at, -- A request that came in during this sync keeps its Full.
         requested_full = CASE WHEN local_lists.requested_at > EXCLUDED.last_attempt_at THEN local_lists.requested_full ELSE EXCLUDED.requested_full END,
         last_attempt_at = EXCLUDED.last_attempt_at, last_sync_at = EXCLUDED.last_sync_at, last_check_at = EXCLUDED.last_check_at,
         next_due_at = EXCLUDED.next_due_at, updated_at = now()`,
      [
        r.stationId,
        r.protocol ?? null,
        r.state,
        r.version ?? null,
        JSON.stringify(r.entries),
        r.entries.length,
        r.needsFull,
        r.failures,
        r.lastError?.slice(0, 1000) ?? null,
        r.lastOutcome ?? null,
        JSON.stringify(r.skipped),
        r.limits.maxEntries ?? null,
        r.limits.itemsPerMessage ?? null,
        r.limits.bytesPerMessage ?? null,
        date(r.limitsLearnedAt),
        r.requestedFull,
        date(r.lastAttemptAt),
        date(r.lastSyncAt),
        date(r.lastCheckAt),
        date(r.nextDueAt),
      ],
    );
  }

  /**
   * Records that stations should be synced (a token change, a boot, an operator): they become pending
   * unless unsupported (a boot or an operator's Full asks those again), and `requested_at` moves, so a
   * sync already running sees it at its end and runs again.
   */
  async request(stationIds: string[], opts: { full?: boolean; at?: number; evenUnsupported?: boolean } = {}): Promise<void> {
    if (!stationIds.length) return;
    await this.pool.query(
      `INSERT INTO local_lists (station_id, requested_at, requested_full)
       SELECT s, $2, $3 FROM unnest($1::text[]) s
       ON CONFLICT (station_id) DO UPDATE SET requested_at = EXCLUDED.requested_at,
         requested_full = local_lists.requested_full OR EXCLUDED.requested_full,
         state = CASE WHEN local_lists.state = 'unsupported' AND NOT $4 THEN 'unsupported' ELSE 'pending' END,
         limits_learned_at = CASE WHEN $4 THEN NULL ELSE local_lists.limits_learned_at END,
         updated_at = now()`,
      [stationIds, new Date(opts.at ?? Date.now()).toISOString(), opts.full ?? false, opts.evenUnsupported ?? false],
    );
  }

  /** Stations whose stored list names one of these registry tokens. */
  async stationsHolding(tokenIds: string[]): Promise<string[]> {
    if (!tokenIds.length) return [];
    const { rows } = await this.pool.query<{ station_id: string }>(
      `SELECT station_id FROM local_lists WHERE entries @> ANY (SELECT jsonb_build_array(jsonb_build_object('tokenId', t)) FROM unnest($1::text[]) t)`,
      [tokenIds],
    );
    return rows.map((r) => r.station_id);
  }

  /** Every row without its entries (the scan's view). */
  async summaries(): Promise<LocalListRow[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${SUMMARY} FROM local_lists ORDER BY station_id`);
    return rows.map(toRow);
  }

  async list(q: LocalListQuery = {}): Promise<{ total: number; items: LocalListRow[] }> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const { rows } = await this.pool.query<Row & { total: string }>(
      `SELECT ${SUMMARY}, count(*) OVER () AS total FROM local_lists WHERE ($1::text IS NULL OR state = $1) ORDER BY station_id LIMIT ${limit} OFFSET ${Math.max(q.offset ?? 0, 0)}`,
      [q.state ?? null],
    );
    return { total: rows[0] ? Number(rows[0].total) : 0, items: rows.map(toRow) };
  }

  async countByState(): Promise<Record<LocalListState, number>> {
    const { rows } = await this.pool.query<{ state: LocalListState; n: string }>('SELECT state, count(*) AS n FROM local_lists GROUP BY state');
    const out: Record<LocalListState, number> = { in_sync: 0, pending: 0, failed: 0, unsupported: 0 };
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }

  /** Runs `fn` holding the station's sync lock; undefined (fn not run) when another sync holds it. */
  async withStationLock<T>(stationId: string, fn: () => Promise<T>): Promise<T | undefined> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('chargewatch:local-list'), hashtext($1)) AS ok`, [stationId]);
      locked = rows[0]!.ok;
      if (!locked) return undefined;
      return await fn();
    } finally {
      if (locked) await client.query(`SELECT pg_advisory_unlock(hashtext('chargewatch:local-list'), hashtext($1))`, [stationId]).catch(() => undefined);
      client.release();
    }
  }
}
