/**
 * One simulated charging station: an ocpp-rpc RPCClient in strict mode plus a small state machine per
 * connector. Version-specific message shapes live in protocol16.ts / protocol201.ts; this file owns
 * connection handling, boot, heartbeats, the ordered outbox (with offline queueing and replay),
 * sessions, the energy model, faults, reboots and firmware updates.
 *
 * Timing: every duration is in simulated seconds and runs `speed` times faster in real time.
 * Timestamps in messages are wall-clock (so a collector sees plausible times); energy accrues per
 * meter tick as if `meterIntervalSec` had passed, so with speed > 1 energy grows faster than the
 * timestamps suggest. Random decisions come from per-connector streams, so a station with the same
 * seed makes the same decisions in the same order.
 */
import { EventEmitter } from 'node:events';
import { RPCClient } from 'ocpp-rpc';
import type {
  ConnectorSim,
  EnqueueOptions,
  FaultInfo,
  FirmwareState,
  LocalList,
  MeterSample,
  ProtocolDriver,
  ReadingContext,
  SessionPlan,
  SessionSummary,
  StationContext,
  StopReason,
  TriggerKind,
  TxSim,
} from './model';
import { FAULT_CODES, firmwareFromLocation as firmwareTarget, type FaultCode, type OcppVersion, type StationIdentity, type StationProfile } from './profiles';
import { Protocol16 } from './protocol16';
import { Protocol201 } from './protocol201';
import { Rng } from './random';

export interface StationOptions {
  identity: StationIdentity;
  /** Collector base URL, e.g. ws://127.0.0.1:9000/ocpp (the station id is appended). */
  url: string;
  /** Time-scale factor: 10 = ten simulated seconds per real second. Default 1. */
  speed?: number;
  /** Simulated seconds between meter values. Default 60. */
  meterIntervalSec?: number;
  /** Overrides the heartbeat interval the CSMS returns at boot. */
  heartbeatIntervalSec?: number;
  /** Start sessions on their own. Default true; tests turn it off and use forceSession(). */
  autoSessions?: boolean;
  /** Mean idle time between sessions on a connector, simulated seconds. Default 1800. */
  idleMeanSec?: number;
  /** Chance per connector per simulated hour of a fault. Default 0.01. */
  faultProbability?: number;
  /** Chance per station per simulated hour of a network drop. Default 0.02. */
  disconnectProbability?: number;
  /** Share of sessions that deliver no energy. Default 0.05. */
  zeroEnergyProbability?: number;
  /** Id tags drivers present; default a pool derived from the station seed. */
  idTags?: readonly string[];
  /** Real-time cap on a BootNotification retry wait when speed > 1, ms. Default 2000. */
  bootRetryCapMs?: number;
  /** Real-time cap on reconnect back-off, ms. Default 30000 (speed 1) or 2000 (speed > 1). */
  reconnectCapMs?: number;
  callTimeoutMs?: number;
  /** Basic-auth password (security profile 1), if the collector wants one. */
  password?: string;
  /** Wall clock for timestamps (ms). */
  now?: () => number;
}

/** All counters at zero; a station starts with it and the fleet sums into one. */
export function emptyStationStats(): StationStats {
  return {
    messagesSent: 0,
    commandsReceived: 0,
    errors: 0,
    boots: 0,
    connects: 0,
    disconnects: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    energyDeliveredWh: 0,
    faults: 0,
    reboots: 0,
    replayed: 0,
  };
}

export interface StationStats {
  messagesSent: number;
  /** CSMS→station calls answered. */
  commandsReceived: number;
  errors: number;
  boots: number;
  connects: number;
  disconnects: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  energyDeliveredWh: number;
  faults: number;
  reboots: number;
  /** Transaction messages sent after having been queued offline. */
  replayed: number;
}

export type Registration = 'None' | 'Pending' | 'Accepted' | 'Rejected';

interface OutItem {
  action: string;
  build: () => Record<string, unknown> | null;
  queueOffline: boolean;
  queuedOffline: boolean;
  attempts: number;
  onReply?: (reply: any) => void;
  resolve: (v: any) => void;
}

const DEFAULTS = {
  speed: 1,
  meterIntervalSec: 60,
  idleMeanSec: 1800,
  faultProbability: 0.01,
  disconnectProbability: 0.02,
  zeroEnergyProbability: 0.05,
  bootRetryCapMs: 2000,
};

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class SimulatedStation extends EventEmitter implements StationContext {
  readonly id: string;
  readonly version: OcppVersion;
  readonly profile: StationProfile;
  readonly serialNumber: string;
  readonly meterSerialNumber: string;
  readonly connectors: ConnectorSim[];
  readonly localList: LocalList = { version: 0, entries: new Map() };
  readonly firmware: FirmwareState = { status: 'Idle', busy: false };
  firmwareVersion: string;
  heartbeatIntervalSec = 300;
  meterIntervalSec: number;
  registration: Registration = 'None';
  readonly stats: StationStats = emptyStationStats();
  /**
   * Decisions this station took, in order, without timestamps or CSMS-assigned ids: the same seed gives
   * the same log (per connector when connectors run concurrently).
   */
  readonly actionLog: string[] = [];
  lastError?: string;

  readonly client: RPCClient;
  readonly driver: ProtocolDriver;
  private readonly opts: Required<Omit<StationOptions, 'heartbeatIntervalSec' | 'password' | 'idTags' | 'reconnectCapMs' | 'callTimeoutMs'>> &
    Pick<StationOptions, 'heartbeatIntervalSec'>;
  private readonly idTags: readonly string[];
  private readonly chaosRng: Rng;
  private readonly reconnectCapMs: number;
  private online = false;
  private started = false;
  private stopped = false;
  private connecting = false;
  private rebooting = false;
  private offlineUntilTimer = false;
  private resetOnIdle = false;
  private sessionsRunning = false;
  private outbox: OutItem[] = [];
  private draining = false;
  private timers = new Set<NodeJS.Timeout>();
  private heartbeatTimer?: NodeJS.Timeout;
  private txCounter = 0;
  private eventCounter = 0;
  private acceptedWaiters: Array<() => void> = [];

  constructor(options: StationOptions) {
    super();
    const ident = options.identity;
    this.id = ident.stationId;
    this.version = ident.protocol;
    this.profile = ident.profile;
    this.serialNumber = ident.serialNumber;
    this.meterSerialNumber = ident.meterSerialNumber;
    this.firmwareVersion = ident.firmwareVersion;
    this.opts = {
      identity: ident,
      url: options.url.replace(/\/+$/, ''),
      speed: options.speed && options.speed > 0 ? options.speed : DEFAULTS.speed,
      meterIntervalSec: options.meterIntervalSec ?? DEFAULTS.meterIntervalSec,
      heartbeatIntervalSec: options.heartbeatIntervalSec,
      autoSessions: options.autoSessions ?? true,
      idleMeanSec: options.idleMeanSec ?? DEFAULTS.idleMeanSec,
      faultProbability: options.faultProbability ?? DEFAULTS.faultProbability,
      disconnectProbability: options.disconnectProbability ?? DEFAULTS.disconnectProbability,
      zeroEnergyProbability: options.zeroEnergyProbability ?? DEFAULTS.zeroEnergyProbability,
      bootRetryCapMs: options.bootRetryCapMs ?? DEFAULTS.bootRetryCapMs,
      now: options.now ?? Date.now,
    };
    this.meterIntervalSec = this.opts.meterIntervalSec;
    if (this.opts.heartbeatIntervalSec) this.heartbeatIntervalSec = this.opts.heartbeatIntervalSec;
    this.reconnectCapMs = options.reconnectCapMs ?? (this.opts.speed > 1 ? 2000 : 30000);
    const base = new Rng(ident.seed >>> 0);
    this.chaosRng = base.fork('chaos');
    const tagRng = base.fork('tags');
    this.idTags = options.idTags?.length ? options.idTags : Array.from({ length: 16 }, () => `04${tagRng.hex(12)}`);
    const regRng = base.fork('registers');
    this.connectors = Array.from({ length: ident.connectors }, (_, i) => ({
      id: i + 1,
      status: 'Available' as const,
      energyWh: regRng.int(0, 5_000_000),
      operative: true,
      epoch: 0,
      rng: base.fork(`connector-${i + 1}`),
      faultRng: base.fork(`fault-${i + 1}`),
    }));

    this.client = new RPCClient({
      identity: this.id,
      endpoint: this.opts.url,
      protocols: [this.version],
      strictMode: true,
      reconnect: false,
      callTimeoutMs: options.callTimeoutMs ?? 30_000,
      ...(options.password ? { password: options.password } : {}),
    } as ConstructorParameters<typeof RPCClient>[0]);
    this.client.on('close', () => this.handleClosed());
    this.client.on('strictValidationFailure', (e: { method?: string; outbound?: boolean; error?: Error }) => {
      this.stats.errors++;
      this.lastError = `strict validation (${e.outbound ? 'out' : 'in'}) ${e.method}: ${e.error?.message}`;
      this.emit('error-note', this.lastError);
    });
    this.client.on('socketError', () => undefined);
    this.client.on('callResult', (e: { outbound: boolean }) => {
      if (!e.outbound) this.stats.commandsReceived++;
    });
    this.client.on('callError', (e: { outbound: boolean }) => {
      if (!e.outbound) this.stats.commandsReceived++;
    });

    this.driver = this.version === 'ocpp2.0.1' ? new Protocol201(this) : new Protocol16(this);
    this.driver.register(this.client);
  }

  // ---------------------------------------------------------------- lifecycle

  get speed(): number {
    return this.opts.speed;
  }

  get isConnected(): boolean {
    return this.online;
  }

  /** Pending outbox items (queued transaction messages while offline, plus in-flight traffic). */
  get queuedMessages(): number {
    return this.outbox.length;
  }

  /** Connects and sends BootNotification; resolves after the first connection attempt. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.log('start', `${this.version} ${this.profile.vendor}/${this.profile.model} fw ${this.firmwareVersion}`);
    this.scheduleChaos();
    await this.connectLoop('PowerUp', true);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.connectors) {
      if (c.timer) clearTimeout(c.timer);
      if (c.faultTimer) clearTimeout(c.faultTimer);
      c.tx?.reject?.(new Error('station stopped'));
    }
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    for (const item of this.outbox) item.resolve(undefined);
    this.outbox = [];
    try {
      await this.client.close({ code: 1001, reason: 'Simulator stopping' });
    } catch {
      /* already closed */
    }
    this.online = false;
  }

  /** Resolves once the CSMS has accepted the BootNotification. */
  whenAccepted(): Promise<void> {
    if (this.registration === 'Accepted' && this.online) return Promise.resolve();
    return new Promise((resolve) => this.acceptedWaiters.push(resolve));
  }

  isOnline(): boolean {
    return this.online && this.registration === 'Accepted' && !this.stopped;
  }

  nowIso(): string {
    return new Date(this.opts.now()).toISOString();
  }

  nextEventId(): number {
    return ++this.eventCounter;
  }

  connector(id: number): ConnectorSim | undefined {
    return this.connectors.find((c) => c.id === id);
  }

  noteCommand(action: string): void {
    this.log('command', action);
  }

  // ---------------------------------------------------------------- timers

  private realMs(simSec: number): number {
    return Math.max(1, Math.round((simSec * 1000) / this.opts.speed));
  }

  private timer(simSec: number, fn: () => void): NodeJS.Timeout {
    return this.timerMs(this.realMs(simSec), fn);
  }

  private timerMs(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private clearTimer(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  private sleepMs(ms: number): Promise<void> {
    return new Promise((resolve) => this.timerMs(ms, resolve));
  }

  private sleepSim(simSec: number): Promise<void> {
    return this.sleepMs(this.realMs(simSec));
  }

  private scheduleConn(c: ConnectorSim, simSec: number, fn: () => void): void {
    this.clearTimer(c.timer);
    c.timer = this.timer(simSec, () => {
      c.timer = undefined;
      fn();
    });
  }

  private log(kind: string, detail: string): void {
    this.actionLog.push(`${kind}: ${detail}`);
    if (this.actionLog.length > 5000) this.actionLog.splice(0, 1000);
  }

  // ---------------------------------------------------------------- connection & boot

  private async connectLoop(bootReason: string | null, firstStart = false): Promise<void> {
    if (this.connecting || this.online || this.stopped) return;
    this.connecting = true;
    let attempt = 0;
    try {
      while (!this.stopped && !this.online) {
        try {
          await this.client.connect();
        } catch (err) {
          attempt++;
          this.lastError = `connect: ${(err as Error).message}`;
          if (firstStart && attempt === 1) this.emit('connect-failed', err);
          const simBackoff = Math.min(300, 5 * 2 ** Math.min(attempt, 6));
          await this.sleepMs(Math.min(this.reconnectCapMs, this.realMs(simBackoff)));
          continue;
        }
        if (this.stopped) {
          await this.client.close({ force: true }).catch(() => undefined);
          return;
        }
        this.online = true;
        this.stats.connects++;
        this.emit('connected');
      }
    } finally {
      this.connecting = false;
    }
    if (!this.online || this.stopped) return;
    if (bootReason !== null || this.registration !== 'Accepted') {
      void this.bootLoop(bootReason ?? 'PowerUp');
    } else {
      this.log('reconnect', `replaying ${this.outbox.length} queued`);
      this.afterOnline(false);
    }
  }

  private markOffline(): void {
    this.online = false;
    this.clearTimer(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.emit('disconnected');
  }

  private handleClosed(): void {
    if (!this.online) return;
    this.markOffline();
    if (this.stopped || this.rebooting || this.offlineUntilTimer) return;
    // Unplanned loss of the connection (collector restart, network): reconnect without rebooting.
    this.stats.disconnects++;
    this.log('connection-lost', '');
    void this.connectLoop(null);
  }

  private async bootLoop(reason: string): Promise<void> {
    this.registration = 'None';
    while (!this.stopped && this.online) {
      let res: { status: string; interval: number } | undefined;
      try {
        res = (await this.client.call('BootNotification', this.driver.bootParams(reason))) as typeof res;
        this.stats.messagesSent++;
        this.stats.boots++;
      } catch (err) {
        if (!this.online || this.stopped) return;
        this.stats.errors++;
        this.lastError = `BootNotification: ${(err as Error).message}`;
        await this.sleepMs(Math.min(this.opts.bootRetryCapMs, this.realMs(30)));
        continue;
      }
      if (!res) return;
      this.registration = res.status as Registration;
      this.log('boot', `${reason} fw ${this.firmwareVersion} -> ${res.status}`);
      if (res.status === 'Accepted') {
        this.heartbeatIntervalSec = this.opts.heartbeatIntervalSec ?? (res.interval > 0 ? res.interval : 300);
        this.afterOnline(true);
        return;
      }
      const waitSec = res.interval > 0 ? res.interval : 60;
      let ms = this.realMs(waitSec);
      if (this.opts.speed > 1) ms = Math.min(ms, this.opts.bootRetryCapMs);
      await this.sleepMs(ms);
    }
  }

  private afterOnline(booted: boolean): void {
    this.scheduleHeartbeat();
    this.driver.sendAllStatuses();
    if (booted) {
      this.emit('accepted');
      if (!this.sessionsRunning) {
        // Sessions begin once the station has been accepted the first time; later they run offline too.
        this.sessionsRunning = true;
        for (const c of this.connectors) if (!c.timer && !c.tx && !c.fault) this.scheduleIdle(c);
      }
      if (this.firmware.pendingVersion !== undefined) {
        this.firmware.pendingVersion = undefined;
        this.setFirmwareStatus('Installed');
        this.firmware.busy = false;
      }
    }
    const waiters = this.acceptedWaiters;
    this.acceptedWaiters = [];
    waiters.forEach((w) => w());
    this.drain();
  }

  private scheduleHeartbeat(): void {
    this.clearTimer(this.heartbeatTimer);
    if (!this.online) return;
    this.heartbeatTimer = this.timer(Math.max(1, this.heartbeatIntervalSec), () => {
      this.heartbeatTimer = undefined;
      if (this.isOnline()) this.driver.heartbeat();
      this.scheduleHeartbeat();
    });
  }

  setHeartbeatInterval(sec: number): void {
    this.heartbeatIntervalSec = sec;
    if (this.heartbeatTimer) this.scheduleHeartbeat();
  }

  // ---------------------------------------------------------------- outbox

  enqueue(action: string, build: () => Record<string, unknown> | null, opts: EnqueueOptions = {}): Promise<any> {
    return new Promise((resolve) => {
      const queueOffline = !!opts.queueOffline;
      if (this.stopped || (!queueOffline && !this.isOnline())) {
        resolve(undefined);
        return;
      }
      this.outbox.push({ action, build, queueOffline, queuedOffline: !this.isOnline(), attempts: 0, resolve, onReply: opts.onReply });
      this.drain();
    });
  }

  /** Waits until the outbox is empty (or the timeout passes). */
  async flush(timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.outbox.length > 0 && this.isOnline() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drainLoop().finally(() => {
      this.draining = false;
    });
  }

  private async drainLoop(): Promise<void> {
    while (this.outbox.length > 0 && this.isOnline()) {
      const item = this.outbox[0];
      let params: Record<string, unknown> | null;
      try {
        params = item.build();
      } catch (err) {
        this.stats.errors++;
        this.lastError = `build ${item.action}: ${(err as Error).message}`;
        params = null;
      }
      if (params === null) {
        this.outbox.shift();
        item.resolve(undefined);
        continue;
      }
      try {
        const reply = await this.client.call(item.action, params);
        this.outbox.shift();
        this.stats.messagesSent++;
        if (item.queuedOffline) this.stats.replayed++;
        this.emit('sent', item.action, params, reply);
        try {
          item.onReply?.(reply);
        } catch (err) {
          this.lastError = `${item.action} reply: ${(err as Error).message}`;
        }
        item.resolve(reply);
      } catch (err) {
        if (!this.online || this.stopped || this.client.state !== RPCClient.OPEN) {
          // Connection lost mid-call: transaction messages stay queued for replay, the rest is dropped.
          if (!item.queueOffline) {
            this.outbox.shift();
            item.resolve(undefined);
          } else {
            item.queuedOffline = true;
          }
          break;
        }
        item.attempts++;
        const retry = item.queueOffline && (err as Error).name === 'TimeoutError' && item.attempts < 3;
        this.stats.errors++;
        this.lastError = `${item.action}: ${(err as Error).message}`;
        this.emit('error-note', this.lastError);
        if (!retry) {
          this.outbox.shift();
          item.resolve(undefined);
        }
      }
    }
    if (!this.online) {
      // Drop non-transaction messages that piled up while the link went down.
      const keep = this.outbox.filter((i) => i.queueOffline);
      for (const i of this.outbox) if (!i.queueOffline) i.resolve(undefined);
      for (const i of keep) i.queuedOffline = true;
      this.outbox = keep;
    }
  }

  // ---------------------------------------------------------------- energy model

  sample(c: ConnectorSim, context: ReadingContext, powerW = 0): MeterSample {
    const tx = c.tx;
    const p = this.profile;
    const r = c.rng;
    let voltages: number[];
    let currents: number[];
    if (p.kind === 'AC') {
      const phases = p.phases === 1 ? 1 : 3;
      voltages = Array.from({ length: phases }, () => Math.round((230 + r.float(-4, 4)) * 10) / 10);
      currents = voltages.map((v) => Math.round((powerW / phases / v) * 100) / 100);
    } else {
      const soc = tx?.soc ?? 50;
      const v = Math.round((360 + soc * 1.4 + r.float(-2, 2)) * 10) / 10;
      voltages = [v];
      currents = [Math.round((powerW / v) * 10) / 10];
    }
    return {
      timestamp: this.nowIso(),
      context,
      energyWh: c.energyWh,
      powerW: Math.round(powerW),
      kind: p.kind,
      unit: p.energyUnit,
      voltages,
      currents,
      soc: p.kind === 'DC' && tx ? Math.round(tx.soc * 10) / 10 : undefined,
    };
  }

  private acPowerKw(tx: TxSim, c: ConnectorSim): number {
    const p = this.profile;
    const cap = Math.min(p.maxPowerKw, tx.plan.vehicle.maxAcKw, p.phases === 1 ? 7.4 : 22);
    let kw = cap * c.rng.float(0.93, 1.0);
    // Onboard chargers back off near the end of the session.
    const remaining = tx.plan.chargeTicks - tx.ticks;
    if (remaining < Math.max(1, tx.plan.chargeTicks * 0.1)) kw *= 0.6;
    return kw;
  }

  private dcPowerKw(tx: TxSim, c: ConnectorSim): number {
    const pmax = Math.min(this.profile.maxPowerKw, tx.plan.vehicle.maxDcKw);
    const soc = tx.soc;
    let taper: number;
    if (soc < 50) taper = 1;
    else if (soc < 80) taper = 1 - ((soc - 50) / 30) * 0.6;
    else taper = Math.max(0.08, 0.4 - ((soc - 80) / 20) * 0.32);
    return pmax * taper * c.rng.float(0.96, 1.0);
  }

  // ---------------------------------------------------------------- sessions

  private makePlan(c: ConnectorSim, o: ForceSessionOptions & { remote?: boolean; remoteStartId?: number; needsAuth?: boolean }): SessionPlan {
    const r = c.rng;
    const dt = this.meterIntervalSec;
    const vehicle = {
      batteryKwh: r.pick([40, 52, 58, 64, 77, 82, 100]),
      maxAcKw: r.pick([7.4, 11, 11, 22]),
      maxDcKw: r.pick([50, 100, 135, 150, 170]),
      socStart: Math.round(r.float(8, 60)),
      socTarget: r.pick([80, 80, 85, 90, 100]),
    };
    const zeroEnergy = o.zeroEnergy ?? r.chance(this.opts.zeroEnergyProbability);
    const idTag = o.idTag ?? r.pick(this.idTags);
    const authDelaySec = o.remote ? r.float(1, 4) : r.float(3, 20);
    let chargeTicks: number;
    let suspendTicks: number;
    if (zeroEnergy) {
      chargeTicks = 0;
      suspendTicks = r.int(2, 6);
    } else if (this.profile.kind === 'AC') {
      chargeTicks = Math.max(1, Math.round(r.float(1200, 10800) / dt));
      suspendTicks = r.chance(0.3) ? r.int(1, 6) : 0;
    } else {
      chargeTicks = Math.max(1, Math.round(5400 / dt)); // cap; DC sessions usually end on SoC
      suspendTicks = 0;
    }
    if (o.ticks !== undefined) {
      if (zeroEnergy) suspendTicks = Math.max(1, o.ticks);
      else chargeTicks = Math.max(1, o.ticks);
    }
    if (o.suspendTicks !== undefined) suspendTicks = o.suspendTicks;
    const endReason: StopReason = o.endReason ?? (r.chance(0.5) ? 'Local' : 'EVDisconnected');
    return {
      idTag,
      needsAuth: o.needsAuth ?? true,
      authDelaySec: o.authDelaySec ?? authDelaySec,
      chargeTicks,
      suspendTicks,
      zeroEnergy,
      vehicle,
      endReason,
      unplugDelaySec: r.float(10, 120),
      remote: !!o.remote,
      remoteStartId: o.remoteStartId,
    };
  }

  private scheduleIdle(c: ConnectorSim): void {
    if (!this.opts.autoSessions) return;
    const m = this.opts.idleMeanSec;
    const delay = c.rng.exp(m, Math.min(30, m), m * 4);
    this.scheduleConn(c, delay, () => {
      if (c.status === 'Available' && c.operative && !c.fault && !c.tx && !this.rebooting) {
        this.beginSession(c, this.makePlan(c, {}));
      } else {
        this.scheduleIdle(c);
      }
    });
  }

  private beginSession(c: ConnectorSim, plan: SessionPlan, done?: ReturnType<typeof deferred<SessionSummary>>): void {
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
    done?: ReturnType<typeof deferred<SessionSummary>>,
  ): Promise<void> {
    let status = 'Accepted';
    if (plan.needsAuth) status = await this.driver.authorize(plan.idTag);
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
      powerKw = this.profile.kind === 'AC' ? this.acPowerKw(tx, c) : this.dcPowerKw(tx, c);
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
  private endSession(c: ConnectorSim, reason: StopReason, unplug = true, fault?: FaultInfo): void {
    const tx = c.tx;
    if (!tx) return;
    c.epoch++;
    this.clearTimer(c.timer);
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
      c.status = c.operative ? 'Available' : 'Unavailable';
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
    const d = deferred<SessionSummary>();
    d.promise.catch(() => undefined);
    this.beginSession(c, this.makePlan(c, { authDelaySec: 1, ...o }), d);
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
    this.clearTimer(c.timer);
    c.fault = fault;
    c.status = 'Faulted';
    this.driver.faultRaised(c, fault);
    this.clearTimer(c.faultTimer);
    c.faultTimer = this.timer(duration, () => this.clearFault(c.id));
  }

  clearFault(connectorId: number): void {
    const c = this.connector(connectorId);
    if (!c?.fault) return;
    this.clearTimer(c.faultTimer);
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
    this.timer(offlineSec, () => {
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

  private scheduleChaos(): void {
    this.timer(this.meterIntervalSec, () => {
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

  // ---------------------------------------------------------------- CSMS commands

  remoteStart(connectorId: number | undefined, idTag: string, o: { needsAuth: boolean; remoteStartId?: number }): boolean {
    const c =
      connectorId !== undefined && connectorId > 0
        ? this.connector(connectorId)
        : this.connectors.find((x) => x.status === 'Available' && x.operative && !x.tx && !x.fault);
    if (!c || c.tx || c.fault || !c.operative || this.rebooting) return false;
    if (c.status !== 'Available' && c.status !== 'Preparing') return false;
    const d = deferred<SessionSummary>();
    d.promise.catch(() => undefined);
    this.beginSession(c, this.makePlan(c, { idTag, remote: true, needsAuth: o.needsAuth, remoteStartId: o.remoteStartId }), d);
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

  private checkResetOnIdle(): void {
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
    for (const c of this.connectors) {
      if (c.tx) this.endSession(c, stopReason, false);
      c.epoch++;
      this.clearTimer(c.timer);
    }
    this.clearTimer(this.heartbeatTimer);
    await this.flush(2000);
    if (this.online) {
      this.markOffline();
      await this.client.close({ code: 1000, reason: 'Rebooting' }).catch(() => undefined);
    }
    this.registration = 'None';
    await this.sleepSim(20);
    if (this.stopped) return;
    if (newFirmware) this.firmwareVersion = newFirmware;
    for (const c of this.connectors) {
      c.reported = undefined;
      if (c.pendingOperative !== undefined) {
        c.operative = c.pendingOperative;
        c.pendingOperative = undefined;
      }
      c.status = c.fault ? 'Faulted' : c.operative ? 'Available' : 'Unavailable';
    }
    this.rebooting = false;
    this.offlineUntilTimer = false;
    await this.connectLoop(bootReason);
    for (const c of this.connectors) if (!c.fault) this.scheduleIdle(c);
  }

  updateFirmware(location: string, retrieveAt: number, requestId?: number): boolean {
    if (this.firmware.busy) return false;
    this.firmware.busy = true;
    this.firmware.requestId = requestId;
    const target = firmwareTarget(this.profile, this.firmwareVersion, location);
    this.log('firmware-update', `${this.firmwareVersion} -> ${target}`);
    void this.runFirmwareUpdate(location, retrieveAt, target);
    return true;
  }

  private async runFirmwareUpdate(location: string, retrieveAt: number, target: string): Promise<void> {
    const r = this.chaosRng.fork(`fw-${this.stats.reboots}`);
    const waitSec = Math.min(3600, Math.max(0, (retrieveAt - this.opts.now()) / 1000));
    if (waitSec > 0) await this.sleepSim(waitSec);
    this.setFirmwareStatus('Downloading');
    await this.sleepSim(r.float(10, 60));
    if (/fail/i.test(location)) {
      this.setFirmwareStatus('DownloadFailed');
      this.firmware.status = 'Idle';
      this.firmware.busy = false;
      return;
    }
    this.setFirmwareStatus('Downloaded');
    await this.sleepSim(r.float(2, 5));
    // Real stations install only once idle; give running sessions up to an hour.
    for (let waited = 0; this.connectors.some((c) => c.tx) && waited < 3600; waited += this.meterIntervalSec) {
      await this.sleepSim(this.meterIntervalSec);
    }
    this.setFirmwareStatus('Installing');
    await this.sleepSim(r.float(5, 20));
    this.firmware.pendingVersion = target;
    await this.reboot('Reboot', 'FirmwareUpdate', target);
  }

  private setFirmwareStatus(status: string): void {
    this.firmware.status = status;
    this.log('firmware-status', status);
    this.driver.firmwareStatus(status);
    if (status === 'Installed') this.firmware.status = 'Idle';
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
          this.driver.firmwareStatus(this.firmware.busy ? this.firmware.status : 'Idle');
          break;
      }
    });
  }
}

export interface ForceSessionOptions {
  idTag?: string;
  /** Meter ticks of charging (or of SuspendedEV for a zero-energy session). */
  ticks?: number;
  suspendTicks?: number;
  zeroEnergy?: boolean;
  endReason?: StopReason;
  authDelaySec?: number;
}

function uuidFrom(r: Rng): string {
  const h = r.hex(32).toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

