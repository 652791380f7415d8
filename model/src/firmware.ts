/**
 * Firmware: the status vocabulary of the three OCPP forms, the states and failure reasons of one
 * station update, how a reported version is matched against a release, and the stage timeouts.
 * The reducer that moves one update along is in firmware-update.ts.
 *
 * Forms (docs: /work/shared/SPEC-NOTES.md §1):
 * - 1.6 core FirmwareStatusNotification: 7 statuses, no requestId (a status belongs to the station's
 *   open update when it arrives after the update was sent);
 * - 1.6 Security Whitepaper SignedFirmwareStatusNotification and 2.0.1 FirmwareStatusNotification: the
 *   same 14 statuses, with the requestId of the update they report on (absent only for Idle).
 */

/** 1.6 core FirmwareStatusNotification.status. */
export const FIRMWARE_STATUSES_16 = ['Downloaded', 'DownloadFailed', 'Downloading', 'Idle', 'InstallationFailed', 'Installing', 'Installed'] as const;

/** 1.6 SignedFirmwareStatusNotification and 2.0.1 FirmwareStatusNotification status. */
export const FIRMWARE_STATUSES_SECURE = [
  'Downloaded',
  'DownloadFailed',
  'Downloading',
  'DownloadScheduled',
  'DownloadPaused',
  'Idle',
  'InstallationFailed',
  'Installing',
  'Installed',
  'InstallRebooting',
  'InstallScheduled',
  'InstallVerificationFailed',
  'InvalidSignature',
  'SignatureVerified',
] as const;

export type FirmwareStatusName = (typeof FIRMWARE_STATUSES_SECURE)[number];

/** The statuses in which the station gives up on an update; each is also a failure reason. */
export const FIRMWARE_STATUS_FAILURES = ['DownloadFailed', 'InvalidSignature', 'InstallVerificationFailed', 'InstallationFailed'] as const;
export type FirmwareStatusFailure = (typeof FIRMWARE_STATUS_FAILURES)[number];

/** Where a station says it is, whatever the form. */
export const FIRMWARE_STAGES = ['scheduled', 'downloading', 'downloaded', 'verified-signature', 'installing', 'rebooting', 'installed', 'failed', 'idle'] as const;
export type FirmwareStage = (typeof FIRMWARE_STAGES)[number];

export type FirmwareStatusClass = { stage: Exclude<FirmwareStage, 'failed'> } | { stage: 'failed'; reason: FirmwareStatusFailure };

const STAGE_OF: Record<FirmwareStatusName, FirmwareStatusClass> = {
  DownloadScheduled: { stage: 'scheduled' },
  Downloading: { stage: 'downloading' },
  DownloadPaused: { stage: 'downloading' },
  Downloaded: { stage: 'downloaded' },
  SignatureVerified: { stage: 'verified-signature' },
  InstallScheduled: { stage: 'scheduled' },
  Installing: { stage: 'installing' },
  InstallRebooting: { stage: 'rebooting' },
  Installed: { stage: 'installed' },
  Idle: { stage: 'idle' },
  DownloadFailed: { stage: 'failed', reason: 'DownloadFailed' },
  InvalidSignature: { stage: 'failed', reason: 'InvalidSignature' },
  InstallVerificationFailed: { stage: 'failed', reason: 'InstallVerificationFailed' },
  InstallationFailed: { stage: 'failed', reason: 'InstallationFailed' },
};

export function isFirmwareStatus(status: string): status is FirmwareStatusName {
  return Object.prototype.hasOwnProperty.call(STAGE_OF, status);
}

/** The stage of a reported status, or undefined for a status no form defines (the station's own text). */
export function classifyFirmwareStatus(status: string): FirmwareStatusClass | undefined {
  return isFirmwareStatus(status) ? STAGE_OF[status] : undefined;
}

/** Where one station update is. `verified`, `failed` and `cancelled` are final. */
export const FIRMWARE_UPDATE_STATES = ['requested', 'accepted', 'downloading', 'downloaded', 'installing', 'installed', 'verified', 'failed', 'cancelled'] as const;
export type FirmwareUpdateState = (typeof FIRMWARE_UPDATE_STATES)[number];

export const FIRMWARE_FINAL_STATES = ['verified', 'failed', 'cancelled'] as const satisfies readonly FirmwareUpdateState[];
export type FirmwareFinalState = (typeof FIRMWARE_FINAL_STATES)[number];

export function isFinalFirmwareState(state: FirmwareUpdateState): state is FirmwareFinalState {
  return (FIRMWARE_FINAL_STATES as readonly string[]).includes(state);
}

/**
 * Why an update failed:
 * - the station's failure statuses (DownloadFailed, InvalidSignature, InstallVerificationFailed,
 *   InstallationFailed);
 * - the command's end: `rejected`, `not_supported` (both forms refused), `command_failed` (offline,
 *   timeout, CALLERROR);
 * - `stage_timeout`: a stage lasted longer than its timeout; `no_return`: the station went down to
 *   install and did not boot again in time;
 * - `old_version`: it booted after installing with a version that is not the release's;
 * - `superseded`: a newer update for the station replaced it.
 */
export const FIRMWARE_FAILURE_REASONS = [
  ...FIRMWARE_STATUS_FAILURES,
  'rejected',
  'not_supported',
  'command_failed',
  'stage_timeout',
  'no_return',
  'old_version',
  'superseded',
] as const;
export type FirmwareFailureReason = (typeof FIRMWARE_FAILURE_REASONS)[number];

/** `plain`: 1.6 UpdateFirmware / 2.0.1 without signature; `signed`: 1.6 SignedUpdateFirmware / 2.0.1 with both. */
export const FIRMWARE_FORMS = ['plain', 'signed'] as const;
export type FirmwareForm = (typeof FIRMWARE_FORMS)[number];

/**
 * Lengths a release must keep to fit the messages it goes out in: vendor and model as a 1.6
 * BootNotification reports them, version as BootNotification's firmwareVersion, location, certificate
 * (PEM) and signature (base64) as SignedUpdateFirmware / 2.0.1 UpdateFirmware carry them.
 */
export const FIRMWARE_LIMITS = {
  vendor: 20,
  model: 20,
  version: 50,
  location: 512,
  signingCertificate: 5500,
  signature: 800,
  releaseNotes: 10_000,
} as const;

/** URL schemes a station may download firmware from (1.6 SupportedFileTransferProtocols, 2.0.1 FileTransferProtocols). */
export const FIRMWARE_URL_SCHEMES = ['http', 'https', 'ftp', 'ftps', 'sftp'] as const;

// ---------------------------------------------------------------- version matching

/**
 * How a booted version is compared with a release's version, without user regular expressions:
 * - `exact`: equal (after trimming white space);
 * - `prefix`: the reported version starts with the release's, followed by its end or a character that
 *   is neither letter nor digit (`1.2` matches `1.2-b7` and `1.2 (EU)`, not `1.20`);
 * - `before`: both compared up to the first `separator` (`289/1.5.2.0` with `/` is `289`), for vendors
 *   that append their OCPP stack's version.
 */
export type FirmwareVersionMatch = { mode: 'exact' } | { mode: 'prefix' } | { mode: 'before'; separator: string };

export const DEFAULT_VERSION_MATCH: FirmwareVersionMatch = { mode: 'exact' };

/** At most this many characters in a `before` separator. */
export const VERSION_SEPARATOR_MAX = 5;

function beforeSeparator(version: string, separator: string): string {
  const i = version.indexOf(separator);
  return (i < 0 ? version : version.slice(0, i)).trim();
}

function isAlnum(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** true when a station reporting `reported` runs the release whose version is `release`. */
export function firmwareVersionMatches(reported: string | undefined, release: string, match: FirmwareVersionMatch = DEFAULT_VERSION_MATCH): boolean {
  if (reported === undefined) return false;
  const r = reported.trim();
  const t = release.trim();
  if (t === '') return false;
  switch (match.mode) {
    case 'exact':
      return r === t;
    case 'prefix':
      return r === t || (r.startsWith(t) && !isAlnum(r.charAt(t.length)));
    case 'before':
      return beforeSeparator(r, match.separator) === beforeSeparator(t, match.separator) && beforeSeparator(t, match.separator) !== '';
  }
}

/** A version match from untrusted JSON, or the reason it is not one. */
export function parseVersionMatch(value: unknown): { ok: true; match: FirmwareVersionMatch } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, match: DEFAULT_VERSION_MATCH };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'versionMatch must be an object with a mode' };
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).filter((k) => k !== 'mode' && k !== 'separator');
  if (extra.length) return { ok: false, error: `versionMatch has unknown field ${extra[0]}` };
  if (v.mode === 'exact' || v.mode === 'prefix') {
    if (v.separator !== undefined) return { ok: false, error: `versionMatch mode ${v.mode} takes no separator` };
    return { ok: true, match: { mode: v.mode } };
  }
  if (v.mode === 'before') {
    const s = v.separator;
    if (typeof s !== 'string' || s.length < 1 || s.length > VERSION_SEPARATOR_MAX || s.trim() !== s) {
      return { ok: false, error: `versionMatch mode before needs a separator of 1 to ${VERSION_SEPARATOR_MAX} characters without surrounding white space` };
    }
    return { ok: true, match: { mode: 'before', separator: s } };
  }
  return { ok: false, error: 'versionMatch.mode must be exact, prefix or before' };
}

// ---------------------------------------------------------------- timeouts

/**
 * How long each stage of an update may last (seconds) before it fails:
 * - `downloadSec`: from the later of the request and its retrieve time to `Downloaded` (accepted,
 *   scheduled, downloading);
 * - `installStartSec`: from `Downloaded` (and the install time, if given) to `Installing` — stations wait
 *   for sessions to end;
 * - `installSec`: `Installing` to `Installed` or the boot;
 * - `returnSec`: from going down to install (InstallRebooting, the connection closing while installing)
 *   or from `Installed` to the boot that verifies: past it, `no_return`.
 * All but the last end `stage_timeout`.
 */
export interface FirmwareTimeouts {
  downloadSec: number;
  installStartSec: number;
  installSec: number;
  returnSec: number;
}

export const DEFAULT_FIRMWARE_TIMEOUTS: FirmwareTimeouts = { downloadSec: 3600, installStartSec: 7200, installSec: 1800, returnSec: 900 };

/** What a timeout check needs of an update (a subset of FirmwareUpdateProgress). */
export interface FirmwareTimeoutView {
  state: FirmwareUpdateState;
  stage?: FirmwareStage;
  /** Epoch ms the current state or stage began. */
  stageAt: number;
  retrieveAt?: number;
  installAt?: number;
}

/** The deadline (epoch ms) of the update's current stage and the reason it fails with past it; none when final. */
export function firmwareStageDeadline(u: FirmwareTimeoutView, t: FirmwareTimeouts = DEFAULT_FIRMWARE_TIMEOUTS): { at: number; reason: 'stage_timeout' | 'no_return' } | undefined {
  const s = (sec: number) => sec * 1000;
  switch (u.state) {
    case 'requested':
    case 'accepted':
    case 'downloading':
      return { at: Math.max(u.stageAt, u.retrieveAt ?? 0) + s(t.downloadSec), reason: 'stage_timeout' };
    case 'downloaded':
      return { at: Math.max(u.stageAt, u.installAt ?? 0) + s(t.installStartSec), reason: 'stage_timeout' };
    case 'installing':
      return u.stage === 'rebooting' ? { at: u.stageAt + s(t.returnSec), reason: 'no_return' } : { at: u.stageAt + s(t.installSec), reason: 'stage_timeout' };
    case 'installed':
      return { at: u.stageAt + s(t.returnSec), reason: 'no_return' };
    default:
      return undefined;
  }
}

/** The failure reason when the update's stage has run past its timeout at `now`, else undefined. */
export function firmwareTimeoutDue(u: FirmwareTimeoutView, now: number, t: FirmwareTimeouts = DEFAULT_FIRMWARE_TIMEOUTS): 'stage_timeout' | 'no_return' | undefined {
  const d = firmwareStageDeadline(u, t);
  return d && now > d.at ? d.reason : undefined;
}

/** The 2.0.1 firmware-update requestId of an update: a positive int32 derived from its id. */
export function firmwareRequestId(updateId: string | number): number {
  const n = typeof updateId === 'number' ? updateId : Number.parseInt(updateId, 10);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`not an update id: ${String(updateId)}`);
  return ((n - 1) % 0x7fffffff) + 1;
}
