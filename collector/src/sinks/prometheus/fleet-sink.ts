/**
 * Turns events into live Prometheus state. Keeps a small in-memory picture of each station this
 * collector has seen (identity, connectors, last register readings) because gauges need the previous
 * state to update aggregates and counters need the previous register to compute energy deltas.
 *
 * Session counters count each start and end once: events marked `resent` (already recorded in the
 * shared state, see model/src/transactions.ts) are not counted again. Open transactions follow events
 * and are reconciled with the shared state (open-transactions.ts), so a session started on another
 * collector, ended there, or closed by a sweep elsewhere leaves `chargewatch_sessions_active` true.
 */
import { Gauge } from 'prom-client';
import { isStationLevelConnector, reportedStatus, securityEventLabel, statusCode, type ChargeEvent, type ConnectorStatus } from '@chargewatch/model';
import { VendorModelBudget } from './label-budget';
import type { CollectorMetrics } from './metrics';

interface ConnectorView {
  evse: string;
  connector: string;
  status: ConnectorStatus;
  errorCode: string;
}

interface StationView {
  site: string;
  vendor: string;
  model: string;
  firmware: string;
  connected: boolean;
  everConnected: boolean;
  reconnects: number;
  skewSec?: number;
  lastSeen: number;
  connectors: Map<string, ConnectorView>;
  /**
   * Last energy register per connector and when it was read, to turn absolute readings into delivered
   * energy. This and `openTx` are created on first use: an idle station needs neither, and two empty
   * Maps cost ~0.3 KB per station (docs/performance-notes.md).
   */
  registers?: Map<string, { wh: number; time: number }>;
  /** Transactions started, with their start register, to spot zero-energy sessions. */
  openTx?: Map<string, { startWh?: number; maxWh?: number }>;
  /** Bumped by every transaction event, so a reconciliation read before one is not applied after it. */
  txGeneration: number;
}

const ENERGY_REGISTER = 'Energy.Active.Import.Register';
/** A register jump above this between two readings is a meter swap or reset, not delivered energy. */
const MAX_PLAUSIBLE_DELTA_WH = 1_000_000;

/** Distinct vendor/model pairs labelled by name when the caller sets no budget (PROM_MAX_VENDOR_MODELS). */
export const DEFAULT_MAX_VENDOR_MODELS = 100;

export class FleetMetricsSink {
  private stations = new Map<string, StationView>();
  /** `vendor`/`model` in a StationView are label values: what the budget made of the station's boot. */
  readonly vendorModels: VendorModelBudget;

  constructor(
    private readonly m: CollectorMetrics,
    private readonly now: () => number = Date.now,
    opts: { maxVendorModels?: number } = {},
  ) {
    this.vendorModels = new VendorModelBudget(opts.maxVendorModels ?? DEFAULT_MAX_VENDOR_MODELS);
    const sink = this;
    // Computed at scrape time: an age stored at event time would be stale by the next scrape. Its series
    // come straight from the fleet view instead of prom-client's table: filled by every scrape and kept
    // until the next, that table held ~0.3 KB per station (docs/performance-notes.md).
    const age = new Gauge({
      name: 'chargewatch_station_heartbeat_age_seconds',
      help: 'Seconds since the last message of any kind from the station',
      labelNames: ['station_id', 'site'],
      registers: [m.stationRegistry],
    });
    const empty = age.get.bind(age);
    age.get = async () => {
      const t = sink.now();
      const values: Array<{ labels: { station_id: string; site: string }; value: number }> = [];
      for (const [id, s] of sink.stations) values.push({ labels: { station_id: id, site: s.site }, value: Math.max(0, (t - s.lastSeen) / 1000) });
      // prom-client's own answer (name, help, type, aggregator) for a gauge that never holds a series.
      return { ...(await empty()), values };
    };
    new Gauge({
      name: 'chargewatch_stations_connected',
      help: 'Stations with an open websocket to this collector',
      labelNames: ['site'],
      registers: [m.registry],
      collect() {
        this.reset();
        const bySite = new Map<string, number>();
        for (const s of sink.stations.values()) bySite.set(s.site, (bySite.get(s.site) ?? 0) + (s.connected ? 1 : 0));
        for (const [site, n] of bySite) this.set({ site }, n);
      },
    });
    new Gauge({
      name: 'chargewatch_connectors',
      help: 'Connectors by status; connectors of disconnected stations count as status "Offline"',
      labelNames: ['site', 'vendor', 'model', 'status'],
      registers: [m.registry],
      collect() {
        this.reset();
        for (const s of sink.stations.values()) {
          for (const c of s.connectors.values()) {
            if (isStationLevelConnector(c.evse)) continue; // 1.6 connector 0 is the station itself
            this.inc({ site: s.site, vendor: s.vendor, model: s.model, status: reportedStatus(c.status, s.connected) });
          }
        }
      },
    });
    new Gauge({
      name: 'chargewatch_sessions_active',
      help: 'Open transactions',
      labelNames: ['site'],
      registers: [m.registry],
      collect() {
        this.reset();
        // Every site with stations reports a value, 0 included: "no sessions" must not read as "no data".
        for (const s of sink.stations.values()) this.inc({ site: s.site }, s.openTx?.size ?? 0);
      },
    });
  }

  private view(stationId: string): StationView {
    let s = this.stations.get(stationId);
    if (!s) {
      s = {
        site: '',
        vendor: 'unknown',
        model: 'unknown',
        firmware: '',
        connected: false,
        everConnected: false,
        reconnects: 0,
        lastSeen: this.now(),
        connectors: new Map(),
        txGeneration: 0,
      };
      this.stations.set(stationId, s);
    }
    return s;
  }

  /** Seeds a station from the registry at start, so stations offline since before a restart still show. */
  seed(stationId: string, info: { site?: string; vendor?: string; model?: string; firmware?: string; lastSeen?: number }): void {
    const s = this.view(stationId);
    s.site = info.site ?? s.site;
    if (info.vendor || info.model) Object.assign(s, this.vendorModels.labels(info.vendor ?? '', info.model ?? ''));
    s.firmware = info.firmware ?? s.firmware;
    s.lastSeen = info.lastSeen ?? s.lastSeen;
    this.m.stationConnected.set({ station_id: stationId, site: s.site }, s.connected ? 1 : 0);
    this.setInfo(stationId, s);
  }

  /** Moves a station's series to a new site label (metadata edit). */
  setSite(stationId: string, site: string): void {
    const s = this.stations.get(stationId);
    if (!s || s.site === site) {
      if (!s) this.view(stationId).site = site;
      return;
    }
    this.removeStationSeries(stationId, s);
    s.site = site;
    this.m.stationConnected.set({ station_id: stationId, site }, s.connected ? 1 : 0);
    if (s.everConnected) this.m.stationReconnects.inc({ station_id: stationId, site }, s.reconnects);
    if (s.skewSec !== undefined) this.m.stationClockSkew.set({ station_id: stationId, site }, s.skewSec);
    this.setInfo(stationId, s);
    for (const c of s.connectors.values()) this.setConnector(stationId, s, c);
  }

  record(events: ChargeEvent[]): void {
    for (const e of events) this.apply(e);
  }

  private apply(e: ChargeEvent): void {
    if (e.type === 'security.event' && e.source === 'collector') {
      // Refused logins are counted, but must not create or refresh a station's liveness.
      this.m.securityEvents.inc({ event_type: e.eventType, source: e.source });
      return;
    }
    if (e.type === 'transaction.ended' && e.closedBy === 'collector') {
      this.m.transactionsClosedByPolicy.inc({ reason: e.stoppedReason });
      // A sweep may close a transaction of a station another collector holds: no series of it here.
      if (!this.stations.has(e.stationId)) return;
    }
    const s = this.view(e.stationId);
    s.lastSeen = Math.max(s.lastSeen, e.receivedAt);
    const id = e.stationId;
    switch (e.type) {
      case 'connection.opened':
        if (s.everConnected) s.reconnects++;
        this.m.stationReconnects.inc({ station_id: id, site: s.site }, s.everConnected ? 1 : 0);
        s.everConnected = true;
        s.connected = true;
        s.lastSeen = e.receivedAt;
        this.m.stationConnected.set({ station_id: id, site: s.site }, 1);
        this.setInfo(id, s);
        break;
      case 'connection.closed':
        s.connected = false;
        this.m.stationConnected.set({ station_id: id, site: s.site }, 0);
        break;
      case 'station.booted': {
        const labels = this.vendorModels.labels(e.vendor, e.model);
        if (s.firmware !== (e.firmwareVersion ?? '') || s.vendor !== labels.vendor || s.model !== labels.model) {
          this.m.stationInfo.remove({ station_id: id, site: s.site, vendor: s.vendor, model: s.model, firmware_version: s.firmware });
        }
        s.vendor = labels.vendor;
        s.model = labels.model;
        s.firmware = e.firmwareVersion ?? '';
        this.setInfo(id, s);
        this.m.boots.inc(this.fleetLabels(s));
        break;
      }
      case 'connector.status': {
        const key = `${e.evseId}/${e.connectorId}`;
        const prev = s.connectors.get(key);
        const c: ConnectorView = { evse: String(e.evseId), connector: String(e.connectorId), status: e.status, errorCode: e.errorCode };
        s.connectors.set(key, c);
        this.setConnector(id, s, c);
        if (e.errorCode !== 'NoError' && prev?.errorCode !== e.errorCode) {
          this.m.connectorErrors.inc({ vendor: s.vendor, model: s.model, error_code: e.errorCode });
        }
        // Only live notifications measure the clock: replayed ones carry their original time.
        if (e.receivedAt - e.time < 60_000) {
          s.skewSec = (e.time - e.receivedAt) / 1000;
          this.m.stationClockSkew.set({ station_id: id, site: s.site }, s.skewSec);
        }
        break;
      }
      case 'meter.sample':
        for (const v of e.values) {
          if (v.measurand !== ENERGY_REGISTER || v.phase || (v.location && v.location !== 'Outlet')) continue;
          this.registerReading(s, `${e.evseId}/${e.connectorId}`, v.value, e.time, e.transactionId);
        }
        break;
      case 'transaction.started':
        s.txGeneration++;
        if (e.meterStartWh !== undefined && !e.resent) (s.registers ??= new Map()).set(`${e.evseId}/${e.connectorId}`, { wh: e.meterStartWh, time: e.time });
        // A resend was counted the first time, and may arrive after the end: it opens nothing.
        if (e.resent) break;
        this.m.sessionsStarted.inc(this.fleetLabels(s));
        (s.openTx ??= new Map()).set(e.transactionId, { startWh: e.meterStartWh, maxWh: e.meterStartWh });
        break;
      case 'transaction.updated':
        // Not a reason to count a transaction as open: it may be one already ended (closed by policy
        // while the station kept it). Open transactions first seen through an update arrive with the
        // reconciliation, which reads what Redis holds open.
        s.txGeneration++;
        break;
      case 'transaction.ended': {
        s.txGeneration++;
        if (e.meterStopWh !== undefined) this.registerReading(s, `${e.evseId}/${e.connectorId}`, e.meterStopWh, e.time, e.transactionId);
        const tx = s.openTx?.get(e.transactionId);
        s.openTx?.delete(e.transactionId);
        if (e.resent) break;
        this.m.sessionsEnded.inc({ ...this.fleetLabels(s), reason: e.stoppedReason || 'Local' });
        // The start from the shared state, so a session started on another collector is judged too. A
        // close by policy has no stop reading: its energy is unknown, not zero.
        const start = e.start?.meterStartWh ?? tx?.startWh;
        const end = e.meterStopWh ?? tx?.maxWh;
        const zero = start !== undefined && end !== undefined && end - start <= 0;
        if (zero && e.closedBy !== 'collector') this.m.sessionsZeroEnergy.inc(this.fleetLabels(s));
        break;
      }
      case 'certificate.signing':
        this.m.certificateSigning.inc({ certificate_type: e.certificateType, result: e.result });
        break;
      case 'security.event':
        // Collector-side types are ours (a fixed set, counted above); a station's are free text.
        this.m.securityEvents.inc({ event_type: securityEventLabel(e.eventType), source: e.source });
        break;
      case 'firmware.status':
        this.m.firmwareStatus.inc({ status: e.status });
        break;
      case 'authorization.requested':
        this.m.authorizations.inc({ result: e.result });
        break;
      default:
        break;
    }
  }

  /**
   * Counts the increase since the connector's last reading. A reading older than that one (a 1.6
   * StopTransaction's transactionData repeats the session's Transaction.Begin value; a resent message
   * repeats everything) is history, not a new baseline: taking it would count the session's energy again.
   */
  private registerReading(s: StationView, key: string, wh: number, time: number, transactionId?: string): void {
    const prev = s.registers?.get(key);
    if (prev && time < prev.time) return;
    (s.registers ??= new Map()).set(key, { wh, time });
    if (transactionId) {
      const tx = s.openTx?.get(transactionId);
      if (tx) tx.maxWh = Math.max(tx.maxWh ?? wh, wh);
    }
    if (prev === undefined) return;
    const delta = wh - prev.wh;
    if (delta > 0 && delta < MAX_PLAUSIBLE_DELTA_WH) this.m.energy.inc(this.fleetLabels(s), delta);
  }

  private fleetLabels(s: StationView) {
    return { site: s.site, vendor: s.vendor, model: s.model };
  }

  private setInfo(id: string, s: StationView): void {
    this.m.stationInfo.set({ station_id: id, site: s.site, vendor: s.vendor, model: s.model, firmware_version: s.firmware }, 1);
  }

  private setConnector(id: string, s: StationView, c: ConnectorView): void {
    const labels = { station_id: id, site: s.site, evse: c.evse, connector: c.connector };
    this.m.connectorStatusCode.set(labels, statusCode(c.status));
    this.m.connectorError.set(labels, c.errorCode !== 'NoError' ? 1 : 0);
  }

  private removeStationSeries(id: string, s: StationView): void {
    this.m.stationConnected.remove({ station_id: id, site: s.site });
    this.m.stationClockSkew.remove({ station_id: id, site: s.site });
    this.m.stationReconnects.remove({ station_id: id, site: s.site });
    this.m.stationInfo.remove({ station_id: id, site: s.site, vendor: s.vendor, model: s.model, firmware_version: s.firmware });
    for (const c of s.connectors.values()) {
      const labels = { station_id: id, site: s.site, evse: c.evse, connector: c.connector };
      this.m.connectorStatusCode.remove(labels);
      this.m.connectorError.remove(labels);
    }
  }

  /**
   * Drops a station removed from the registry (never booted, pruned): its series go, and it no longer
   * counts in the aggregates computed at scrape time.
   */
  forget(stationId: string): boolean {
    const s = this.stations.get(stationId);
    if (!s) return false;
    this.removeStationSeries(stationId, s);
    this.stations.delete(stationId);
    return true;
  }

  /** Stations with series here (whose open transactions the reconciliation checks). */
  trackedStations(): string[] {
    return [...this.stations.keys()];
  }

  /** Changes whenever a transaction event of the station is recorded. */
  transactionGeneration(stationId: string): number {
    return this.stations.get(stationId)?.txGeneration ?? 0;
  }

  /**
   * Replaces the station's open transactions with the shared state's (none when another collector owns
   * the station), unless a transaction event arrived since `generation` was read: then the events are
   * newer than the read and the next reconciliation catches up.
   */
  syncOpenTransactions(stationId: string, transactionIds: readonly string[], generation: number): void {
    const s = this.stations.get(stationId);
    if (!s || s.txGeneration !== generation) return;
    const keep = new Set(transactionIds);
    const open = s.openTx ?? (keep.size ? (s.openTx = new Map()) : undefined);
    if (!open) return;
    for (const id of open.keys()) if (!keep.has(id)) open.delete(id);
    for (const id of keep) if (!open.has(id)) open.set(id, {});
  }

  /** Number of stations currently tracked (for tests and the series budget check). */
  get size(): number {
    return this.stations.size;
  }
}
