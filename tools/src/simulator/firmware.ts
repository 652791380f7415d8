/**
 * The firmware engine of a simulated station: what it does after UpdateFirmware / SignedUpdateFirmware,
 * which statuses it reports and when it reboots. It sees its station through FirmwareHost only.
 *
 * Status sets: 1.6 core knows Downloading, Downloaded, DownloadFailed, Installing, Installed,
 * InstallationFailed, Idle. A signed 1.6 update (Security Whitepaper) and every 2.0.1 update use the
 * 14-status set, which adds DownloadScheduled, SignatureVerified (signed only), InstallScheduled and
 * InstallRebooting. Success:
 * - 1.6 core: Downloading, Downloaded, Installing, reboot, BootNotification (new version), Installed —
 *   1.6 allows Installed before or after the boot; the new firmware reports it once it runs;
 * - signed 1.6 / 2.0.1: [DownloadScheduled], Downloading, Downloaded, [SignatureVerified],
 *   [InstallScheduled], Installing, InstallRebooting, reboot, BootNotification (2.0.1 reason
 *   FirmwareUpdate, new version), Installed, SecurityEventNotification FirmwareUpdated.
 *
 * A triggered FirmwareStatusNotification reports the last status, or Idle once Installed (2.0.1,
 * whitepaper); 1.6 core reports Idle whenever no update is running, its meaning there.
 *
 * Failure modes (FirmwareOutcome), each ending the update:
 * - downloadFailed: Downloading, DownloadFailed (also any location containing "fail");
 * - slowDownload: Downloading lasts 10–30 times longer, then the update succeeds;
 * - invalidSignature (signed updates only; unsigned ones succeed): Downloading, Downloaded,
 *   InvalidSignature, SecurityEventNotification InvalidFirmwareSignature;
 * - installFailed: … Installing, InstallationFailed, no reboot; in the 14-status set half of the seeded
 *   draws report InstallVerificationFailed instead (outcome installVerificationFailed; 1.6 core,
 *   which lacks that status, reports InstallationFailed);
 * - oldVersionAfterReboot: the station believes it installed, but comes back on the old image (a
 *   bootloader rollback): 1.6 core sends Installed, then reboots and boots with the old version (the
 *   old firmware knows nothing of the update and reports nothing more); signed 1.6 / 2.0.1 send
 *   InstallRebooting, boot with the old version (2.0.1 reason FirmwareUpdate), then Installed and
 *   FirmwareUpdated. Only the version in BootNotification tells;
 * - neverReturns: … Installing, then the connection drops and the station never reconnects (until
 *   the fleet stops).
 *
 * Charging during the window: downloads run beside sessions. Once the image is ready to install, a
 * station with a session in progress (or a car plugged in) waits for it to end (at most a day); while
 * it waits, 1.6 stations and 2.0.1 ones without AllowNewSessionsPendingFirmwareUpdate show their other
 * connectors Unavailable and start no new session (1.6 §5.19 recommends it, L01.FR.07 requires it);
 * with the variable true, new sessions may start and the install waits for them too. From Installing
 * on, no session starts; after the reboot the connectors report Available again.
 *
 * Dates (retrieveDateTime, installDateTime) become simulated delays: `date − now` is waited in simulated
 * time (at most a day), so at speed > 1 the station acts earlier on the wall clock than the date says.
 */
import type { ConnectorSim, FirmwareAnswer, FirmwareRequest, StationContext } from './model';
import { firmwareFromLocation } from './profiles';
import { hashSeed, Rng } from './random';

/** The failure modes, in the order the seeded draw walks them. */
export const FIRMWARE_FAILURE_MODES = ['downloadFailed', 'installFailed', 'invalidSignature', 'oldVersionAfterReboot', 'neverReturns', 'slowDownload'] as const;
export type FirmwareFailureMode = (typeof FIRMWARE_FAILURE_MODES)[number];
/** What one update does. `installVerificationFailed` is an install failure reported as InstallVerificationFailed. */
export type FirmwareOutcome = 'success' | FirmwareFailureMode | 'installVerificationFailed';
/** Probability of each failure mode per update, 0..1 each, at most 1 together; the rest succeed. */
export type FirmwareFailureRates = Partial<Record<FirmwareFailureMode, number>>;
/**
 * A station's fixed outcome for every update, or one per update (`request` 1 = its first
 * UpdateFirmware / SignedUpdateFirmware); undefined falls back to the seeded draw.
 */
export type FirmwareOutcomeOverride = FirmwareOutcome | ((request: number) => FirmwareOutcome | undefined);

/** Returns the rates if they are valid; throws naming the first problem. */
export function checkFirmwareFailureRates(rates: FirmwareFailureRates): FirmwareFailureRates {
  let sum = 0;
  for (const [mode, p] of Object.entries(rates)) {
    if (!(FIRMWARE_FAILURE_MODES as readonly string[]).includes(mode)) throw new Error(`firmware failure mode "${mode}": expected one of ${FIRMWARE_FAILURE_MODES.join(', ')}`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`firmware failure rate ${mode}: expected a number in [0, 1], got ${p}`);
    sum += p;
  }
  if (sum > 1 + 1e-9) throw new Error(`firmware failure rates add up to ${sum}: at most 1`);
  return rates;
}

/**
 * The seeded outcome of a station's `request`-th update: one draw from a stream of its own (station
 * seed, request number), so it depends on nothing else the station does. Walks the modes in
 * FIRMWARE_FAILURE_MODES order; an install failure becomes installVerificationFailed on a second draw
 * of one in two.
 */
export function pickFirmwareOutcome(seed: number, request: number, rates: FirmwareFailureRates): FirmwareOutcome {
  const r = new Rng(hashSeed(seed >>> 0, 'firmware-outcome', request));
  const u = r.next();
  let acc = 0;
  for (const mode of FIRMWARE_FAILURE_MODES) {
    acc += rates[mode] ?? 0;
    if (u < acc) return mode === 'installFailed' && r.chance(0.5) ? 'installVerificationFailed' : mode;
  }
  return 'success';
}

/** How a station decides its outcomes: its seed, the fleet's rates, and an optional override. */
export interface FirmwareBehaviour {
  seed: number;
  rates?: FirmwareFailureRates;
  override?: FirmwareOutcomeOverride;
}

/** What the engine reads of its station. */
export type FirmwareStation = Pick<StationContext, 'version' | 'profile' | 'connectors' | 'firmware' | 'firmwareVersion' | 'meterIntervalSec'>;

/** What the engine uses of its station. */
export interface FirmwareHost {
  readonly station: FirmwareStation;
  /** Wall clock, ms. */
  now(): number;
  sleepSim(simSec: number): Promise<void>;
  log(kind: string, detail: string): void;
  /** Sends the status in the version's message (1.6 signed: SignedFirmwareStatusNotification). */
  firmwareStatus(status: string): void;
  securityEvent(type: string, techInfo?: string): void;
  sendStatus(c: ConnectorSim): void;
  /** 2.0.1 AllowNewSessionsPendingFirmwareUpdate; false for 1.6. */
  allowNewSessionsPendingFirmwareUpdate(): boolean;
  /** Ends transactions, reboots and boots again (2.0.1 reason FirmwareUpdate), running `newFirmware` if given. */
  reboot(newFirmware?: string): Promise<void>;
  /** Goes offline for good (neverReturns). */
  powerOff(): Promise<void>;
}

/** Longest simulated wait for a scheduled date, or for transactions to end before installing. */
const MAX_WAIT_SEC = 86_400;

/** What the boot after an install's reboot reports. */
interface AfterBoot {
  target: string;
  /** Send Installed (and, in the 14-status set, FirmwareUpdated). */
  installed: boolean;
  securityEvent: boolean;
}

export class FirmwareEngine {
  private requests = 0;
  /** Bumped by every accepted request: a run whose generation is stale stops at its next step. */
  private generation = 0;
  /** Until Installing starts, a new request cancels the running one; from then on it is refused. */
  private committed = false;
  private afterBoot?: AfterBoot;
  private readonly rng: Rng;

  constructor(
    private readonly host: FirmwareHost,
    private readonly behaviour: FirmwareBehaviour,
  ) {
    this.rng = new Rng(behaviour.seed >>> 0).fork('firmware');
  }

  /** What the station's `request`-th update does before the request's own rules (location, signature, version). */
  outcome(request: number): FirmwareOutcome {
    return this.override(request) ?? pickFirmwareOutcome(this.behaviour.seed, request, this.behaviour.rates ?? {});
  }

  private override(request: number): FirmwareOutcome | undefined {
    const o = this.behaviour.override;
    return typeof o === 'function' ? o(request) : o;
  }

  /** The outcome of this request: an override wins, then a location naming a failure, then the seeded draw. */
  private outcomeOf(request: number, req: FirmwareRequest, extended: boolean): FirmwareOutcome {
    let outcome = this.override(request) ?? (/fail/i.test(req.location) ? 'downloadFailed' : this.outcome(request));
    if (outcome === 'invalidSignature' && !req.signed) outcome = 'success';
    if (outcome === 'installVerificationFailed' && !extended) outcome = 'installFailed';
    return outcome;
  }

  /**
   * A new request while one runs: before Installing, the old one is dropped and the new one starts
   * (AcceptedCanceled; 1.6 core cannot say so, its .conf is empty); from Installing on, Rejected.
   */
  request(req: FirmwareRequest): FirmwareAnswer {
    const h = this.host;
    const st = h.station;
    const fw = st.firmware;
    let answer: FirmwareAnswer = 'Accepted';
    if (fw.busy) {
      if (this.committed) return 'Rejected';
      h.log('firmware-cancel', `request ${fw.requestId ?? '-'}`);
      this.release(true);
      answer = 'AcceptedCanceled';
    }
    const gen = ++this.generation;
    fw.busy = true;
    fw.status = 'Idle';
    fw.requestId = req.requestId;
    fw.signed = req.signed;
    const n = ++this.requests;
    const target = firmwareFromLocation(st.profile, st.firmwareVersion, req.location);
    const outcome = this.outcomeOf(n, req, st.version === 'ocpp2.0.1' || req.signed);
    h.log('firmware-update', `${st.firmwareVersion} -> ${target}${req.signed ? ' signed' : ''} ${outcome}`);
    void this.run(gen, req, target, outcome, this.rng.fork(`request-${n}`));
    return answer;
  }

  /** What a triggered FirmwareStatusNotification reports. */
  triggeredStatus(): string {
    const fw = this.host.station.firmware;
    if (fw.status === 'Installed') return 'Idle';
    const extended = this.host.station.version === 'ocpp2.0.1' || fw.signed;
    return fw.busy || extended ? fw.status : 'Idle';
  }

  /** The CSMS accepted a BootNotification: if it follows an install's reboot, report the outcome. */
  booted(): void {
    const after = this.afterBoot;
    if (!after) return;
    this.afterBoot = undefined;
    if (after.installed) {
      this.setStatus('Installed');
      if (after.securityEvent) this.host.securityEvent('FirmwareUpdated', `firmware ${after.target} installed`);
    }
    this.finish();
  }

  private async run(gen: number, req: FirmwareRequest, target: string, outcome: FirmwareOutcome, r: Rng): Promise<void> {
    const h = this.host;
    const st = h.station;
    /** The 14-status set: a signed 1.6 update, or any 2.0.1 one. */
    const extended = st.version === 'ocpp2.0.1' || req.signed;
    const live = () => gen === this.generation;
    const sleep = async (sec: number) => {
      await h.sleepSim(sec);
      return live();
    };

    const retrieveSec = this.secondsUntil(req.retrieveAt);
    if (retrieveSec >= 1) {
      if (extended) this.setStatus('DownloadScheduled');
      if (!(await sleep(retrieveSec))) return;
    }
    this.setStatus('Downloading');
    let downloadSec = r.float(10, 60);
    if (outcome === 'slowDownload') downloadSec *= r.float(10, 30);
    h.log('firmware-download', `${Math.round(downloadSec)}s`);
    if (!(await sleep(downloadSec))) return;
    if (outcome === 'downloadFailed') return this.fail('DownloadFailed');
    this.setStatus('Downloaded');
    if (!(await sleep(r.float(2, 5)))) return;
    if (req.signed) {
      if (outcome === 'invalidSignature') {
        this.fail('InvalidSignature');
        h.securityEvent('InvalidFirmwareSignature', `signature of ${req.location}`);
        return;
      }
      this.setStatus('SignatureVerified');
    }
    const installSec = req.installAt === undefined ? 0 : this.secondsUntil(req.installAt);
    if (extended && installSec >= 1) {
      this.setStatus('InstallScheduled');
      if (!(await sleep(installSec))) return;
    }
    if (!(await this.waitForIdle(live))) return;
    this.committed = true;
    this.setStatus('Installing');
    await h.sleepSim(r.float(5, 20));
    if (outcome === 'installFailed') return this.fail('InstallationFailed');
    if (outcome === 'installVerificationFailed') return this.fail('InstallVerificationFailed');
    this.release(false);
    if (outcome === 'neverReturns') {
      h.log('firmware-brick', 'the station does not come back');
      await h.powerOff();
      return;
    }
    const activates = outcome !== 'oldVersionAfterReboot';
    if (extended) this.setStatus('InstallRebooting');
    else if (!activates) this.setStatus('Installed'); // 1.6 core: the installer says so before the rollback
    this.afterBoot = { target, installed: extended || activates, securityEvent: extended };
    await h.reboot(activates ? target : undefined);
  }

  /** Waits until no connector is in use, holding the others meanwhile; false when the run was cancelled. */
  private async waitForIdle(live: () => boolean): Promise<boolean> {
    const h = this.host;
    const st = h.station;
    const inUse = () => st.connectors.some((c) => c.tx !== undefined || c.status === 'Preparing');
    if (inUse()) {
      if (!h.allowNewSessionsPendingFirmwareUpdate()) {
        st.firmware.hold = 'unavailable';
        for (const c of st.connectors) {
          if (c.tx || c.status !== 'Available') continue;
          c.status = 'Unavailable';
          h.sendStatus(c);
        }
      }
      h.log('firmware-wait', `sessions running${st.firmware.hold ? ', others Unavailable' : ''}`);
      for (let waited = 0; inUse() && waited < MAX_WAIT_SEC; waited += st.meterIntervalSec) {
        await h.sleepSim(st.meterIntervalSec);
        if (!live()) return false;
      }
    }
    st.firmware.hold ??= 'refuse';
    return true;
  }

  /** Ends the hold; `restore` sends Available again for the connectors it made Unavailable (no reboot follows). */
  private release(restore: boolean): void {
    const h = this.host;
    const st = h.station;
    const was = st.firmware.hold;
    st.firmware.hold = undefined;
    if (!restore || was !== 'unavailable') return;
    for (const c of st.connectors) {
      if (c.tx || c.fault || !c.operative || c.status !== 'Unavailable') continue;
      c.status = 'Available';
      h.sendStatus(c);
    }
  }

  private secondsUntil(atMs: number): number {
    return Math.min(MAX_WAIT_SEC, Math.max(0, (atMs - this.host.now()) / 1000));
  }

  private setStatus(status: string): void {
    this.host.station.firmware.status = status;
    this.host.log('firmware-status', status);
    this.host.firmwareStatus(status);
  }

  private fail(status: string): void {
    this.setStatus(status);
    this.finish();
  }

  /** The update is over, whatever its outcome: a new request starts afresh. */
  private finish(): void {
    this.release(true);
    this.host.station.firmware.busy = false;
    this.committed = false;
  }
}
