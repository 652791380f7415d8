/**
 * The firmware engine of a simulated station: what it does after UpdateFirmware / SignedUpdateFirmware,
 * which statuses it reports and when it reboots. It sees its station through FirmwareHost only.
 */
import type { FirmwareAnswer, FirmwareRequest, StationContext } from './model';
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
  /** Ends transactions, reboots and boots again (2.0.1 reason FirmwareUpdate), running `newFirmware` if given. */
  reboot(newFirmware?: string): Promise<void>;
}

export class FirmwareEngine {
  private requests = 0;
  /** Version to report Installed for once the station is accepted after its reboot. */
  private pendingVersion?: string;

  constructor(
    private readonly host: FirmwareHost,
    private readonly rng: Rng,
  ) {}

  request(req: FirmwareRequest): FirmwareAnswer {
    const h = this.host;
    const st = h.station;
    const fw = st.firmware;
    if (fw.busy) return 'Rejected';
    fw.busy = true;
    fw.requestId = req.requestId;
    fw.signed = req.signed;
    const n = ++this.requests;
    const target = firmwareFromLocation(st.profile, st.firmwareVersion, req.location);
    h.log('firmware-update', `${st.firmwareVersion} -> ${target}`);
    void this.run(req, target, this.rng.fork(`request-${n}`));
    return 'Accepted';
  }

  /** The CSMS accepted a BootNotification: the reboot that completes an install is over. */
  booted(): void {
    if (this.pendingVersion === undefined) return;
    this.pendingVersion = undefined;
    this.setStatus('Installed');
    this.host.station.firmware.busy = false;
  }

  private async run(req: FirmwareRequest, target: string, r: Rng): Promise<void> {
    const h = this.host;
    const waitSec = Math.min(3600, Math.max(0, (req.retrieveAt - h.now()) / 1000));
    if (waitSec > 0) await h.sleepSim(waitSec);
    this.setStatus('Downloading');
    await h.sleepSim(r.float(10, 60));
    if (/fail/i.test(req.location)) {
      this.setStatus('DownloadFailed');
      h.station.firmware.status = 'Idle';
      h.station.firmware.busy = false;
      return;
    }
    this.setStatus('Downloaded');
    await h.sleepSim(r.float(2, 5));
    if (req.signed) this.setStatus('SignatureVerified');
    // Real stations install only once idle; give running sessions up to an hour.
    for (let waited = 0; h.station.connectors.some((c) => c.tx) && waited < 3600; waited += h.station.meterIntervalSec) {
      await h.sleepSim(h.station.meterIntervalSec);
    }
    this.setStatus('Installing');
    await h.sleepSim(r.float(5, 20));
    this.pendingVersion = target;
    await h.reboot(target);
  }

  private setStatus(status: string): void {
    const fw = this.host.station.firmware;
    fw.status = status;
    this.host.log('firmware-status', status);
    this.host.firmwareStatus(status);
    if (status === 'Installed') fw.status = 'Idle';
  }
}
