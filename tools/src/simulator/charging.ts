/**
 * The charging behaviour of a simulated station (station.ts has the overview): sessions on each
 * connector (plug-in, authorization, meter ticks, end, unplug), the energy model, faults and random
 * network drops, plus the test and demo hooks that force them. Timing is simulated: every duration
 * runs `speed` times faster in real time.
 */
import type { ConnectorSim, FaultInfo, MeterSample, ReadingContext, SessionPlan, SessionSummary, StopReason, TxSim } from './model';
import { acPowerKw, dcPowerKw, meterSample } from './energy';
import { FAULT_CODES, type FaultCode } from './profiles';
import { Rng } from './random';
import { planSession, uuidFrom, type PlanOptions } from './session-plan';
import { StationLink } from './station-link';
import type { ForceSessionOptions } from './station-options';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export abstract class ChargingStation extends StationLink {
  private txCounter = 0;
  private sessionsRunning = false;

  /** A reset asked for "when idle" may be due once a connector is free again (command layer). */
  protected abstract checkResetOnIdle(): void;

  protected onAccepted(): void {
    if (!this.sessionsRunning) {
      // Sessions begin once the station has been accepted the first time; later they run offline too.
      this.sessionsRunning = true;
      for (const c of this.connectors) if (!c.timer && !c.tx && !c.fault) this.scheduleIdle(c);
    }
  }

  // ---------------------------------------------------------------- energy model

  sample(c: ConnectorSim, context: ReadingContext, powerW = 0): MeterSample {
    return meterSample(this.profile, c, context, powerW, this.nowIso());
  }

  // ---------------------------------------------------------------- sessions

  /** The station's cards not charging on another connector right now (a card is in one car at a time). */
  private freeIdTags(c: ConnectorSim): readonly string[] {
    const busy = new Set(this.connectors.filter((x) => x !== c && x.tx).map((x) => x.tx!.idTag));
    const free = this.idTags.filter((t) => !busy.has(t));
    return free.length ? free : this.idTags;
  }

  protected plan(c: ConnectorSim, o: PlanOptions): SessionPlan {
    return planSession(
      c,
      { meterIntervalSec: this.meterIntervalSec, zeroEnergyProbability: this.opts.zeroEnergyProbability, idTags: this.freeIdTags(c), kind: this.profile.kind, pickDriver: this.drivers && ((r) => this.drivers!.pick(r)) },
      o,
    );
  }

  protected scheduleIdle(c: ConnectorSim): void {
    if (!this.opts.autoSessions) return;
    const m = this.opts.idleMeanSec;
    const delay = c.rng.exp(m, Math.min(30, m), m * 4);
    this.scheduleConn(c, delay, () => {
      if (c.status === 'Available' && c.operative && !c.fault && !c.tx && !this.rebooting && !this.firmware.hold) {
        this.beginSession(c, this.plan(c, {}));
      } else {
        this.scheduleIdle(c);
      }
    });
  }

  protected beginSession(c: ConnectorSim, plan: SessionPlan, done?: Deferred<SessionSummary>): void {
    const epoch = ++c.epoch;
    this.log(
      `c${c.id} plug-in`,
      `${plan.idTag} charge=${plan.chargeTicks} suspend=${plan.suspendTicks} zero=${plan.zeroEnergy} end=${plan.endReason}${plan.remote ? ' remote' : ''}`,
    );
    c.status = 'Preparing';
    this.driver.sendStatus(c);
    this.scheduleConn(c, plan.authDelaySec, () => void this.authorizeAndStart(c, plan, epoch, done));
  }

  private async authorizeAndStart(
    c: ConnectorSim,
    plan: SessionPlan,
    epoch: number,
    done?: Deferred<SessionSummary>,
  ): Promise<void> {
    let status = 'Accepted';
    // A PIN driver mistypes first: each wrong PIN is an Authorize of its own (whatever it is answered).
    for (const wrong of plan.needsAuth ? (plan.typos ?? []) : []) {
      const answer = await this.driver.authorize(wrong, plan.idTokenType);
      this.log(`c${c.id} pin-typo`, `${answer}`);
      if (c.epoch !== epoch || this.stopped) break;
    }
    if (plan.needsAuth) status = await this.driver.authorize(plan.idTag, plan.idTokenType);
    if (c.epoch !== epoch || this.stopped) {
      done?.reject(new Error('session interrupted before start'));
      return;
    }
    if (status !== 'Accepted') {
      this.log(`c${c.id} auth-rejected`, `${plan.idTag} ${status}`);
      done?.reject(new Error(`authorization ${status}`));
      this.scheduleConn(c, 10, () => this.unplug(c));
      return;
    }
    const tx: TxSim = {
      localId: ++this.txCounter,
      idTag: plan.idTag,
      transactionId: this.version === 'ocpp2.0.1' ? uuidFrom(c.rng) : undefined,
      meterStartWh: c.energyWh,
      startedAt: this.opts.now(),
      seqNo: 0,
      ticks: 0,
      soc: plan.vehicle.socStart,
      chargingState: plan.zeroEnergy || plan.chargeTicks === 0 ? 'SuspendedEV' : 'Charging',
      timeSpentChargingSec: 0,
      plan,
      beginSample: undefined as unknown as MeterSample,
      resolve: done?.resolve,
      reject: done?.reject,
    };
    c.tx = tx;
    tx.beginSample = this.sample(c, 'Transaction.Begin');
    c.status = tx.chargingState;
    this.stats.sessionsStarted++;
    this.log(`c${c.id} start`, `meterStart=${tx.meterStartWh}`);
    this.driver.txStarted(c, tx, tx.beginSample, () => {
      if (c.tx === tx) {
        this.log(`c${c.id} deauthorized`, tx.idTag);
        this.endSession(c, 'DeAuthorized');
      }
    });
    this.scheduleConn(c, this.meterIntervalSec, () => this.meterTick(c, tx));
  }

  private meterTick(c: ConnectorSim, tx: TxSim): void {
    if (c.tx !== tx) return;
    const dt = this.meterIntervalSec;
    tx.ticks++;
    const plan = tx.plan;
    let powerKw = 0;
    let state: TxSim['chargingState'] = 'SuspendedEV';
    if (!plan.zeroEnergy && tx.ticks <= plan.chargeTicks && tx.soc < plan.vehicle.socTarget) {
      powerKw = this.profile.kind === 'AC' ? acPowerKw(this.profile, tx, c) : dcPowerKw(this.profile, tx, c);
      state = 'Charging';
    }
    const wh = Math.round((powerKw * 1000 * dt) / 3600);
    c.energyWh += wh;
    if (wh > 0) {
      tx.timeSpentChargingSec += dt;
      tx.soc = Math.min(100, tx.soc + (wh / 1000 / plan.vehicle.batteryKwh) * 100);
    }
    const sample = this.sample(c, 'Sample.Periodic', powerKw * 1000);
    if (state !== tx.chargingState) {
      tx.chargingState = state;
      c.status = state;
      this.log(`c${c.id} state`, state);
      this.driver.txUpdated(c, tx, sample, 'chargingState');
    } else {
      this.driver.txUpdated(c, tx, sample, 'periodic');
    }
    const dcFull = this.profile.kind === 'DC' && !plan.zeroEnergy && tx.soc >= plan.vehicle.socTarget;
    const ticksDone = tx.ticks >= plan.chargeTicks + plan.suspendTicks;
    if (ticksDone || dcFull) {
      this.endSession(c, dcFull && !ticksDone ? (this.version === 'ocpp2.0.1' ? 'SOCLimitReached' : 'EVDisconnected') : plan.endReason);
    } else {
      this.scheduleConn(c, dt, () => this.meterTick(c, tx));
    }
  }

  /** Ends the running transaction; `unplug` false when the station is going down or faulted. */
  protected endSession(c: ConnectorSim, reason: StopReason, unplug = true, fault?: FaultInfo): void {
    const tx = c.tx;
    if (!tx) return;
    c.epoch++;
    this.clock.clear(c.timer);
    const sample = this.sample(c, 'Transaction.End');
    c.tx = undefined;
    if (unplug) c.status = 'Finishing';
    this.driver.txEnded(c, tx, sample, reason, fault);
    if (unplug) this.driver.sendStatus(c);
    this.stats.sessionsCompleted++;
    this.stats.energyDeliveredWh += c.energyWh - tx.meterStartWh;
    this.log(`c${c.id} stop`, `${reason} energy=${c.energyWh - tx.meterStartWh}`);
    tx.resolve?.({
      connectorId: c.id,
      idTag: tx.idTag,
      transactionId: tx.transactionId,
      meterStartWh: tx.meterStartWh,
      meterStopWh: c.energyWh,
      reason,
    });
    this.emit('session-ended', c.id, reason);
    if (unplug) this.scheduleConn(c, tx.plan.unplugDelaySec, () => this.unplug(c));
  }

  private unplug(c: ConnectorSim): void {
    if (c.pendingOperative !== undefined) {
      c.operative = c.pendingOperative;
      c.pendingOperative = undefined;
    }
    if (!c.fault) {
      c.status = c.operative && this.firmware.hold !== 'unavailable' ? 'Available' : 'Unavailable';
      this.driver.sendStatus(c);
    }
    this.scheduleIdle(c);
    this.checkResetOnIdle();
  }

  // ---------------------------------------------------------------- test / demo hooks

  /**
   * Plugs in a car now and runs a whole session; resolves with its summary when it ends.
   * Rejects when authorization fails or the session is interrupted before it starts.
   */
  forceSession(connectorId: number, o: ForceSessionOptions = {}): Promise<SessionSummary> {
    const c = this.connector(connectorId);
    if (!c) return Promise.reject(new Error(`no connector ${connectorId}`));
    if (c.tx || c.fault || !c.operative || this.rebooting) return Promise.reject(new Error(`connector ${connectorId} busy`));
    if (this.firmware.hold) return Promise.reject(new Error('firmware update pending: no new sessions'));
    const d = deferred<SessionSummary>();
    d.promise.catch(() => undefined);
    this.beginSession(c, this.plan(c, { authDelaySec: 1, ...o }), d);
    return d.promise;
  }

  /** Raises a fault on a connector (stopping its transaction); it clears after `durationSec` (simulated). */
  forceFault(connectorId: number, code?: FaultCode, durationSec?: number): void {
    const c = this.connector(connectorId);
    if (!c || c.fault) return;
    const r = c.faultRng;
    const faultCode = code ?? r.pick(FAULT_CODES);
    const duration = durationSec ?? r.float(120, 1800);
    const fault: FaultInfo = {
      code: faultCode,
      vendorErrorCode: this.profile.vendorErrors[faultCode] ?? 'UNKNOWN',
      since: this.opts.now(),
      eventId: this.nextEventId(),
    };
    this.stats.faults++;
    this.log(`c${c.id} fault`, `${faultCode} ${Math.round(duration)}s`);
    if (c.tx) this.endSession(c, 'Fault', false, fault);
    c.epoch++;
    this.clock.clear(c.timer);
    c.fault = fault;
    c.status = 'Faulted';
    this.driver.faultRaised(c, fault);
    this.clock.clear(c.faultTimer);
    c.faultTimer = this.clock.timer(duration, () => this.clearFault(c.id));
  }

  clearFault(connectorId: number): void {
    const c = this.connector(connectorId);
    if (!c?.fault) return;
    this.clock.clear(c.faultTimer);
    c.faultTimer = undefined;
    const fault = c.fault;
    c.fault = undefined;
    c.status = c.operative ? 'Available' : 'Unavailable';
    this.log(`c${c.id} recovered`, fault.code);
    this.driver.faultCleared(c, fault);
    this.scheduleIdle(c);
  }

  /** Drops the connection for `offlineSec` simulated seconds; transactions keep running and queue. */
  async forceDisconnect(offlineSec = 120): Promise<void> {
    if (!this.online || this.rebooting) return;
    this.offlineUntilTimer = true;
    this.stats.disconnects++;
    this.log('disconnect', `${Math.round(offlineSec)}s`);
    this.markOffline();
    await this.client.close({ force: true }).catch(() => undefined);
    this.clock.timer(offlineSec, () => {
      this.offlineUntilTimer = false;
      void this.connectLoop(null);
    });
  }

  /** Reconnects now after forceDisconnect (tests). */
  reconnectNow(): Promise<void> {
    this.offlineUntilTimer = false;
    return this.connectLoop(null);
  }

  // ---------------------------------------------------------------- chaos

  protected scheduleChaos(): void {
    this.clock.timer(this.meterIntervalSec, () => {
      const dt = this.meterIntervalSec;
      const pf = Rng.perTick(this.opts.faultProbability, dt);
      for (const c of this.connectors) {
        if (c.faultRng.chance(pf) && !c.fault && !this.rebooting) this.forceFault(c.id);
      }
      const pd = Rng.perTick(this.opts.disconnectProbability, dt);
      if (this.chaosRng.chance(pd)) {
        const offline = this.chaosRng.float(30, 900);
        if (this.isOnline()) void this.forceDisconnect(offline);
      }
      this.scheduleChaos();
    });
  }
}
