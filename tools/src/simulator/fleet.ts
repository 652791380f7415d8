/** A fleet of simulated stations with shared options, deterministic for a seed. */
import { EventEmitter } from 'node:events';
import { buildDriverPopulation, type DriverPopulation, type DriverPopulationOptions } from './drivers';
import { checkFirmwareFailureRates, type FirmwareFailureRates, type FirmwareOutcome } from './firmware';
import { buildIdTags, buildStationIdentities, type StationIdentity } from './profiles';
import { SimulatedStation, emptyStationStats, type StationOptions, type StationStats } from './station';

export interface FleetOptions {
  /** Number of stations. Default 10. */
  count?: number;
  /** Share of stations speaking OCPP 2.0.1 (the rest speak 1.6). Default 0.5. */
  ocpp201Share?: number;
  /** Connectors (1.6) / EVSEs (2.0.1) per station. Default 2. */
  connectors?: number;
  /** Collector base URL; the station id is appended. Default ws://127.0.0.1:9000/ocpp. */
  url?: string;
  seed?: number;
  /** Station id prefix. Default "SIM-". */
  prefix?: string;
  speed?: number;
  meterIntervalSec?: number;
  heartbeatIntervalSec?: number;
  idleMeanSec?: number;
  faultProbability?: number;
  disconnectProbability?: number;
  zeroEnergyProbability?: number;
  autoSessions?: boolean;
  /** Stations connecting at once while starting. Default 50. */
  connectConcurrency?: number;
  password?: string;
  callTimeoutMs?: number;
  /**
   * Probability of each firmware failure mode per update, 0..1 each and at most 1 together, e.g.
   * `{ installFailed: 0.05, neverReturns: 0.01 }`. Each station draws its outcome for its n-th update
   * from its own seed (so from the fleet seed): the same seed and rates fail the same stations.
   * Default: every update succeeds (unless its location contains "fail").
   */
  firmwareFailures?: FirmwareFailureRates;
  /**
   * Exact outcomes for tests: return one for a station's n-th update (1 = its first), or undefined
   * to leave it to the seeded draw. E.g. `(id) => (id === 'SIM-0003' ? 'installFailed' : 'success')`.
   */
  firmwareFailureFor?: (stationId: string, request: number) => FirmwareOutcome | undefined;
  /**
   * Drivers with tokens (drivers.ts; seed defaults to the fleet's): valid, blocked, expired, unknown
   * and PIN drivers who mistype, and `clonedCards` cards each used every `clonedEverySec` (simulated;
   * default 3600; 0 = only through runClonedCard) at two stations at once — the k-th from the start and
   * the k-th from the end of the fleet, so give those different sites. Default: none, the plain id tags.
   */
  drivers?: DriverPopulationOptions & { clonedEverySec?: number };
}

export interface FleetStats extends StationStats {
  stations: number;
  connected: number;
  accepted: number;
  activeSessions: number;
  faultedConnectors: number;
  queuedMessages: number;
  byVersion: Record<'ocpp1.6' | 'ocpp2.0.1', number>;
  /** Station id → firmware version it currently reports. */
  firmware: Record<string, string>;
}

export class Fleet extends EventEmitter {
  readonly stations: SimulatedStation[];
  readonly identities: StationIdentity[];
  /** The driver population, when the fleet was given one. */
  readonly drivers?: DriverPopulation;
  private readonly opts: FleetOptions;
  private started = false;
  private clonedTimer?: NodeJS.Timeout;

  constructor(opts: FleetOptions = {}) {
    super();
    this.opts = opts;
    const seed = opts.seed ?? 1;
    this.identities = buildStationIdentities({
      count: opts.count ?? 10,
      ocpp201Share: opts.ocpp201Share ?? 0.5,
      connectors: opts.connectors ?? 2,
      seed,
      prefix: opts.prefix ?? 'SIM-',
    });
    // Each station has cards of its own (two per connector): one card charging at two stations at
    // once, or far apart in minutes, is what a cloned card looks like, and misuse detection would
    // rightly report it. Cloned cards are an explicit option (drivers).
    const perStation = 2 * (opts.connectors ?? 2);
    const idTags = buildIdTags(seed, Math.max(32, (opts.count ?? 10) * perStation));
    const firmwareFailures = checkFirmwareFailureRates(opts.firmwareFailures ?? {});
    const failureFor = opts.firmwareFailureFor;
    if (opts.drivers) this.drivers = buildDriverPopulation({ seed, ...opts.drivers });
    this.stations = this.identities.map((identity, index) => {
      const so: StationOptions = {
        identity,
        url: opts.url ?? 'ws://127.0.0.1:9000/ocpp',
        speed: opts.speed,
        meterIntervalSec: opts.meterIntervalSec,
        heartbeatIntervalSec: opts.heartbeatIntervalSec,
        idleMeanSec: opts.idleMeanSec,
        faultProbability: opts.faultProbability,
        disconnectProbability: opts.disconnectProbability,
        zeroEnergyProbability: opts.zeroEnergyProbability,
        autoSessions: opts.autoSessions,
        password: opts.password,
        callTimeoutMs: opts.callTimeoutMs,
        idTags: idTags.slice((index * perStation) % idTags.length, (index * perStation) % idTags.length + perStation),
        drivers: this.drivers,
        firmwareFailures,
        firmwareOutcome: failureFor ? (request) => failureFor(identity.stationId, request) : undefined,
      };
      const s = new SimulatedStation(so);
      s.on('error-note', (msg: string) => this.emit('station-error', s.id, msg));
      return s;
    });
  }

  station(id: string): SimulatedStation | undefined {
    return this.stations.find((s) => s.id === id);
  }

  /** Starts every station (bounded concurrency); resolves once each made its first connection attempt. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const limit = Math.max(1, this.opts.connectConcurrency ?? 50);
    let next = 0;
    const worker = async () => {
      while (next < this.stations.length) {
        const s = this.stations[next++];
        await s.start();
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, this.stations.length) }, worker));
    const every = this.opts.drivers?.clonedEverySec ?? 3600;
    if (this.drivers?.cloned.length && every > 0 && this.opts.autoSessions !== false) {
      this.clonedTimer = setInterval(() => this.drivers!.cloned.forEach((_, k) => void this.runClonedCard(k).catch(() => undefined)), (every * 1000) / Math.max(this.opts.speed ?? 1, 1e-9));
      this.clonedTimer.unref();
    }
  }

  /** The two stations cloned card `k` is used at: the k-th from the start and the k-th from the end. */
  clonedCardStations(k: number): [SimulatedStation, SimulatedStation] | undefined {
    const n = this.stations.length;
    if (!this.drivers?.cloned[k] || n < 2 || k >= Math.floor(n / 2)) return undefined;
    return [this.stations[k]!, this.stations[n - 1 - k]!];
  }

  /** Cloned card `k` starts a session at both of its stations at once (on their first free connector). */
  async runClonedCard(k: number, ticks?: number): Promise<void> {
    const pair = this.clonedCardStations(k);
    if (!pair) throw new Error(`no cloned card ${k} (fleet of ${this.stations.length}, ${this.drivers?.cloned.length ?? 0} cloned)`);
    const idTag = this.drivers!.cloned[k]!;
    await Promise.all(
      pair.map((s) => {
        const c = s.connectors.find((x) => !x.tx && !x.fault && x.operative);
        return c && s.isOnline() ? s.forceSession(c.id, { idTag, ticks }).catch(() => undefined) : undefined;
      }),
    );
  }

  /** Resolves when every station is accepted (or rejects after timeoutMs). */
  async whenAllAccepted(timeoutMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('fleet not accepted in time')), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.stations.map((s) => s.whenAccepted())), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.clonedTimer);
    await Promise.all(this.stations.map((s) => s.stop()));
  }

  stats(): FleetStats {
    const out: FleetStats = {
      stations: this.stations.length,
      connected: 0,
      accepted: 0,
      activeSessions: 0,
      faultedConnectors: 0,
      queuedMessages: 0,
      byVersion: { 'ocpp1.6': 0, 'ocpp2.0.1': 0 },
      firmware: {},
      ...emptyStationStats(),
    };
    for (const s of this.stations) {
      if (s.isConnected) out.connected++;
      if (s.isOnline()) out.accepted++;
      out.byVersion[s.version]++;
      out.firmware[s.id] = s.firmwareVersion;
      out.queuedMessages += s.queuedMessages;
      for (const c of s.connectors) {
        if (c.tx) out.activeSessions++;
        if (c.fault) out.faultedConnectors++;
      }
      for (const k of Object.keys(s.stats) as Array<keyof StationStats>) out[k] += s.stats[k];
    }
    return out;
  }
}

export function formatSummary(st: FleetStats): string {
  return (
    `stations ${st.stations} (1.6: ${st.byVersion['ocpp1.6']}, 2.0.1: ${st.byVersion['ocpp2.0.1']}) ` +
    `online ${st.accepted}/${st.connected} | sent ${st.messagesSent} cmds ${st.commandsReceived} errors ${st.errors} | ` +
    `sessions ${st.sessionsCompleted} done ${st.activeSessions} active | ` +
    `energy ${(st.energyDeliveredWh / 1000).toFixed(1)} kWh | faults ${st.faults} (${st.faultedConnectors} now) | ` +
    `drops ${st.disconnects} queued ${st.queuedMessages} replayed ${st.replayed}`
  );
}
