/**
 * Station firmware updates in PostgreSQL (migration 0003): the update rows with their timelines, at
 * most one open per station (a partial unique index), and what stations taught us — the update form
 * each takes and the versions it booted — plus maintenance periods. Writers that move an update lock
 * its row (`lockOpen`, `lock`) inside `transaction`, so the tracker, the update service and the timeout
 * job never overwrite each other's step.
 */
import type { Pool, PoolClient } from 'pg';
import {
  DEFAULT_VERSION_MATCH,
  type FirmwareFailureReason,
  type FirmwareForm,
  type FirmwareStage,
  type FirmwareTimelineEntry,
  type FirmwareUpdateProgress,
  type FirmwareUpdateState,
  type FirmwareVersionMatch,
} from '@chargewatch/model';
import { parseId } from './firmware-catalogue';
import { FirmwareHistory } from './firmware-history';

export interface FirmwareUpdateRecord extends FirmwareUpdateProgress {
  id: string;
  stationId: string;
  releaseId: string;
  /** The release's version and match rule (joined from the catalogue). */
  targetVersion: string;
  versionMatch: FirmwareVersionMatch;
  campaignId?: string;
  commandId?: string;
  protocol?: string;
  form: FirmwareForm;
  fromVersion?: string;
  requestedBy: string;
  timeline: FirmwareTimelineEntry[];
  /** The journal event key last applied (eventKey). */
  lastEvent?: string;
}

export type NewFirmwareUpdate = Omit<FirmwareUpdateRecord, 'id' | 'targetVersion' | 'versionMatch'>;

/** A second open update for a station; `openId` is the one already open. */
export class OpenFirmwareUpdateError extends Error {
  constructor(
    readonly stationId: string,
    readonly openId: string | undefined,
  ) {
    super(`station ${JSON.stringify(stationId)} has an open firmware update${openId ? ` (${openId})` : ''}; cancel it, wait for it, or supersede it`);
    this.name = 'OpenFirmwareUpdateError';
  }
}

interface UpdateRow {
  id: string;
  station_id: string;
  release_id: string;
  version: string;
  version_match: FirmwareVersionMatch | null;
  campaign_id: string | null;
  command_id: string | null;
  request_id: number | null;
  protocol: string | null;
  form: FirmwareForm;
  state: FirmwareUpdateState;
  failure_reason: FirmwareFailureReason | null;
  from_version: string | null;
  reported_version: string | null;
  requested_at: Date;
  requested_by: string;
  retrieve_at: Date | null;
  install_at: Date | null;
  stage: FirmwareStage | null;
  stage_at: Date;
  finished_at: Date | null;
  timeline: FirmwareTimelineEntry[];
  last_event: string | null;
}

const COLUMNS = `u.id::text, u.station_id, u.release_id::text, r.version, r.version_match, u.campaign_id::text, u.command_id, u.request_id,
  u.protocol, u.form, u.state, u.failure_reason, u.from_version, u.reported_version, u.requested_at, u.requested_by, u.retrieve_at,
  u.install_at, u.stage, u.stage_at, u.finished_at, u.timeline, u.last_event`;
const FROM = 'firmware_updates u JOIN firmware_releases r ON r.id = u.release_id';

const ms = (d: Date | null) => (d === null ? undefined : d.getTime());
const date = (n: number | undefined) => (n === undefined ? null : new Date(n));

function toRecord(r: UpdateRow): FirmwareUpdateRecord {
  const out: FirmwareUpdateRecord = {
    id: r.id,
    stationId: r.station_id,
    releaseId: r.release_id,
    targetVersion: r.version,
    versionMatch: r.version_match ?? DEFAULT_VERSION_MATCH,
    form: r.form,
    state: r.state,
    requestedAt: r.requested_at.getTime(),
    requestedBy: r.requested_by,
    stageAt: r.stage_at.getTime(),
    timeline: r.timeline ?? [],
  };
  const opt = <K extends keyof FirmwareUpdateRecord>(k: K, v: FirmwareUpdateRecord[K] | null | undefined) => {
    if (v !== null && v !== undefined) out[k] = v;
  };
  opt('campaignId', r.campaign_id);
  opt('commandId', r.command_id);
  opt('requestId', r.request_id);
  opt('protocol', r.protocol);
  opt('failureReason', r.failure_reason);
  opt('fromVersion', r.from_version);
  opt('reportedVersion', r.reported_version);
  opt('retrieveAt', ms(r.retrieve_at));
  opt('installAt', ms(r.install_at));
  opt('stage', r.stage);
  opt('finishedAt', ms(r.finished_at));
  opt('lastEvent', r.last_event);
  return out;
}

type Queryable = Pick<Pool | PoolClient, 'query'>;

export class FirmwareUpdates {
  /** Version history and maintenance periods. */
  readonly history: FirmwareHistory;

  constructor(readonly pool: Pool) {
    this.history = new FirmwareHistory(pool);
  }

  /** Runs `fn` in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
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

  /** Stores a new update; OpenFirmwareUpdateError when the station has an open one. */
  async insert(u: NewFirmwareUpdate, db: Queryable = this.pool): Promise<FirmwareUpdateRecord> {
    try {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO firmware_updates (station_id, release_id, campaign_id, command_id, request_id, protocol, form, state, failure_reason,
           from_version, reported_version, requested_at, requested_by, retrieve_at, install_at, stage, stage_at, finished_at, timeline, last_event)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id::text`,
        [
          u.stationId,
          u.releaseId,
          u.campaignId ?? null,
          u.commandId ?? null,
          u.requestId ?? null,
          u.protocol ?? null,
          u.form,
          u.state,
          u.failureReason ?? null,
          u.fromVersion ?? null,
          u.reportedVersion ?? null,
          new Date(u.requestedAt),
          u.requestedBy,
          date(u.retrieveAt),
          date(u.installAt),
          u.stage ?? null,
          new Date(u.stageAt),
          date(u.finishedAt),
          JSON.stringify(u.timeline),
          u.lastEvent ?? null,
        ],
      );
      return (await this.get(rows[0]!.id, db))!;
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).code === '23505') {
        throw new OpenFirmwareUpdateError(u.stationId, (await this.openForStation(u.stationId).catch(() => undefined))?.id);
      }
      throw err;
    }
  }

  /** Writes what moves: state, stage, versions, command, request id, form, timeline, last event. */
  async save(u: FirmwareUpdateRecord, db: Queryable): Promise<void> {
    await db.query(
      `UPDATE firmware_updates SET state = $2, failure_reason = $3, stage = $4, stage_at = $5, finished_at = $6, reported_version = $7,
         command_id = $8, request_id = $9, form = $10, timeline = $11, last_event = $12
       WHERE id = $1`,
      [
        u.id,
        u.state,
        u.failureReason ?? null,
        u.stage ?? null,
        new Date(u.stageAt),
        date(u.finishedAt),
        u.reportedVersion ?? null,
        u.commandId ?? null,
        u.requestId ?? null,
        u.form,
        JSON.stringify(u.timeline),
        u.lastEvent ?? null,
      ],
    );
  }

  /** Names the update's command, touching nothing else (the tracker may have moved the update meanwhile). */
  async setCommand(id: string, commandId: string): Promise<void> {
    await this.pool.query('UPDATE firmware_updates SET command_id = $2 WHERE id = $1', [id, commandId]);
  }

  async get(id: string, db: Queryable = this.pool): Promise<FirmwareUpdateRecord | undefined> {
    if (!parseId(id)) return undefined;
    const { rows } = await db.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The update, its row locked until the transaction of `c` ends. */
  async lock(c: PoolClient, id: string): Promise<FirmwareUpdateRecord | undefined> {
    if (!parseId(id)) return undefined;
    const { rows } = await c.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.id = $1 FOR UPDATE OF u`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The station's open update, its row locked until the transaction of `c` ends. */
  async lockOpen(c: PoolClient, stationId: string): Promise<FirmwareUpdateRecord | undefined> {
    const { rows } = await c.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.station_id = $1 AND u.finished_at IS NULL FOR UPDATE OF u`, [stationId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async openForStation(stationId: string): Promise<FirmwareUpdateRecord | undefined> {
    const { rows } = await this.pool.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.station_id = $1 AND u.finished_at IS NULL`, [stationId]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Which of `stationIds` have an open update (one query for a journal batch). */
  async stationsWithOpenUpdates(stationIds: string[]): Promise<Set<string>> {
    if (stationIds.length === 0) return new Set();
    const { rows } = await this.pool.query<{ station_id: string }>('SELECT station_id FROM firmware_updates WHERE finished_at IS NULL AND station_id = ANY($1)', [stationIds]);
    return new Set(rows.map((r) => r.station_id));
  }

  /** A station's updates, newest first. */
  async listForStation(stationId: string, limit = 20): Promise<FirmwareUpdateRecord[]> {
    const { rows } = await this.pool.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.station_id = $1 ORDER BY u.requested_at DESC, u.id DESC LIMIT $2`, [
      stationId,
      Math.min(Math.max(1, limit), 200),
    ]);
    return rows.map(toRecord);
  }

  /** A campaign's updates, oldest first. */
  async listForCampaign(campaignId: string): Promise<FirmwareUpdateRecord[]> {
    if (!parseId(campaignId)) return [];
    const { rows } = await this.pool.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.campaign_id = $1 ORDER BY u.id`, [campaignId]);
    return rows.map(toRecord);
  }

  /** Open updates, the longest in their stage first. */
  async listOpen(limit = 1000): Promise<FirmwareUpdateRecord[]> {
    const { rows } = await this.pool.query<UpdateRow>(`SELECT ${COLUMNS} FROM ${FROM} WHERE u.finished_at IS NULL ORDER BY u.stage_at LIMIT $1`, [limit]);
    return rows.map(toRecord);
  }

  async getForm(stationId: string): Promise<FirmwareForm | undefined> {
    const { rows } = await this.pool.query<{ form: FirmwareForm }>('SELECT form FROM station_firmware_forms WHERE station_id = $1', [stationId]);
    return rows[0]?.form;
  }

  async rememberForm(stationId: string, form: FirmwareForm, at: number, reason: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO station_firmware_forms (station_id, form, learned_at, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (station_id) DO UPDATE SET form = EXCLUDED.form, learned_at = EXCLUDED.learned_at, reason = EXCLUDED.reason`,
      [stationId, form, new Date(at), reason.slice(0, 500)],
    );
  }

  /** Finished updates by result (`verified`, `cancelled`, or the failure reason), for the metrics. */
  async countByResult(): Promise<Array<{ result: string; count: number }>> {
    const { rows } = await this.pool.query<{ result: string; n: string }>(
      `SELECT coalesce(failure_reason, state) AS result, count(*) AS n FROM firmware_updates WHERE finished_at IS NOT NULL GROUP BY 1`,
    );
    return rows.map((r) => ({ result: r.result, count: Number(r.n) }));
  }

  /** Open updates by state, for the metrics. */
  async countOpenByState(): Promise<Array<{ state: FirmwareUpdateState; count: number }>> {
    const { rows } = await this.pool.query<{ state: FirmwareUpdateState; n: string }>('SELECT state, count(*) AS n FROM firmware_updates WHERE finished_at IS NULL GROUP BY 1');
    return rows.map((r) => ({ state: r.state, count: Number(r.n) }));
  }
}
