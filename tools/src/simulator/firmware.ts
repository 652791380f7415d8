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
import type { Rng } from './random';

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
}

/** Longest simulated wait for a scheduled date, or for transactions to end before installing. */
const MAX_WAIT_SEC = 86_400;

/** What the boot after an install's reboot reports. */
interface AfterBoot {
  target: string;
  securityEvent: boolean;
}

export class FirmwareEngine {
  private requests = 0;
  /** Bumped by every accepted request: a run whose generation is stale stops at its next step. */
  private generation = 0;
  /** Until Installing starts, a new request cancels the running one; from then on it is refused. */
  private committed = false;
  private afterBoot?: AfterBoot;

  constructor(
    private readonly host: FirmwareHost,
    private readonly rng: Rng,
  ) {}

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
    h.log('firmware-update', `${st.firmwareVersion} -> ${target}${req.signed ? ' signed' : ''}`);
    void this.run(gen, req, target, this.rng.fork(`request-${n}`));
    return answer;
  }

  /** The CSMS accepted a BootNotification: if it follows an install's reboot, report the outcome. */
  booted(): void {
    const after = this.afterBoot;
    if (!after) return;
    this.afterBoot = undefined;
    this.setStatus('Installed');
    if (after.securityEvent) this.host.securityEvent('FirmwareUpdated', `firmware ${after.target} installed`);
    this.finish();
  }

  private async run(gen: number, req: FirmwareRequest, target: string, r: Rng): Promise<void> {
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
    if (!(await sleep(r.float(10, 60)))) return;
    if (/fail/i.test(req.location)) {
      this.setStatus('DownloadFailed');
      this.finish();
      return;
    }
    this.setStatus('Downloaded');
    if (!(await sleep(r.float(2, 5)))) return;
    if (req.signed) this.setStatus('SignatureVerified');
    const installSec = req.installAt === undefined ? 0 : this.secondsUntil(req.installAt);
    if (extended && installSec >= 1) {
      this.setStatus('InstallScheduled');
      if (!(await sleep(installSec))) return;
    }
    if (!(await this.waitForIdle(live))) return;
    this.committed = true;
    this.setStatus('Installing');
    await h.sleepSim(r.float(5, 20));
    if (extended) this.setStatus('InstallRebooting');
    this.afterBoot = { target, securityEvent: extended };
    this.release(false);
    await h.reboot(target);
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

  /** The update is over (whatever its outcome): a triggered status reports Idle again. */
  private finish(): void {
    this.release(true);
    this.host.station.firmware.busy = false;
    this.committed = false;
  }
}
