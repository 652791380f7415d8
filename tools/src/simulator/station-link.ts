/**
 * The connection layer of a simulated station (station.ts has the overview): an ocpp-rpc RPCClient in
 * strict mode, reconnects with back-off, the BootNotification loop, heartbeats and the ordered outbox.
 * The charging behaviour (charging.ts) and the CSMS commands (station.ts) are the layers above; the
 * protocol driver (protocol16.ts / protocol201.ts) sees the whole station through StationContext.
 */
import { EventEmitter } from 'node:events';
import { RPCClient } from 'ocpp-rpc';
import type {
  ConnectorSim,
  EnqueueOptions,
  FirmwareAnswer,
  FirmwareRequest,
  FirmwareState,
  LocalList,
  LogUpload,
  MeterSample,
  ProtocolDriver,
  ReadingContext,
  StationContext,
  StopReason,
  TriggerKind,
} from './model';
import type { DriverPopulation } from './drivers';
import { Outbox } from './outbox';
import type { OcppVersion, StationProfile } from './profiles';
import { Protocol16 } from './protocol16';
import { Protocol201 } from './protocol201';
import { Rng } from './random';
import { SimClock } from './sim-clock';
import { DEFAULTS, LOCAL_LIST_DEFAULTS, emptyStationStats, type Registration, type StationOptions, type StationStats } from './station-options';

export abstract class StationLink extends EventEmitter implements StationContext {
  readonly id: string;
  readonly version: OcppVersion;
  readonly profile: StationProfile;
  readonly serialNumber: string;
  readonly meterSerialNumber: string;
  readonly connectors: ConnectorSim[];
  readonly localList: LocalList;
  readonly firmware: FirmwareState = { status: 'Idle', busy: false };
  logUpload?: LogUpload;
  readonly signedFirmwareOnly: boolean;
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
  protected readonly opts: Required<
    Omit<StationOptions, 'heartbeatIntervalSec' | 'password' | 'idTags' | 'reconnectCapMs' | 'callTimeoutMs' | 'signedFirmwareOnly' | 'firmwareFailures' | 'firmwareOutcome' | 'drivers' | 'localList'>
  > &
    Pick<StationOptions, 'heartbeatIntervalSec'>;
  protected readonly idTags: readonly string[];
  protected readonly drivers?: DriverPopulation;
  protected readonly chaosRng: Rng;
  protected readonly clock: SimClock;
  protected readonly outbox: Outbox;
  private readonly reconnectCapMs: number;
  protected online = false;
  private started = false;
  protected stopped = false;
  private connecting = false;
  protected rebooting = false;
  protected offlineUntilTimer = false;
  protected heartbeatTimer?: NodeJS.Timeout;
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
    this.signedFirmwareOnly = options.signedFirmwareOnly ?? false;
    this.localList = { version: 0, entries: new Map(), limits: { ...LOCAL_LIST_DEFAULTS, ...options.localList }, answerNext: [], received: [] };
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
    this.clock = new SimClock(this.opts.speed, () => this.stopped);
    this.outbox = new Outbox(this);
    const base = new Rng(ident.seed >>> 0);
    this.chaosRng = base.fork('chaos');
    const tagRng = base.fork('tags');
    this.idTags = options.idTags?.length ? options.idTags : Array.from({ length: 16 }, () => `04${tagRng.hex(12)}`);
    this.drivers = options.drivers;
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

  get isStopped(): boolean {
    return this.stopped;
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
    this.clock.clearAll();
    for (const c of this.connectors) {
      if (c.timer) clearTimeout(c.timer);
      if (c.faultTimer) clearTimeout(c.faultTimer);
      c.tx?.reject?.(new Error('station stopped'));
    }
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.outbox.clear();
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

  // ---------------------------------------------------------------- timers and log

  /** One pending step per connector: scheduling the next replaces the previous. */
  protected scheduleConn(c: ConnectorSim, simSec: number, fn: () => void): void {
    this.clock.clear(c.timer);
    c.timer = this.clock.timer(simSec, () => {
      c.timer = undefined;
      fn();
    });
  }

  protected log(kind: string, detail: string): void {
    this.actionLog.push(`${kind}: ${detail}`);
    if (this.actionLog.length > 5000) this.actionLog.splice(0, 1000);
  }

  // ---------------------------------------------------------------- connection & boot

  protected async connectLoop(bootReason: string | null, firstStart = false): Promise<void> {
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
          await this.clock.sleepMs(Math.min(this.reconnectCapMs, this.clock.realMs(simBackoff)));
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

  protected markOffline(): void {
    this.online = false;
    this.clock.clear(this.heartbeatTimer);
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
        await this.clock.sleepMs(Math.min(this.opts.bootRetryCapMs, this.clock.realMs(30)));
        continue;
      }
      if (!res) return;
      this.registration = res.status as Registration;
      this.log('boot', `${reason} fw ${this.firmwareVersion} -> ${res.status}`);
      if (res.status === 'Accepted') {
        this.heartbeatIntervalSec = this.opts.heartbeatIntervalSec ?? (res.interval > 0 ? res.interval : 300);
        this.afterOnline(true);
        this.driver.booted?.(reason);
        return;
      }
      const waitSec = res.interval > 0 ? res.interval : 60;
      let ms = this.clock.realMs(waitSec);
      if (this.opts.speed > 1) ms = Math.min(ms, this.opts.bootRetryCapMs);
      await this.clock.sleepMs(ms);
    }
  }

  private afterOnline(booted: boolean): void {
    this.scheduleHeartbeat();
    this.driver.sendAllStatuses();
    if (booted) {
      this.emit('accepted');
      this.onAccepted();
    }
    const waiters = this.acceptedWaiters;
    this.acceptedWaiters = [];
    waiters.forEach((w) => w());
    this.outbox.drain();
  }

  protected scheduleHeartbeat(): void {
    this.clock.clear(this.heartbeatTimer);
    if (!this.online) return;
    this.heartbeatTimer = this.clock.timer(Math.max(1, this.heartbeatIntervalSec), () => {
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
    return this.outbox.enqueue(action, build, opts);
  }

  /** Waits until the outbox is empty (or the timeout passes). */
  flush(timeoutMs = 5000): Promise<void> {
    return this.outbox.flush(timeoutMs);
  }

  // ---------------------------------------------------------------- the layers above

  /** Starts random faults and network drops (charging layer). */
  protected abstract scheduleChaos(): void;
  /** The CSMS accepted a BootNotification. */
  protected abstract onAccepted(): void;
  abstract sample(c: ConnectorSim, context: ReadingContext): MeterSample;
  abstract remoteStart(connectorId: number | undefined, idTag: string, o: { needsAuth: boolean; remoteStartId?: number }): boolean;
  abstract stopTransaction(c: ConnectorSim, reason: StopReason): boolean;
  abstract changeAvailability(connectorId: number, operative: boolean): 'Accepted' | 'Rejected' | 'Scheduled';
  abstract reset(kind: 'Soft' | 'Hard' | 'Immediate' | 'OnIdle'): 'Accepted' | 'Rejected' | 'Scheduled';
  abstract updateFirmware(req: FirmwareRequest): FirmwareAnswer;
  abstract uploadLog(kind: LogUpload['kind'], location: string, requestId?: number): string | undefined;
  abstract trigger(kind: TriggerKind, connectorId?: number): void;
}
