/**
 * What happened to stations around firmware, in PostgreSQL (migration 0003): the versions each booted
 * (a row only when the version changed) and maintenance periods (a station out of service for an
 * update; uptime reports exclude them). Both writes are idempotent, so a replayed journal entry adds
 * nothing: a boot is keyed by station and time, a period opens only when none is open for the station,
 * and a boot closes only a period that began before it.
 */
import type { Pool, PoolClient } from 'pg';

type Queryable = Pick<Pool | PoolClient, 'query'>;

export interface FirmwareVersionRow {
  version: string;
  vendor: string;
  model: string;
  bootedAt: Date;
}

export interface MaintenancePeriod {
  id: string;
  stationId: string;
  startedAt: Date;
  /** Absent while the station is still down. */
  endedAt?: Date;
  reason: string;
  updateId?: string;
  campaignId?: string;
}

export interface MaintenanceQuery {
  /** Periods that overlap [from, to). */
  from?: Date;
  to?: Date;
  stationId?: string;
  limit?: number;
  offset?: number;
}

export class FirmwareHistory {
  constructor(private readonly pool: Pool) {}

  /** Records a boot's version when it differs from the version the station booted with before it. */
  async recordBoot(b: { stationId: string; vendor: string; model: string; version: string; at: number }, db: Queryable = this.pool): Promise<boolean> {
    const res = await db.query(
      `INSERT INTO station_firmware_versions (station_id, vendor, model, version, booted_at)
       SELECT $1, $2, $3, $4, $5
       WHERE NOT EXISTS (
         SELECT 1 FROM (SELECT version FROM station_firmware_versions WHERE station_id = $1 AND booted_at < $5 ORDER BY booted_at DESC LIMIT 1) prev
         WHERE prev.version = $4)
       ON CONFLICT (station_id, booted_at) DO NOTHING`,
      [b.stationId, b.vendor.slice(0, 50), b.model.slice(0, 50), b.version.slice(0, 50), new Date(b.at)],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** The station's versions, newest first. */
  async versions(stationId: string, limit = 50): Promise<FirmwareVersionRow[]> {
    const { rows } = await this.pool.query<{ version: string; vendor: string; model: string; booted_at: Date }>(
      'SELECT version, vendor, model, booted_at FROM station_firmware_versions WHERE station_id = $1 ORDER BY booted_at DESC LIMIT $2',
      [stationId, Math.min(Math.max(1, limit), 500)],
    );
    return rows.map((r) => ({ version: r.version, vendor: r.vendor, model: r.model, bootedAt: r.booted_at }));
  }

  /** Opens a period unless one is open for the station; true when this call opened it. */
  async openMaintenance(p: { stationId: string; at: number; reason: string; updateId?: string; campaignId?: string }, db: Queryable = this.pool): Promise<boolean> {
    const res = await db.query(
      `INSERT INTO maintenance_periods (station_id, started_at, reason, update_id, campaign_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (station_id) WHERE ended_at IS NULL DO NOTHING`,
      [p.stationId, new Date(p.at), p.reason, p.updateId ?? null, p.campaignId ?? null],
    );
    return (res.rowCount ?? 0) > 0;
  }

  /** Ends the station's open period at `at` (a boot), if it began before; true when one closed. */
  async closeMaintenance(stationId: string, at: number, db: Queryable = this.pool): Promise<boolean> {
    const res = await db.query('UPDATE maintenance_periods SET ended_at = $2 WHERE station_id = $1 AND ended_at IS NULL AND started_at <= $2', [stationId, new Date(at)]);
    return (res.rowCount ?? 0) > 0;
  }

  /** Periods overlapping [from, to), newest first. */
  async listMaintenance(q: MaintenanceQuery): Promise<{ total: number; items: MaintenancePeriod[] }> {
    const params: unknown[] = [];
    const parts: string[] = [];
    if (q.to !== undefined) parts.push(`started_at < $${params.push(q.to)}`);
    if (q.from !== undefined) parts.push(`(ended_at IS NULL OR ended_at > $${params.push(q.from)})`);
    if (q.stationId !== undefined) parts.push(`station_id = $${params.push(q.stationId)}`);
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const offset = Math.max(0, q.offset ?? 0);
    const [count, rows] = await Promise.all([
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM maintenance_periods ${where}`, params),
      this.pool.query<{ id: string; station_id: string; started_at: Date; ended_at: Date | null; reason: string; update_id: string | null; campaign_id: string | null }>(
        `SELECT id::text, station_id, started_at, ended_at, reason, update_id::text, campaign_id::text FROM maintenance_periods ${where}
         ORDER BY started_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      ),
    ]);
    const items = rows.rows.map((r) => {
      const p: MaintenancePeriod = { id: r.id, stationId: r.station_id, startedAt: r.started_at, reason: r.reason };
      if (r.ended_at) p.endedAt = r.ended_at;
      if (r.update_id) p.updateId = r.update_id;
      if (r.campaign_id) p.campaignId = r.campaign_id;
      return p;
    });
    return { total: Number(count.rows[0]?.n ?? 0), items };
  }
}
