/**
 * Firmware campaigns in PostgreSQL (migration 0004): the campaign row the worker's tick resumes from,
 * its stations as planned at creation, and the event rows that tell its story. The API creates,
 * pauses, resumes and cancels through this module; the worker's tick reads and advances through it.
 * Every write that changes a campaign's course appends an event naming who did it.
 */
import type { Pool, PoolClient } from 'pg';
import type { CampaignCohort, CampaignPauseReason, CampaignPlan, CampaignStationState, CampaignStatus } from '@chargewatch/model';

export interface CampaignRow {
  id: string;
  name: string;
  releaseId: string;
  cohort: CampaignCohort;
  plan: CampaignPlan;
  status: CampaignStatus;
  pauseReason?: CampaignPauseReason;
  pauseDetail?: string;
  currentWave: number;
  waveCount: number;
  gateOverridden: boolean;
  noReturnAcknowledged: number;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  finishedAt?: Date;
}

export interface CampaignStationRow {
  stationId: string;
  wave: number;
  site?: string;
  state: CampaignStationState;
  deferredReason?: string;
  updateId?: string;
  dispatchedAt?: Date;
  finishedAt?: Date;
  failureReason?: string;
}

export interface CampaignEventRow {
  id: string;
  at: Date;
  kind: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export interface NewCampaign {
  name: string;
  releaseId: string;
  cohort: CampaignCohort;
  plan: CampaignPlan;
  /** The planned waves: station ids with their site, canary first. */
  waves: Array<Array<{ id: string; site?: string }>>;
  actor: string;
  /** Stations the cohort matched but left out, and why (kept in the creation event). */
  skipped?: Array<{ id: string; reason: string }>;
}

/** Campaign ids as text (bigint); anything else is refused before it reaches a query. */
export const isCampaignId = (id: string) => /^[1-9]\d{0,17}$/.test(id);

const campaignFrom = (r: Record<string, any>): CampaignRow => ({
  id: String(r.id),
  name: r.name,
  releaseId: String(r.release_id),
  cohort: r.cohort,
  plan: r.plan,
  status: r.status,
  ...(r.pause_reason ? { pauseReason: r.pause_reason } : {}),
  ...(r.pause_detail ? { pauseDetail: r.pause_detail } : {}),
  currentWave: r.current_wave,
  waveCount: r.wave_count,
  gateOverridden: r.gate_overridden,
  noReturnAcknowledged: r.no_return_acknowledged,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
});

const stationFrom = (r: Record<string, any>): CampaignStationRow => ({
  stationId: r.station_id,
  wave: r.wave,
  ...(r.site !== null ? { site: r.site } : {}),
  state: r.state,
  ...(r.deferred_reason ? { deferredReason: r.deferred_reason } : {}),
  ...(r.update_id !== null ? { updateId: String(r.update_id) } : {}),
  ...(r.dispatched_at ? { dispatchedAt: r.dispatched_at } : {}),
  ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
  ...(r.failure_reason ? { failureReason: r.failure_reason } : {}),
});

export class CampaignNotFoundError extends Error {
  constructor(id: string) {
    super(`no campaign ${JSON.stringify(id)}`);
    this.name = 'CampaignNotFoundError';
  }
}

/** The campaign is not in a state that allows the transition (resume a running one, …). */
export class CampaignTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignTransitionError';
  }
}

export class CampaignStore {
  constructor(private readonly pool: Pool) {}

  async create(c: NewCampaign): Promise<CampaignRow> {
    return this.inTransaction(async (db) => {
      const { rows } = await db.query(
        `INSERT INTO firmware_campaigns (name, release_id, cohort, plan, status, wave_count, created_by)
         VALUES ($1, $2, $3, $4, 'running', $5, $6) RETURNING *`,
        [c.name, c.releaseId, JSON.stringify(c.cohort), JSON.stringify(c.plan), c.waves.length, c.actor],
      );
      const id = String(rows[0].id);
      const flat = c.waves.flatMap((w, wave) => w.map((s) => ({ ...s, wave })));
      if (flat.length) {
        await db.query(
          `INSERT INTO firmware_campaign_stations (campaign_id, station_id, wave, site, state)
           SELECT $1, s, w, NULLIF(site, ''), 'pending' FROM unnest($2::text[], $3::int[], $4::text[]) AS t(s, w, site)`,
          [id, flat.map((s) => s.id), flat.map((s) => s.wave), flat.map((s) => s.site ?? '')],
        );
      }
      const sizes = c.waves.map((w) => w.length);
      await this.event(db, id, 'created', c.actor, { stations: flat.length, waves: sizes, skipped: c.skipped?.length ?? 0, skippedSample: c.skipped?.slice(0, 50) });
      return campaignFrom(rows[0]);
    });
  }

  async get(id: string): Promise<CampaignRow | undefined> {
    if (!isCampaignId(id)) return undefined;
    const { rows } = await this.pool.query('SELECT * FROM firmware_campaigns WHERE id = $1', [id]);
    return rows[0] ? campaignFrom(rows[0]) : undefined;
  }

  async list(q: { status?: CampaignStatus; limit: number; offset: number }): Promise<{ total: number; items: CampaignRow[] }> {
    const params: unknown[] = [q.status ?? null];
    const where = 'WHERE ($1::text IS NULL OR status = $1)';
    const [count, page] = await Promise.all([
      this.pool.query(`SELECT count(*)::int AS n FROM firmware_campaigns ${where}`, params),
      this.pool.query(`SELECT * FROM firmware_campaigns ${where} ORDER BY id DESC LIMIT $2 OFFSET $3`, [...params, q.limit, q.offset]),
    ]);
    return { total: count.rows[0].n, items: page.rows.map(campaignFrom) };
  }

  async runningIds(): Promise<string[]> {
    const { rows } = await this.pool.query(`SELECT id FROM firmware_campaigns WHERE status = 'running' ORDER BY id`);
    return rows.map((r) => String(r.id));
  }

  async stations(id: string, db: Pool | PoolClient = this.pool): Promise<CampaignStationRow[]> {
    const { rows } = await db.query('SELECT * FROM firmware_campaign_stations WHERE campaign_id = $1 ORDER BY wave, station_id', [id]);
    return rows.map(stationFrom);
  }

  async events(id: string, limit = 500): Promise<CampaignEventRow[]> {
    const { rows } = await this.pool.query('SELECT * FROM firmware_campaign_events WHERE campaign_id = $1 ORDER BY id LIMIT $2', [id, limit]);
    return rows.map((r) => ({ id: String(r.id), at: r.at, kind: r.kind, actor: r.actor, ...(r.detail ? { detail: r.detail } : {}) }));
  }

  /** An operator's pause of a running campaign: nothing more is sent; updates in flight go on. */
  async pause(id: string, actor: string): Promise<CampaignRow> {
    return this.transition(id, actor, 'paused', ['running'], { pause_reason: 'operator', pause_detail: `paused by ${actor}` });
  }

  /**
   * Resumes a paused campaign. After a pause the campaign took by itself (a failed gate, a station that
   * did not come back) the operator has looked at the current wave: its gate counts as passed and the
   * stations that did not come back so far count as seen, so the same finding does not pause it again
   * at once. Failures of later waves are judged afresh.
   */
  async resume(id: string, actor: string): Promise<CampaignRow> {
    return this.inTransaction(async (db) => {
      const c = await this.lockRow(db, id);
      if (c.status !== 'paused') throw new CampaignTransitionError(`campaign ${id} is ${c.status}; only a paused campaign can be resumed`);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM firmware_campaign_stations WHERE campaign_id = $1 AND state = 'failed' AND failure_reason = 'no_return'`, [id]);
      const updated = await db.query(
        `UPDATE firmware_campaigns SET status = 'running', pause_reason = NULL, pause_detail = NULL, updated_at = now(),
           gate_overridden = gate_overridden OR $2, no_return_acknowledged = $3 WHERE id = $1 RETURNING *`,
        [id, c.pauseReason === 'gate_failed' || c.pauseReason === 'no_return', rows[0].n],
      );
      await this.event(db, id, 'resumed', actor, { after: c.pauseReason, detail: c.pauseDetail, gateOverridden: c.pauseReason === 'gate_failed' || c.pauseReason === 'no_return' });
      return campaignFrom(updated.rows[0]);
    });
  }

  /** Cancels a running or paused campaign: stations not yet sent their update are dropped. */
  async cancel(id: string, actor: string): Promise<CampaignRow> {
    return this.inTransaction(async (db) => {
      const row = await this.transitionIn(db, id, actor, 'cancelled', ['running', 'paused'], { finished_at: new Date() });
      await db.query(`UPDATE firmware_campaign_stations SET state = 'cancelled', deferred_reason = NULL WHERE campaign_id = $1 AND state = 'pending'`, [id]);
      return row;
    });
  }

  /**
   * Runs `fn` holding the campaign's tick lock (a transaction-scoped advisory lock), or returns
   * undefined when another worker holds it: two ticks of one campaign never interleave.
   */
  async withTickLock<T>(id: string, fn: (db: PoolClient, campaign: CampaignRow) => Promise<T>): Promise<T | undefined> {
    return this.inTransaction(async (db) => {
      const { rows } = await db.query('SELECT pg_try_advisory_xact_lock(7301, $1::int) AS ok', [Number(id) % 2_147_483_647]);
      if (!rows[0].ok) return undefined;
      const c = await this.lockRow(db, id);
      return fn(db, c);
    });
  }

  async event(db: Pool | PoolClient, id: string, kind: string, actor: string, detail?: Record<string, unknown>): Promise<void> {
    await db.query('INSERT INTO firmware_campaign_events (campaign_id, kind, actor, detail) VALUES ($1, $2, $3, $4)', [id, kind, actor, detail ? JSON.stringify(detail) : null]);
  }

  private async transition(id: string, actor: string, to: CampaignStatus, from: CampaignStatus[], set: Record<string, unknown> = {}): Promise<CampaignRow> {
    return this.inTransaction((db) => this.transitionIn(db, id, actor, to, from, set));
  }

  async transitionIn(db: PoolClient, id: string, actor: string, to: CampaignStatus, from: CampaignStatus[], set: Record<string, unknown> = {}): Promise<CampaignRow> {
    const c = await this.lockRow(db, id);
    if (!from.includes(c.status)) throw new CampaignTransitionError(`campaign ${id} is ${c.status}; it cannot become ${to}`);
    const cols = Object.keys(set);
    const { rows } = await db.query(
      `UPDATE firmware_campaigns SET status = $2, updated_at = now()${cols.map((k, i) => `, ${k} = $${i + 3}`).join('')} WHERE id = $1 RETURNING *`,
      [id, to, ...cols.map((k) => set[k])],
    );
    await this.event(db, id, to, actor, { from: c.status, ...(set.pause_reason ? { reason: set.pause_reason, detail: set.pause_detail } : {}) });
    return campaignFrom(rows[0]);
  }

  private async lockRow(db: PoolClient, id: string): Promise<CampaignRow> {
    if (!isCampaignId(id)) throw new CampaignNotFoundError(id);
    // NO KEY UPDATE: update rows that name the campaign (their foreign key takes KEY SHARE) may still be
    // written by other connections while a tick holds it.
    const { rows } = await db.query('SELECT * FROM firmware_campaigns WHERE id = $1 FOR NO KEY UPDATE', [id]);
    if (!rows[0]) throw new CampaignNotFoundError(id);
    return campaignFrom(rows[0]);
  }

  async inTransaction<T>(fn: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await this.pool.connect();
    try {
      await db.query('BEGIN');
      const out = await fn(db);
      await db.query('COMMIT');
      return out;
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      db.release();
    }
  }
}
