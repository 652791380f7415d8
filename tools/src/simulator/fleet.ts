/** A fleet of simulated stations with shared options, deterministic for a seed. */
import { EventEmitter } from 'node:events';
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
  private readonly opts: FleetOptions;
  private started = false;

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
    const idTags = buildIdTags(seed, Math.max(32, (opts.count ?? 10) * 2));
    const firmwareFailures = checkFirmwareFailureRates(opts.firmwareFailures ?? {});
    const failureFor = opts.firmwareFailureFor;
    this.stations = this.identities.map((identity) => {
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
        idTags,
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
