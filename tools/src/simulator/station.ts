/**
 * One simulated charging station: an ocpp-rpc RPCClient in strict mode plus a small state machine per
 * connector, in three layers: station-link.ts (connection handling, boot, heartbeats, the ordered
 * outbox with offline queueing and replay), charging.ts (sessions, the energy model, faults) and this
 * file (what the CSMS can ask for: remote start/stop, availability, resets and reboots, firmware
 * updates, triggered messages). Version-specific message shapes live in protocol16.ts / protocol201.ts,
 * the firmware update engine (statuses, failure modes, the charging window) in firmware.ts.
 *
 * Timing: every duration is in simulated seconds and runs `speed` times faster in real time.
 * Timestamps in messages are wall-clock (so a collector sees plausible times); energy accrues per
 * meter tick as if `meterIntervalSec` had passed, so with speed > 1 energy grows faster than the
 * timestamps suggest. Random decisions come from per-connector streams, so a station with the same
 * seed makes the same decisions in the same order.
 */
import { ChargingStation, deferred } from './charging';
import { checkFirmwareFailureRates, FirmwareEngine, type FirmwareOutcome } from './firmware';
import type { ConnectorSim, FirmwareAnswer, FirmwareRequest, LogUpload, SessionSummary, StopReason, TriggerKind } from './model';
import type { StationOptions } from './station-options';

export { emptyStationStats, type ForceSessionOptions, type Registration, type StationOptions, type StationStats } from './station-options';

export class SimulatedStation extends ChargingStation {
  private resetOnIdle = false;
  private readonly firmwareEngine: FirmwareEngine;

  constructor(options: StationOptions) {
    super(options);
    this.firmwareEngine = new FirmwareEngine(
      {
        station: this,
        now: () => this.opts.now(),
        sleepSim: (sec) => this.clock.sleepSim(sec),
        log: (kind, detail) => this.log(kind, detail),
        firmwareStatus: (status) => this.driver.firmwareStatus(status),
        securityEvent: (type, techInfo) => this.driver.securityEvent(type, techInfo),
        sendStatus: (c) => this.driver.sendStatus(c),
        allowNewSessionsPendingFirmwareUpdate: () => this.driver.allowNewSessionsPendingFirmwareUpdate?.() ?? false,
        reboot: (newFirmware) => this.reboot('Reboot', 'FirmwareUpdate', newFirmware),
        powerOff: () => this.powerOff(),
      },
      { seed: options.identity.seed, rates: checkFirmwareFailureRates(options.firmwareFailures ?? {}), override: options.firmwareOutcome },
    );
  }

  protected override onAccepted(): void {
    super.onAccepted();
    this.firmwareEngine.booted();
  }

  // ---------------------------------------------------------------- CSMS commands

  remoteStart(connectorId: number | undefined, idTag: string, o: { needsAuth: boolean; remoteStartId?: number }): boolean {
    const c =
      connectorId !== undefined && connectorId > 0
        ? this.connector(connectorId)
        : this.connectors.find((x) => x.status === 'Available' && x.operative && !x.tx && !x.fault);
    if (!c || c.tx || c.fault || !c.operative || this.rebooting || this.firmware.hold) return false;
    if (c.status !== 'Available' && c.status !== 'Preparing') return false;
    const d = deferred<SessionSummary>();
    d.promise.catch(() => undefined);
    this.beginSession(c, this.plan(c, { idTag, remote: true, needsAuth: o.needsAuth, remoteStartId: o.remoteStartId }), d);
    return true;
  }

  stopTransaction(c: ConnectorSim, reason: StopReason): boolean {
    if (!c.tx) return false;
    setImmediate(() => this.endSession(c, reason));
    return true;
  }

  changeAvailability(connectorId: number, operative: boolean): 'Accepted' | 'Rejected' | 'Scheduled' {
    const targets = connectorId === 0 ? this.connectors : this.connectors.filter((c) => c.id === connectorId);
    if (targets.length === 0) return 'Rejected';
    let scheduled = false;
    const changed: ConnectorSim[] = [];
    for (const c of targets) {
      if (c.tx || c.status === 'Preparing') {
        if (c.operative !== operative) {
          c.pendingOperative = operative;
          scheduled = true;
        }
        continue;
      }
      c.pendingOperative = undefined;
      if (c.operative === operative) continue;
      c.operative = operative;
      if (!c.fault) {
        c.status = operative ? 'Available' : 'Unavailable';
        changed.push(c);
      }
    }
    this.log('availability', `${connectorId} ${operative ? 'Operative' : 'Inoperative'}${scheduled ? ' scheduled' : ''}`);
    if (changed.length > 0) {
      setImmediate(() => {
        if (connectorId === 0) this.driver.sendAllStatuses();
        else changed.forEach((c) => this.driver.sendStatus(c));
      });
    }
    return scheduled ? 'Scheduled' : 'Accepted';
  }

  reset(kind: 'Soft' | 'Hard' | 'Immediate' | 'OnIdle'): 'Accepted' | 'Rejected' | 'Scheduled' {
    if (this.rebooting) return 'Rejected';
    this.log('reset', kind);
    if (kind === 'OnIdle' && this.connectors.some((c) => c.tx)) {
      this.resetOnIdle = true;
      return 'Scheduled';
    }
    const reason: StopReason = kind === 'Soft' ? 'SoftReset' : kind === 'Hard' ? 'HardReset' : 'ImmediateReset';
    setImmediate(() => void this.reboot(reason, 'RemoteReset'));
    return 'Accepted';
  }

  protected checkResetOnIdle(): void {
    if (this.resetOnIdle && !this.connectors.some((c) => c.tx)) {
      this.resetOnIdle = false;
      void this.reboot('Reboot', 'RemoteReset');
    }
  }

  /** Stops transactions, closes the link, "restarts" and boots again. */
  async reboot(stopReason: StopReason = 'Reboot', bootReason = 'RemoteReset', newFirmware?: string): Promise<void> {
    if (this.rebooting || this.stopped) return;
    this.rebooting = true;
    this.stats.reboots++;
    this.log('reboot', `${stopReason}${newFirmware ? ` fw ${newFirmware}` : ''}`);
    await this.goDown(stopReason, { code: 1000, reason: 'Rebooting' });
    await this.clock.sleepSim(20);
    if (this.stopped) return;
    if (newFirmware) this.firmwareVersion = newFirmware;
    for (const c of this.connectors) {
      c.reported = undefined;
      if (c.pendingOperative !== undefined) {
        c.operative = c.pendingOperative;
        c.pendingOperative = undefined;
      }
      c.status = c.fault ? 'Faulted' : c.operative && this.firmware.hold !== 'unavailable' ? 'Available' : 'Unavailable';
    }
    this.rebooting = false;
    this.offlineUntilTimer = false;
    await this.connectLoop(bootReason);
    for (const c of this.connectors) if (!c.fault) this.scheduleIdle(c);
  }

  /** Goes down and stays down until stop(), as a station bricked by a firmware install. */
  async powerOff(): Promise<void> {
    if (this.rebooting || this.stopped) return;
    this.rebooting = true; // for good: nothing reconnects and no session starts
    this.log('power-off', 'does not come back');
    await this.goDown('PowerLoss', 'drop');
  }

  /** The first half of a reboot: ends transactions and timers, sends what is queued, closes (or drops) the link. */
  private async goDown(stopReason: StopReason, close: { code: number; reason: string } | 'drop'): Promise<void> {
    for (const c of this.connectors) {
      if (c.tx) this.endSession(c, stopReason, false);
      c.epoch++;
      this.clock.clear(c.timer);
    }
    this.clock.clear(this.heartbeatTimer);
    await this.flush(2000);
    if (this.online) {
      this.markOffline();
      await this.client.close(close === 'drop' ? { force: true } : close).catch(() => undefined);
    }
    this.registration = 'None';
  }

  updateFirmware(req: FirmwareRequest): FirmwareAnswer {
    return this.firmwareEngine.request(req);
  }

  /** What this station's `request`-th firmware update (1 = its first) does, before the request's own rules. */
  firmwareOutcome(request: number): FirmwareOutcome {
    return this.firmwareEngine.outcome(request);
  }

  uploadLog(kind: LogUpload['kind'], location: string, requestId?: number): string | undefined {
    if (this.logUpload?.busy) return undefined;
    const fileName = `${kind}-${this.id}-${this.nowIso().replace(/[-:.]/g, '')}.tar.gz`;
    const upload: LogUpload = { kind, status: 'Idle', requestId, fileName, busy: true };
    this.logUpload = upload;
    this.log('log-upload', `${kind} ${fileName}`);
    void (async () => {
      await this.clock.sleepSim(2);
      this.setLogStatus(upload, 'Uploading');
      await this.clock.sleepSim(5);
      upload.busy = false;
      // A location naming a failure fails, as firmware downloads do: tests and the demo can show both.
      this.setLogStatus(upload, /fail/i.test(location) ? (kind === 'diagnostics' && this.version === 'ocpp1.6' ? 'UploadFailed' : 'UploadFailure') : 'Uploaded');
    })();
    return fileName;
  }

  private setLogStatus(upload: LogUpload, status: string): void {
    upload.status = status;
    this.log('log-status', status);
    this.driver.logStatus(upload);
  }

  trigger(kind: TriggerKind, connectorId?: number): void {
    setImmediate(() => {
      if (!this.isOnline()) return;
      switch (kind) {
        case 'BootNotification':
          void this.enqueue('BootNotification', () => this.driver.bootParams('Triggered')).then((res) => {
            if (res) this.stats.boots++;
          });
          break;
        case 'Heartbeat':
          this.driver.heartbeat();
          break;
        case 'StatusNotification':
          if (connectorId === undefined || connectorId === 0) this.driver.sendAllStatuses();
          else {
            const c = this.connector(connectorId);
            if (c) this.driver.sendStatus(c, true);
          }
          break;
        case 'MeterValues':
        case 'TransactionEvent':
          for (const c of this.connectors) {
            if (connectorId && c.id !== connectorId) continue;
            if (kind === 'TransactionEvent' && !c.tx) continue;
            this.driver.meterValues(c);
          }
          break;
        case 'FirmwareStatusNotification':
          this.driver.firmwareStatus(this.firmwareEngine.triggeredStatus());
          break;
        case 'LogStatusNotification':
          this.driver.logStatus(this.logUpload?.busy ? this.logUpload : { kind: 'security', status: 'Idle', fileName: '', busy: false });
          break;
      }
    });
  }
}
