/**
 * One tick of one firmware campaign, under the campaign's lock: bring the campaign's stations up to
 * date with their updates, then ask the model's `nextCampaignStep` what to do and do it, a few steps in
 * a row (advance a wave, then send its first updates). Everything the tick knows it reads again each
 * time, from PostgreSQL (campaign, stations, updates) and Redis (online, charging, time zone), so a
 * tick after a worker crash simply continues.
 *
 * Sending is the one step with an effect outside the database. The update row is written with the
 * campaign's id before its command is submitted, with a command id derived from the update, so after a
 * crash at any point the next tick finds the update (`adopt`) instead of sending a second one.
 */
import { nextCampaignStep, systemActor, type CampaignSnapshot, type CampaignStationSnapshot, type CampaignStep } from '@chargewatch/model';
import type { AuditLog, CampaignRow, CampaignStore, Logger, StationStore } from '@chargewatch/platform';
import type { PoolClient } from 'pg';

export interface StartCampaignUpdate {
  (args: { stationId: string; releaseId: string; campaignId: string }): Promise<{ updateId: string }>;
}

export interface CampaignTickDeps {
  campaigns: CampaignStore;
  store: StationStore;
  startUpdate: StartCampaignUpdate;
  logger: Logger;
  /** Most updates sent by one tick (the rest go at the next one). */
  maxDispatchPerTick?: number;
  now?: () => number;
  /** Told of each step carried out (metrics). */
  onStep?: (step: CampaignStep['kind']) => void;
  /** Where the campaign's own transitions (pause, next wave, end) are audited, as the operator's are. */
  audit?: AuditLog;
}

export interface TickOutcome {
  campaignId: string;
  /** Steps carried out, in order; empty when another worker holds the campaign or it is not running. */
  steps: CampaignStep['kind'][];
}

const SYSTEM = 'system:firmware-campaign';
const MAX_STEPS = 4;

/** An audit entry for a transition the campaign made by itself; a failing audit store never stops a tick. */
async function audited(deps: CampaignTickDeps, id: string, action: string, details: Record<string, unknown>): Promise<void> {
  await deps.audit?.record({ at: new Date((deps.now ?? Date.now)()), actor: systemActor('firmware-campaign'), action: `firmware.campaign.${action}`, target: `campaign:${id}`, details, result: 'ok' }).catch((err: Error) => deps.logger.warn({ campaign: id, err: err.message }, 'firmware campaign: audit entry not written'));
}

/** Update rows of this campaign the stations table does not name yet (a tick that died after sending). */
async function adopt(db: PoolClient, id: string): Promise<void> {
  await db.query(
    `UPDATE firmware_campaign_stations cs SET state = 'updating', update_id = u.id, dispatched_at = u.requested_at, deferred_reason = NULL
       FROM firmware_updates u
      WHERE cs.campaign_id = $1 AND cs.update_id IS NULL AND u.campaign_id = cs.campaign_id AND u.station_id = cs.station_id`,
    [id],
  );
}

/** Stations whose update ended take its outcome: verified, or failed with the update's reason. */
async function refresh(db: PoolClient, id: string): Promise<void> {
  await db.query(
    `UPDATE firmware_campaign_stations cs
        SET state = CASE WHEN u.state = 'verified' THEN 'verified' ELSE 'failed' END,
            failure_reason = CASE WHEN u.state = 'verified' THEN NULL ELSE COALESCE(u.failure_reason, u.state) END,
            finished_at = u.finished_at
       FROM firmware_updates u
      WHERE cs.campaign_id = $1 AND cs.state = 'updating' AND u.id = cs.update_id AND u.finished_at IS NOT NULL`,
    [id],
  );
}

async function snapshot(deps: CampaignTickDeps, db: PoolClient, c: CampaignRow): Promise<CampaignSnapshot> {
  const rows = await deps.campaigns.stations(c.id, db);
  // Only stations that may be sent an update need their live state.
  const live = new Map((await deps.store.getMany(rows.filter((r) => r.state === 'pending' && r.wave === c.currentWave).map((r) => r.stationId))).map((s) => [s.id, s]));
  const stations: CampaignStationSnapshot[] = rows.map((r) => {
    const s = live.get(r.stationId);
    return {
      id: r.stationId,
      wave: r.wave,
      ...(r.site !== undefined ? { site: r.site } : {}),
      timeZone: s?.metadata.timeZone ?? 'UTC',
      state: r.state,
      ...(r.failureReason !== undefined ? { failureReason: r.failureReason } : {}),
      ...(r.dispatchedAt !== undefined ? { dispatchedAt: r.dispatchedAt.getTime() } : {}),
      online: s?.online ?? false,
      charging: (s?.transactions.length ?? 0) > 0,
    };
  });
  return { status: c.status, currentWave: c.currentWave, waveCount: c.waveCount, gateOverridden: c.gateOverridden, noReturnAcknowledged: c.noReturnAcknowledged, plan: c.plan, stations };
}

async function dispatch(deps: CampaignTickDeps, db: PoolClient, c: CampaignRow, step: Extract<CampaignStep, { kind: 'dispatch' }>): Promise<void> {
  for (const d of step.deferred) await db.query(`UPDATE firmware_campaign_stations SET deferred_reason = $3 WHERE campaign_id = $1 AND station_id = $2`, [c.id, d.id, d.reason]);
  const sent: string[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  const batch = step.stations.slice(0, deps.maxDispatchPerTick ?? 50);
  // A few at a time: each waits for its station's answer (the 1.6 form fallback needs it).
  for (let i = 0; i < batch.length; i += 10) {
    await Promise.all(
      batch.slice(i, i + 10).map(async (stationId) => {
        try {
          const { updateId } = await deps.startUpdate({ stationId, releaseId: c.releaseId, campaignId: c.id });
          await db.query(
            `UPDATE firmware_campaign_stations SET state = 'updating', update_id = $3, dispatched_at = now(), deferred_reason = NULL WHERE campaign_id = $1 AND station_id = $2 AND state = 'pending'`,
            [c.id, stationId, updateId],
          );
          sent.push(stationId);
        } catch (err) {
          // Left pending with the reason; the next tick tries again.
          failed.push({ id: stationId, error: (err as Error).message });
          await db.query(`UPDATE firmware_campaign_stations SET deferred_reason = $3 WHERE campaign_id = $1 AND station_id = $2`, [c.id, stationId, `start failed: ${(err as Error).message}`.slice(0, 300)]);
        }
      }),
    );
  }
  if (sent.length) await deps.campaigns.event(db, c.id, 'dispatched', SYSTEM, { wave: c.currentWave, stations: sent });
  if (failed.length) deps.logger.warn({ campaign: c.id, failed: failed.slice(0, 10) }, 'firmware campaign: some updates could not be started; retrying at the next tick');
}

export async function tickCampaign(deps: CampaignTickDeps, id: string): Promise<TickOutcome> {
  const now = deps.now ?? Date.now;
  const steps: CampaignStep['kind'][] = [];
  await deps.campaigns.withTickLock(id, async (db, first) => {
    if (first.status !== 'running') return;
    await adopt(db, id);
    await refresh(db, id);
    let c = first;
    for (let i = 0; i < MAX_STEPS; i++) {
      const step = nextCampaignStep(await snapshot(deps, db, c), now());
      if (step.kind === 'idle') break;
      steps.push(step.kind);
      deps.onStep?.(step.kind);
      if (step.kind === 'pause') {
        c = await deps.campaigns.transitionIn(db, id, SYSTEM, 'paused', ['running'], { pause_reason: step.reason, pause_detail: step.detail });
        deps.logger.warn({ campaign: id, reason: step.reason, detail: step.detail }, 'firmware campaign paused itself');
        await audited(deps, id, 'paused', { reason: step.reason, detail: step.detail });
        break;
      }
      if (step.kind === 'complete') {
        c = await deps.campaigns.transitionIn(db, id, SYSTEM, 'completed', ['running'], { finished_at: new Date(now()) });
        deps.logger.info({ campaign: id }, 'firmware campaign completed');
        await audited(deps, id, 'completed', { gate: step.gate });
        break;
      }
      if (step.kind === 'advance') {
        const { rows } = await db.query(`UPDATE firmware_campaigns SET current_wave = $2, gate_overridden = false, updated_at = now() WHERE id = $1 RETURNING current_wave`, [id, step.toWave]);
        await deps.campaigns.event(db, id, 'wave_started', SYSTEM, { wave: rows[0].current_wave, gate: step.gate });
        c = { ...c, currentWave: step.toWave, gateOverridden: false };
        await audited(deps, id, 'wave_started', { wave: step.toWave, gate: step.gate });
        continue;
      }
      await dispatch(deps, db, c, step);
      break;
    }
  });
  return { campaignId: id, steps };
}
