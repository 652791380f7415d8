/**
 * The periodic check of open updates (worker housekeeping job `firmware-timeouts`):
 * - an update still `requested` with no command recorded a while after it was stored was left by a
 *   process that died before recording its command: it is submitted again under the same derived
 *   command id (firmwareCommandId), so a command that did go out is found, not sent twice;
 * - an update still `requested` whose command has ended gets its result (the submitter stopped waiting,
 *   or died); while its command waits for the station, the command's deadline governs, not a stage;
 * - an update whose stage outlasted its timeout (model firmwareStageDeadline) ends `stage_timeout`, or
 *   `no_return` when the station went down to install and has not booted since.
 * Each end is decided again on the locked row, so a status the tracker stored meanwhile wins.
 */
import {
  DEFAULT_FIRMWARE_TIMEOUTS,
  advanceFirmwareUpdate,
  appendTimeline,
  firmwareTimeoutDue,
  systemActor,
  type Actor,
  type FirmwareTimeouts,
} from '@chargewatch/model';
import { settleCommand, submitCommand, type FirmwareServiceDeps } from './firmware-command';
import type { FirmwareUpdateRecord } from './firmware-updates';

/** How long an update may stay stored without a recorded command before it counts as left by a crash. */
export const UNSENT_GRACE_MS = 60_000;

export interface FirmwareTimeoutResult {
  /** Updates whose command result was applied here. */
  settled: number;
  /** Updates left without a recorded command, whose command was (re)submitted under its derived id. */
  resubmitted?: number;
  /** Updates ended by a timeout. */
  timedOut: number;
}

export async function runFirmwareTimeouts(
  deps: FirmwareServiceDeps,
  opts: { timeouts?: FirmwareTimeouts; actor?: Actor; limit?: number } = {},
): Promise<FirmwareTimeoutResult> {
  const timeouts = opts.timeouts ?? DEFAULT_FIRMWARE_TIMEOUTS;
  const actor = opts.actor ?? systemActor('firmware-timeouts');
  const now = deps.now ?? Date.now;
  const out: FirmwareTimeoutResult = { settled: 0, timedOut: 0 };
  for (const open of await deps.updates.listOpen(opts.limit ?? 5000)) {
    let u: FirmwareUpdateRecord = open;
    if (u.state === 'requested' && !u.commandId && now() - u.requestedAt > UNSENT_GRACE_MS) {
      const release = await deps.catalogue.getRelease(u.releaseId);
      if (release) {
        try {
          const cmd = await submitCommand(deps, u, release, u.form, actor);
          await deps.updates.setCommand(u.id, cmd.id);
          u = { ...u, commandId: cmd.id };
          out.resubmitted = (out.resubmitted ?? 0) + 1;
          deps.logger.warn({ stationId: u.stationId, updateId: u.id, commandId: cmd.id }, 'firmware update had no recorded command (its process died); submitted under its own id');
        } catch (err) {
          deps.logger.warn({ stationId: u.stationId, updateId: u.id, err: (err as Error).message }, 'firmware update without a command could not be submitted; its stage timeout will end it');
        }
      }
    }
    if (u.state === 'requested' && u.commandId) {
      const settled = await settleCommand(deps, u, actor);
      if (!settled) continue; // the command still waits: its deadline ends it
      out.settled++;
      u = settled;
      if (u.state === 'requested') continue; // sent again in the other form
    }
    if (!firmwareTimeoutDue(u, now(), timeouts)) continue;
    const ended = await deps.updates.transaction(async (c) => {
      const locked = await deps.updates.lock(c, u.id);
      if (!locked) return false;
      const at = now();
      const reason = firmwareTimeoutDue(locked, at, timeouts);
      if (!reason || (locked.state === 'requested' && locked.commandId)) return false;
      const r = advanceFirmwareUpdate(locked, { type: 'firmware.timeout', at, reason }, { targetVersion: locked.targetVersion, versionMatch: locked.versionMatch });
      if (!r.changed) return false;
      await deps.updates.save({ ...locked, ...r.update, timeline: appendTimeline(locked.timeline, r.entry) }, c);
      return true;
    });
    if (ended) {
      out.timedOut++;
      deps.logger.info({ stationId: u.stationId, updateId: u.id, state: u.state, stage: u.stage }, 'firmware update timed out');
    }
  }
  return out;
}
