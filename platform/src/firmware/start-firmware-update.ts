/**
 * Updating one station: the service the API and campaigns call. `startFirmwareUpdate` checks the
 * station and the release, records the update (at most one open per station: a second is refused
 * unless `supersede`, which ends the open one `superseded`), sends UpdateFirmware through the command
 * bus in the form the station takes (firmware-command.ts), waits a while for the answer and applies it,
 * and audits `firmware.update.start`. From then on the tracker (journal group `firmware`) moves the
 * update along from the station's statuses and boots, and the timeout job ends stalled ones.
 */
import { advanceFirmwareUpdate, appendTimeline, firmwareVersionMatches, type Actor } from '@chargewatch/model';
import { UnknownStationError } from '../commands/command-bus';
import { auditSafely, awaitCommand, chooseForm, requestIdFor, submitCommand, V16, type FirmwareServiceDeps } from './firmware-command';
import type { FirmwareUpdateRecord } from './firmware-updates';

export type { FirmwareServiceDeps } from './firmware-command';

export interface StartFirmwareUpdateRequest {
  stationId: string;
  releaseId: string;
  actor: Actor;
  campaignId?: string;
  /** Epoch ms the station should fetch the image from (default now). */
  retrieveAt?: number;
  /** Epoch ms to install at (1.6 signed, 2.0.1; a 1.6 plain update installs once downloaded). */
  installAt?: number;
  retries?: number;
  retryIntervalSec?: number;
  /** End the station's open update as `superseded` instead of refusing. Default false. */
  supersede?: boolean;
  /** Send even when the station already reports the release's version. Default false. */
  force?: boolean;
  /** How long to wait for the station's answer before returning (ms; default 35 s; 0: do not wait). */
  waitMs?: number;
  /** How long the command may wait for the station to be connected (ms; the bus default otherwise). */
  deadlineMs?: number;
}

export type FirmwareUpdateErrorCode = 'unknown_station' | 'not_booted' | 'unknown_release' | 'wrong_model' | 'already_on_version' | 'open_update';

export class FirmwareUpdateError extends Error {
  constructor(
    readonly code: FirmwareUpdateErrorCode,
    message: string,
    readonly openUpdateId?: string,
  ) {
    super(message);
    this.name = 'FirmwareUpdateError';
  }
}

export const DEFAULT_FIRMWARE_WAIT_MS = 35_000;

export async function startFirmwareUpdate(deps: FirmwareServiceDeps, req: StartFirmwareUpdateRequest): Promise<FirmwareUpdateRecord> {
  const now = (deps.now ?? Date.now)();
  const release = await deps.catalogue.getRelease(req.releaseId);
  if (!release) throw new FirmwareUpdateError('unknown_release', `no firmware release ${req.releaseId}`);
  const station = await deps.stations.get(req.stationId);
  if (!station) throw new FirmwareUpdateError('unknown_station', `no station ${JSON.stringify(req.stationId)} is registered`);
  if (!station.vendor || !station.model) throw new FirmwareUpdateError('not_booted', `station ${JSON.stringify(req.stationId)} has not booted: its vendor and model are unknown`);
  if (station.vendor !== release.vendor || station.model !== release.model) {
    throw new FirmwareUpdateError('wrong_model', `release ${release.id} is for ${release.vendor} ${release.model}; station ${req.stationId} is ${station.vendor} ${station.model}`);
  }
  if (!req.force && firmwareVersionMatches(station.firmwareVersion, release.version, release.versionMatch)) {
    throw new FirmwareUpdateError('already_on_version', `station ${req.stationId} already runs ${station.firmwareVersion} (release ${release.version})`);
  }
  const remembered = station.protocol === V16 ? await deps.updates.getForm(req.stationId) : undefined;
  const form = chooseForm(station.protocol, release, remembered);
  const notes = [`release ${release.version} by ${req.actor.name}, ${form} form${remembered ? ' (remembered for the station)' : ''}`];
  if (station.protocol === V16 && form === 'plain' && req.installAt !== undefined) notes.push('1.6 UpdateFirmware has no install time: the station installs once downloaded');

  const update = await deps.updates.transaction(async (c) => {
    if (req.supersede) {
      const open = await deps.updates.lockOpen(c, req.stationId);
      if (open) {
        const r = advanceFirmwareUpdate(open, { type: 'firmware.cancel', at: now, reason: 'superseded', note: `superseded by ${req.actor.name}` }, { targetVersion: open.targetVersion, versionMatch: open.versionMatch });
        if (r.changed) await deps.updates.save({ ...open, ...r.update, timeline: appendTimeline(open.timeline, r.entry) }, c);
      }
    }
    const inserted = await deps.updates.insert(
      {
        stationId: req.stationId,
        releaseId: release.id,
        ...(req.campaignId !== undefined ? { campaignId: req.campaignId } : {}),
        ...(station.protocol ? { protocol: station.protocol } : {}),
        form,
        state: 'requested',
        ...(station.firmwareVersion ? { fromVersion: station.firmwareVersion } : {}),
        requestedAt: now,
        requestedBy: req.actor.name,
        ...(req.retrieveAt !== undefined ? { retrieveAt: req.retrieveAt } : {}),
        ...(req.installAt !== undefined ? { installAt: req.installAt } : {}),
        stageAt: now,
        timeline: [{ at: now, event: 'requested', state: 'requested', note: notes.join('; ') }],
      },
      c,
    );
    const requestId = requestIdFor(inserted, form);
    const withId: FirmwareUpdateRecord = requestId === undefined ? inserted : { ...inserted, requestId };
    await deps.updates.save(withId, c);
    return withId;
  }).catch((err: unknown) => {
    if ((err as Error).name === 'OpenFirmwareUpdateError') {
      const openId = (err as { openId?: string }).openId;
      throw new FirmwareUpdateError('open_update', (err as Error).message, openId);
    }
    throw err;
  });

  let current = update;
  try {
    const cmd = await submitCommand(deps, update, release, form, req.actor, { deadlineMs: req.deadlineMs, retries: req.retries, retryIntervalSec: req.retryIntervalSec });
    await deps.updates.setCommand(update.id, cmd.id);
    current = { ...update, commandId: cmd.id };
  } catch (err) {
    // Not sent (queue full, the station vanished from the registry): the update ends here, with why.
    const reason = err instanceof UnknownStationError ? 'the station is no longer registered' : (err as Error).message;
    current = (await endUnsent(deps, update.id, reason)) ?? current;
  }
  if (current.commandId) current = await awaitCommand(deps, current, req.actor, req.waitMs ?? DEFAULT_FIRMWARE_WAIT_MS);
  await auditSafely(deps, {
    at: new Date(now),
    actor: req.actor,
    action: 'firmware.update.start',
    target: req.stationId,
    details: { updateId: current.id, releaseId: release.id, version: release.version, form: current.form, campaignId: req.campaignId, commandId: current.commandId, supersede: req.supersede ?? false },
    result: current.failureReason ? `failed:${current.failureReason}` : current.state,
    latencyMs: (deps.now ?? Date.now)() - now,
  });
  return current;
}

async function endUnsent(deps: FirmwareServiceDeps, updateId: string, reason: string): Promise<FirmwareUpdateRecord | undefined> {
  return deps.updates.transaction(async (c) => {
    const u = await deps.updates.lock(c, updateId);
    if (!u) return undefined;
    const r = advanceFirmwareUpdate(u, { type: 'firmware.command', at: (deps.now ?? Date.now)(), outcome: 'offline', reason }, { targetVersion: u.targetVersion, versionMatch: u.versionMatch });
    if (!r.changed) return u;
    const next = { ...u, ...r.update, timeline: appendTimeline(u.timeline, r.entry) };
    await deps.updates.save(next, c);
    return next;
  });
}

/** Ends an open update as `cancelled` (our record only: OCPP cannot call an update back). Audited. */
export async function cancelFirmwareUpdate(deps: FirmwareServiceDeps, req: { updateId: string; actor: Actor; note?: string }): Promise<FirmwareUpdateRecord | undefined> {
  const at = (deps.now ?? Date.now)();
  const out = await deps.updates.transaction(async (c) => {
    const u = await deps.updates.lock(c, req.updateId);
    if (!u) return undefined;
    const r = advanceFirmwareUpdate(u, { type: 'firmware.cancel', at, reason: 'cancelled', note: req.note ?? `cancelled by ${req.actor.name}` }, { targetVersion: u.targetVersion, versionMatch: u.versionMatch });
    if (!r.changed) return u;
    const next = { ...u, ...r.update, timeline: appendTimeline(u.timeline, r.entry) };
    await deps.updates.save(next, c);
    return next;
  });
  if (out) await auditSafely(deps, { at: new Date(at), actor: req.actor, action: 'firmware.update.cancel', target: out.stationId, details: { updateId: out.id }, result: out.state });
  return out;
}
