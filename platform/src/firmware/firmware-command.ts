/**
 * The UpdateFirmware command of one update and what its result does to the update. The form (plain or
 * signed) matters only to 1.6 stations: a Security Whitepaper station answers plain UpdateFirmware with
 * CALLERROR NotSupported, a core station SignedUpdateFirmware with NotImplemented. When the station says
 * so, the other form is sent (once per update) and remembered for the station (station_firmware_forms);
 * 2.0.1 has one message, with certificate and signature when the release has them. Results end the update through the reducer (firmware-update.ts in the model).
 */
import {
  advanceFirmwareUpdate,
  appendTimeline,
  firmwareRequestId,
  isFinalFirmwareState,
  type Actor,
  type CommandRecord,
  type FirmwareForm,
  type UpdateFirmwareParams,
} from '@chargewatch/model';
import type { AuditLog } from '../audit/audit-log';
import type { CommandBus } from '../commands/command-bus';
import { commandSubmittedEntry } from '../commands/command-audit';
import type { Logger } from '../logger';
import type { StationStore } from '../state/station-store';
import type { FirmwareCatalogue, FirmwareRelease } from './firmware-catalogue';
import type { FirmwareUpdateRecord, FirmwareUpdates } from './firmware-updates';

/** What the update service needs; every process that has PostgreSQL and Redis can build it. */
export interface FirmwareServiceDeps {
  updates: FirmwareUpdates;
  catalogue: FirmwareCatalogue;
  bus: Pick<CommandBus, 'submit' | 'wait' | 'get'>;
  stations: Pick<StationStore, 'get'>;
  audit: AuditLog;
  logger: Logger;
  now?: () => number;
}

export const V16 = 'ocpp1.6';

/**
 * The first form to try. 2.0.1 has one message: signed when the release is. A 1.6 station gets the core
 * message until it has refused it (remembered `signed`): core stations may not know SignedUpdateFirmware,
 * and a Security Whitepaper station says NotSupported to the core message, which switches it.
 */
export function chooseForm(protocol: string | undefined, release: Pick<FirmwareRelease, 'signed'>, remembered: FirmwareForm | undefined): FirmwareForm {
  if (protocol !== V16) return release.signed ? 'signed' : 'plain';
  return remembered === 'signed' && release.signed ? 'signed' : 'plain';
}

/** The request id a station echoes: none for 1.6 plain UpdateFirmware, which has no field for it. */
export function requestIdFor(update: Pick<FirmwareUpdateRecord, 'id' | 'protocol'>, form: FirmwareForm): number | undefined {
  return update.protocol === V16 && form === 'plain' ? undefined : firmwareRequestId(update.id);
}

export function commandParams(
  update: Pick<FirmwareUpdateRecord, 'id' | 'protocol' | 'retrieveAt' | 'installAt' | 'requestedAt'>,
  release: FirmwareRelease,
  form: FirmwareForm,
  opts: { retries?: number; retryIntervalSec?: number } = {},
): UpdateFirmwareParams {
  const p: UpdateFirmwareParams = { location: release.location, retrieveAt: new Date(update.retrieveAt ?? update.requestedAt).toISOString() };
  // 1.6 UpdateFirmware has no install time: the station installs once downloaded (noted in the timeline).
  const plain16 = update.protocol === V16 && form === 'plain';
  if (update.installAt !== undefined && !plain16) p.installAt = new Date(update.installAt).toISOString();
  if (opts.retries !== undefined) p.retries = opts.retries;
  if (opts.retryIntervalSec !== undefined) p.retryIntervalSec = opts.retryIntervalSec;
  const requestId = requestIdFor(update, form);
  if (requestId !== undefined) p.requestId = requestId;
  if (form === 'signed' && release.signingCertificate && release.signature) {
    p.signingCertificate = release.signingCertificate;
    p.signature = release.signature;
  }
  return p;
}

export async function auditSafely(deps: FirmwareServiceDeps, entry: Parameters<AuditLog['record']>[0]): Promise<void> {
  try {
    await deps.audit.record(entry);
  } catch (err) {
    deps.logger.error({ err: (err as Error).message, audit: { ...entry, at: entry.at.toISOString() } }, 'could not store an audit entry; it is in this log line');
  }
}

/**
 * The command id of an update's command in one form. Derived, not random: a process that dies between
 * storing the update and recording its command submits again with the same id, and the bus returns the
 * stored command instead of sending a second one.
 */
export const firmwareCommandId = (updateId: string, form: FirmwareForm) => `firmware-update-${updateId}-${form}`;

/** Submits the update's command in `form`; the record as the bus stored it. Audits the submission. */
export async function submitCommand(deps: FirmwareServiceDeps, update: FirmwareUpdateRecord, release: FirmwareRelease, form: FirmwareForm, actor: Actor, opts: { deadlineMs?: number; retries?: number; retryIntervalSec?: number } = {}): Promise<CommandRecord> {
  const record = await deps.bus.submit(update.stationId, { name: 'UpdateFirmware', params: commandParams(update, release, form, opts) }, { actor, id: firmwareCommandId(update.id, form), ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}) });
  await auditSafely(deps, commandSubmittedEntry(record));
  return record;
}

/** true when the station itself (not our adapter) said it does not take this form. */
function stationRefusedForm(cmd: CommandRecord): boolean {
  const data = cmd.result?.data ?? {};
  return cmd.result?.status === 'not_supported' && typeof data.code === 'string';
}

export type CommandSettlement = { update: FirmwareUpdateRecord; retried?: CommandRecord } | undefined;

/**
 * Applies the end of the update's current command: a 1.6 station's first refusal of a form switches
 * to the other (remembered) and sends again; anything else goes through the reducer. Nothing
 * happens when the update moved on to another command or is final.
 */
export async function applyCommandResult(deps: FirmwareServiceDeps, updateId: string, cmd: CommandRecord, actor: Actor): Promise<CommandSettlement> {
  const now = deps.now ?? Date.now;
  const release = await findRelease(deps, updateId);
  return deps.updates.transaction(async (c) => {
    const u = await deps.updates.lock(c, updateId);
    if (!u || isFinalFirmwareState(u.state) || u.commandId !== cmd.id || !cmd.result) return u ? { update: u } : undefined;
    const at = cmd.finishedAt ?? now();
    let note: string | undefined;
    // One switch per update: a station that refuses both forms ends not_supported.
    const switched = u.timeline.some((e) => e.event === 'command' && e.status === 'not_supported');
    if (u.protocol === V16 && stationRefusedForm(cmd) && u.state === 'requested' && !switched) {
      const other: FirmwareForm = u.form === 'plain' ? 'signed' : 'plain';
      if (other === 'plain' || release?.signed) {
        await deps.updates.rememberForm(u.stationId, other, at, `${u.form} form refused: ${cmd.result.reason ?? 'not supported'}`);
        const next: FirmwareUpdateRecord = { ...u, form: other };
        const requestId = requestIdFor(u, other);
        if (requestId === undefined) delete next.requestId;
        else next.requestId = requestId;
        const sent = await submitCommand(deps, next, release!, other, actor);
        next.commandId = sent.id;
        next.timeline = appendTimeline(u.timeline, {
          at,
          event: 'command',
          state: u.state,
          status: 'not_supported',
          note: `the station refused the ${u.form} form; sending the ${other} form (remembered for the station)`,
        });
        await deps.updates.save(next, c);
        return { update: next, retried: sent };
      }
      // Signed only, and this release has no signature: learnt, but nothing else to send.
      await deps.updates.rememberForm(u.stationId, 'signed', at, `plain form refused: ${cmd.result.reason ?? 'not supported'}`);
      note = 'the station takes signed firmware only; this release has no signing certificate and signature';
    }
    const r = advanceFirmwareUpdate(u, { type: 'firmware.command', at, outcome: cmd.result.status, reason: note ?? cmd.result.reason }, { targetVersion: u.targetVersion, versionMatch: u.versionMatch });
    if (!r.changed) return { update: u };
    const next: FirmwareUpdateRecord = { ...u, ...r.update, timeline: appendTimeline(u.timeline, r.entry) };
    await deps.updates.save(next, c);
    return { update: next };
  });
}

async function findRelease(deps: FirmwareServiceDeps, updateId: string): Promise<FirmwareRelease | undefined> {
  const u = await deps.updates.get(updateId);
  return u ? deps.catalogue.getRelease(u.releaseId) : undefined;
}

/**
 * Waits up to `waitMs` for the update's command (and a form retry's) to end and applies the result.
 * Returns the update as it then is; one still `requested` is settled later by the timeout job.
 */
export async function awaitCommand(deps: FirmwareServiceDeps, update: FirmwareUpdateRecord, actor: Actor, waitMs: number): Promise<FirmwareUpdateRecord> {
  const now = deps.now ?? Date.now;
  const until = now() + waitMs;
  let current = update;
  for (let attempt = 0; attempt < 2 && current.commandId && !isFinalFirmwareState(current.state); attempt++) {
    const left = until - now();
    if (left <= 0) break;
    const cmd = await deps.bus.wait(current.commandId, left);
    if (!cmd?.result) break;
    const settled = await applyCommandResult(deps, current.id, cmd, actor);
    if (!settled) break;
    current = settled.update;
    if (!settled.retried) break;
  }
  return (await deps.updates.get(current.id)) ?? current;
}

/** For the timeout job: applies the result of an update still `requested` once its command has ended. */
export async function settleCommand(deps: FirmwareServiceDeps, update: FirmwareUpdateRecord, actor: Actor): Promise<FirmwareUpdateRecord | undefined> {
  if (update.state !== 'requested' || !update.commandId) return undefined;
  const cmd = await deps.bus.get(update.commandId);
  if (!cmd) {
    const gone: CommandRecord = {
      id: update.commandId,
      stationId: update.stationId,
      name: 'UpdateFirmware',
      params: { location: '', retrieveAt: '' },
      actor,
      status: 'interrupted',
      submittedAt: update.requestedAt,
      deadline: update.requestedAt,
      waitForConnection: true,
      result: { status: 'offline', reason: 'the command record is gone (expired)' },
    };
    return (await applyCommandResult(deps, update.id, gone, actor))?.update;
  }
  if (!cmd.result) return undefined;
  return (await applyCommandResult(deps, update.id, cmd, actor))?.update;
}
