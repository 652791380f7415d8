/**
 * One station's firmware update as a pure state machine: `advanceFirmwareUpdate(update, event, ctx)`
 * returns the next state and the timeline entry that says why, or the update unchanged with the reason
 * the event does not apply. The tracker (platform/src/firmware) feeds it the station's journal events;
 * the update service feeds it the command's result, the timeout check its timeouts.
 *
 * Rules:
 * - Matching. A status with a requestId applies only to the update sent with that requestId (1.6
 *   signed, 2.0.1); a status without one (1.6 core) applies to the station's open update when it was
 *   received after the update was requested. `Idle` only answers triggers and never moves an update.
 * - A status may arrive before the command's result is stored: it implies the station accepted.
 * - Failure statuses end the update with that status as the reason.
 * - Verification is the boot: a boot reporting the release's version (ctx.versionMatch) ends
 *   `verified`, whether or not `Installed` came first (1.6 stations may boot before it). A boot with
 *   another version after installing began (or with 2.0.1 reason FirmwareUpdate) ends `old_version`;
 *   an earlier boot is noted and the update goes on waiting. `Installed` alone does not verify: the
 *   update stays `installed` until the boot (or the return timeout, firmware.ts).
 * - The connection closing while installing is the station going down to install: stage `rebooting`,
 *   and a maintenance period opens. Installing / InstallRebooting open one too; a boot closes it.
 * - Final states never change.
 */
import type { CommandOutcome } from './commands';
import type { ConnectionClosed, FirmwareStatus, StationBooted } from './events';
import type { FirmwareFailureReason, FirmwareStage, FirmwareUpdateState, FirmwareVersionMatch } from './firmware';
import { classifyFirmwareStatus, firmwareVersionMatches, isFinalFirmwareState } from './firmware';

export type FirmwareTimelineEvent = 'requested' | 'command' | 'status' | 'boot' | 'disconnected' | 'timeout' | 'cancelled';

/** One line of an update's history. Times are epoch ms (collector clock). */
export interface FirmwareTimelineEntry {
  at: number;
  event: FirmwareTimelineEvent;
  /** The state after this entry. */
  state: FirmwareUpdateState;
  /** The station's status text (status entries), the command outcome (command entries). */
  status?: string;
  stage?: FirmwareStage;
  /** The version a boot reported. */
  version?: string;
  /** 2.0.1 boot reason; the failure reason of a final entry. */
  reason?: string;
  note?: string;
}

/** What the reducer reads and writes of an update. */
export interface FirmwareUpdateProgress {
  state: FirmwareUpdateState;
  failureReason?: FirmwareFailureReason;
  /** The requestId the station was sent (1.6 signed, 2.0.1); absent for 1.6 UpdateFirmware. */
  requestId?: number;
  /** Epoch ms the update was requested: 1.6 core statuses received earlier belong to something else. */
  requestedAt: number;
  /** The stage the station last reported (or `rebooting` when it went down while installing). */
  stage?: FirmwareStage;
  /** Epoch ms the current state or stage began (timeouts count from it). */
  stageAt: number;
  retrieveAt?: number;
  installAt?: number;
  /** The version the verifying (or failing) boot reported. */
  reportedVersion?: string;
  finishedAt?: number;
}

/** The command's end as the update service saw it. */
export interface FirmwareCommandEnded {
  type: 'firmware.command';
  at: number;
  outcome: CommandOutcome;
  reason?: string;
}

export interface FirmwareTimedOut {
  type: 'firmware.timeout';
  at: number;
  reason: 'stage_timeout' | 'no_return';
}

export interface FirmwareCancelled {
  type: 'firmware.cancel';
  at: number;
  /** `cancelled` by a user or campaign; `superseded` by a newer update of the station. */
  reason: 'cancelled' | 'superseded';
  note?: string;
}

export type FirmwareUpdateEvent = FirmwareStatus | StationBooted | ConnectionClosed | FirmwareCommandEnded | FirmwareTimedOut | FirmwareCancelled;

export interface FirmwareUpdateContext {
  /** The release's version and how a booted version is matched against it. */
  targetVersion: string;
  versionMatch: FirmwareVersionMatch;
}

export type FirmwareAdvance =
  | {
      changed: true;
      update: FirmwareUpdateProgress;
      entry: FirmwareTimelineEntry;
      /** Open a maintenance period (the station goes down for the update) or close the open one. */
      maintenance?: 'open' | 'close';
    }
  | { changed: false; update: FirmwareUpdateProgress; ignored: string; maintenance?: 'close' };

const ignore = (update: FirmwareUpdateProgress, why: string, maintenance?: 'close'): FirmwareAdvance => ({ changed: false, update, ignored: why, ...(maintenance ? { maintenance } : {}) });

/** The state a reported stage means for the update. */
const STATE_OF_STAGE: Record<Exclude<FirmwareStage, 'failed' | 'idle' | 'scheduled'>, FirmwareUpdateState> = {
  downloading: 'downloading',
  downloaded: 'downloaded',
  'verified-signature': 'downloaded',
  installing: 'installing',
  rebooting: 'installing',
  installed: 'installed',
};

function move(u: FirmwareUpdateProgress, at: number, state: FirmwareUpdateState, stage: FirmwareStage | undefined, entry: Omit<FirmwareTimelineEntry, 'at' | 'state'>): FirmwareAdvance {
  const moved = state !== u.state || stage !== u.stage;
  const next: FirmwareUpdateProgress = { ...u, state, stage, stageAt: moved ? at : u.stageAt };
  return { changed: true, update: next, entry: { at, state, ...(stage ? { stage } : {}), ...entry } };
}

function fail(u: FirmwareUpdateProgress, at: number, reason: FirmwareFailureReason, entry: Omit<FirmwareTimelineEntry, 'at' | 'state'>): FirmwareAdvance {
  const next: FirmwareUpdateProgress = { ...u, state: 'failed', failureReason: reason, stageAt: at, finishedAt: at };
  return { changed: true, update: next, entry: { at, state: 'failed', ...entry, reason } };
}

const INSTALL_BEGUN: readonly FirmwareUpdateState[] = ['installing', 'installed'];

function onStatus(u: FirmwareUpdateProgress, e: FirmwareStatus): FirmwareAdvance {
  const at = e.receivedAt;
  if (e.requestId !== undefined && e.requestId !== null) {
    if (u.requestId === undefined) return ignore(u, `status for request ${e.requestId}; this update was sent without a requestId`);
    if (e.requestId !== u.requestId) return ignore(u, `status for request ${e.requestId}, not ${u.requestId}`);
  }
  if (at < u.requestedAt) return ignore(u, 'status received before the update was requested');
  const c = classifyFirmwareStatus(e.status);
  if (!c) return ignore(u, `unknown firmware status ${JSON.stringify(e.status.slice(0, 40))}`);
  if (c.stage === 'idle') return ignore(u, 'Idle answers a trigger and says nothing of this update');
  const early = u.state === 'requested' ? 'status before the command result: the station accepted' : undefined;
  const note = early ? { note: early } : {};
  if (c.stage === 'failed') return { ...fail(u, at, c.reason, { event: 'status', status: e.status, stage: 'failed', ...note }), maintenance: 'close' };
  if (c.stage === 'scheduled') {
    // DownloadScheduled keeps an accepted update waiting; InstallScheduled comes after the download.
    const state: FirmwareUpdateState = e.status === 'InstallScheduled' ? 'downloaded' : u.state === 'requested' ? 'accepted' : u.state;
    return move(u, at, state, 'scheduled', { event: 'status', status: e.status, ...note });
  }
  const state = STATE_OF_STAGE[c.stage];
  const r = move(u, at, state, c.stage, { event: 'status', status: e.status, ...note });
  return c.stage === 'installing' || c.stage === 'rebooting' ? { ...r, maintenance: 'open' } as FirmwareAdvance : r;
}

function onBoot(u: FirmwareUpdateProgress, e: StationBooted, ctx: FirmwareUpdateContext): FirmwareAdvance {
  const at = e.receivedAt;
  if (at < u.requestedAt) return ignore(u, 'boot received before the update was requested');
  const base = { event: 'boot' as const, ...(e.firmwareVersion !== undefined ? { version: e.firmwareVersion } : {}) };
  const bootReason = e.reason ? { note: `boot reason ${e.reason}` } : {};
  if (u.state === 'requested') return ignore(u, 'boot before the command result', 'close');
  if (firmwareVersionMatches(e.firmwareVersion, ctx.targetVersion, ctx.versionMatch)) {
    const before = u.state !== 'installed' ? { note: `booted with the release's version before Installed${e.reason ? ` (boot reason ${e.reason})` : ''}` } : bootReason;
    const next: FirmwareUpdateProgress = { ...u, state: 'verified', stageAt: at, finishedAt: at, reportedVersion: e.firmwareVersion };
    return { changed: true, update: next, entry: { at, state: 'verified', ...base, ...before }, maintenance: 'close' };
  }
  if (INSTALL_BEGUN.includes(u.state) || e.reason === 'FirmwareUpdate') {
    const r = fail({ ...u, reportedVersion: e.firmwareVersion }, at, 'old_version', { ...base, ...bootReason });
    return { ...r, maintenance: 'close' } as FirmwareAdvance;
  }
  const r = move(u, at, u.state, u.stage, { ...base, note: `booted before installing${e.reason ? ` (boot reason ${e.reason})` : ''}; still waiting` });
  return { ...r, maintenance: 'close' } as FirmwareAdvance;
}

function onDisconnect(u: FirmwareUpdateProgress, e: ConnectionClosed): FirmwareAdvance {
  if (e.receivedAt < u.requestedAt) return ignore(u, 'connection closed before the update was requested');
  if (!INSTALL_BEGUN.includes(u.state)) return ignore(u, 'connection closed before installing');
  if (u.stage === 'rebooting') return ignore(u, 'already down');
  const r = move(u, e.receivedAt, u.state, 'rebooting', { event: 'disconnected', note: `connection closed (${e.code}) while installing` });
  return { ...r, maintenance: 'open' } as FirmwareAdvance;
}

function onCommand(u: FirmwareUpdateProgress, e: FirmwareCommandEnded): FirmwareAdvance {
  const entry = { event: 'command' as const, status: e.outcome, ...(e.reason ? { note: e.reason.slice(0, 300) } : {}) };
  if (u.state !== 'requested') {
    // Statuses got here first; the result adds nothing to the state.
    return { changed: true, update: u, entry: { at: e.at, state: u.state, ...(u.stage ? { stage: u.stage } : {}), ...entry } };
  }
  switch (e.outcome) {
    case 'accepted':
      return move(u, e.at, 'accepted', undefined, entry);
    case 'interrupted':
      // It may have reached the station: its statuses (or the download timeout) will tell.
      return move(u, e.at, 'accepted', undefined, { ...entry, note: 'the connection closed before the answer; it may have been carried out' });
    case 'rejected':
      return fail(u, e.at, 'rejected', entry);
    case 'not_supported':
      return fail(u, e.at, 'not_supported', entry);
    default:
      return fail(u, e.at, 'command_failed', entry);
  }
}

/** The next state of `update` after `event`; final states never change. */
export function advanceFirmwareUpdate(update: FirmwareUpdateProgress, event: FirmwareUpdateEvent, ctx: FirmwareUpdateContext): FirmwareAdvance {
  if (isFinalFirmwareState(update.state)) {
    // A boot still ends a maintenance period left open (the update timed out while the station was down).
    return ignore(update, `the update is ${update.state}`, event.type === 'station.booted' ? 'close' : undefined);
  }
  switch (event.type) {
    case 'firmware.status':
      return onStatus(update, event);
    case 'station.booted':
      return onBoot(update, event, ctx);
    case 'connection.closed':
      return onDisconnect(update, event);
    case 'firmware.command':
      return onCommand(update, event);
    case 'firmware.timeout':
      return fail(update, event.at, event.reason, { event: 'timeout', ...(update.stage ? { stage: update.stage } : {}) });
    case 'firmware.cancel':
      if (event.reason === 'superseded') return fail(update, event.at, 'superseded', { event: 'cancelled', ...(event.note ? { note: event.note } : {}) });
      return {
        changed: true,
        update: { ...update, state: 'cancelled', stageAt: event.at, finishedAt: event.at },
        entry: { at: event.at, state: 'cancelled', event: 'cancelled', ...(event.note ? { note: event.note } : {}) },
      };
  }
}

/** Timelines keep their first entry and the latest ones: a chatty station cannot grow a row without bound. */
export const FIRMWARE_TIMELINE_MAX = 100;

export function appendTimeline(timeline: readonly FirmwareTimelineEntry[], entry: FirmwareTimelineEntry, max = FIRMWARE_TIMELINE_MAX): FirmwareTimelineEntry[] {
  const next = [...timeline, entry];
  return next.length <= max ? next : [next[0]!, ...next.slice(next.length - (max - 1))];
}
