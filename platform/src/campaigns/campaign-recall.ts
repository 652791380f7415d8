/**
 * Calling back a cancelled campaign's updates where OCPP allows it. OCPP has no message that cancels
 * an update; a station that runs 1.6 SignedUpdateFirmware or 2.0.1 cancels a pending update when it
 * receives a new one (AcceptedCanceled). So the recall sends each such station, while its update has
 * not started installing, a new update to the release of the version it runs now: the pending one is
 * cancelled and the station stays on its version. The campaign's update ends `superseded`; the new one
 * is an ordinary update with its own record. A 1.6 core UpdateFirmware cannot be called back (its
 * answer has no status), nor an install under way; those are reported, not touched.
 */
import type { Actor } from '@chargewatch/model';
import type { FirmwareServiceDeps } from '../firmware/firmware-command';
import { startFirmwareUpdate } from '../firmware/start-firmware-update';
import type { CampaignStationRow } from './campaign-store';

export interface RecallResult {
  stationId: string;
  outcome: 'recalled' | 'not_possible';
  reason?: string;
  /** The new update that cancels the campaign's one. */
  updateId?: string;
}

const INSTALLING = new Set(['installing', 'installed']);

export async function recallCampaignUpdates(deps: FirmwareServiceDeps, rows: CampaignStationRow[], actor: Actor): Promise<RecallResult[]> {
  const out: RecallResult[] = [];
  for (const row of rows) {
    if (row.state !== 'updating' || !row.updateId) continue;
    const u = await deps.updates.get(row.updateId);
    if (!u || u.finishedAt !== undefined) continue;
    const no = (reason: string) => out.push({ stationId: row.stationId, outcome: 'not_possible', reason });
    if (INSTALLING.has(u.state)) {
      no('the station is installing already');
      continue;
    }
    if (u.protocol !== 'ocpp2.0.1' && u.form !== 'signed') {
      no('a 1.6 UpdateFirmware cannot be called back');
      continue;
    }
    const station = await deps.stations.get(row.stationId);
    const { items } = station?.vendor && station.model ? await deps.catalogue.listReleases({ vendor: station.vendor, model: station.model, limit: 1000 }) : { items: [] };
    const current = u.fromVersion === undefined ? undefined : items.find((r) => r.version === u.fromVersion);
    if (!current) {
      no(`no catalogue release of the version it runs (${u.fromVersion ?? 'unknown'}) to send instead`);
      continue;
    }
    try {
      const next = await startFirmwareUpdate(deps, { stationId: row.stationId, releaseId: current.id, actor, supersede: true, force: true, waitMs: 0 });
      out.push({ stationId: row.stationId, outcome: 'recalled', updateId: next.id });
    } catch (err) {
      no((err as Error).message);
    }
  }
  return out;
}
