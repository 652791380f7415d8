/**
 * Every Prometheus metric the collector exports, in one place, so the series budget in
 * docs/data-model.md can be checked against a single file. Labels are limited to values that do not
 * churn per session or per user.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JournalMetrics, LoopDelayMetrics } from '@chargewatch/platform';

export class CollectorMetrics {
  readonly registry: Registry;
  /**
   * Series with a station_id label, served on /metrics/stations instead of /metrics: at fleet scale
   * they are most of the text, so Prometheus scrapes them on their own, slower interval
   * (docs/prometheus-operators.md) and the /metrics scrape stays small.
   */
  readonly stationRegistry: Registry;

  // Protocol
  readonly messages: Counter<'action' | 'outcome' | 'protocol'>;
  readonly callDuration: Histogram<'action'>;
  readonly validationFailures: Counter<'action' | 'protocol'>;
  readonly badMessages: Counter<'reason'>;
  readonly connectionsOpened: Counter<'protocol'>;
  readonly connectionsClosed: Counter<'code'>;
  readonly connectionsRejected: Counter<'reason'>;
  readonly connectionsReplaced: Counter<string>;
  readonly limitRefusals: Counter<'limit'>;
  /** Storm shaping (ocpp/admission.ts): handshakes answered 503 and boots answered Pending for load. */
  readonly stormDeferred: Counter<'stage'>;
  /** Failures of our own code on input that was not refused first: each one is a defect to fix. */
  readonly internalErrors: Counter<'where'>;

  // Fleet events
  readonly energy: Counter<'site' | 'vendor' | 'model'>;
  readonly sessionsStarted: Counter<'site' | 'vendor' | 'model'>;
  readonly sessionsEnded: Counter<'site' | 'vendor' | 'model' | 'reason'>;
  readonly sessionsZeroEnergy: Counter<'site' | 'vendor' | 'model'>;
  readonly boots: Counter<'site' | 'vendor' | 'model'>;
  readonly connectorErrors: Counter<'vendor' | 'model' | 'error_code'>;
  readonly securityEvents: Counter<'event_type' | 'source'>;
  readonly firmwareStatus: Counter<'status'>;
  readonly authorizations: Counter<'result'>;
  readonly transactionsClosedByPolicy: Counter<'reason'>;
  readonly certificateSigning: Counter<'certificate_type' | 'result'>;

  // Per station
  readonly stationConnected: Gauge<'station_id' | 'site'>;
  readonly stationClockSkew: Gauge<'station_id' | 'site'>;
  readonly stationReconnects: Counter<'station_id' | 'site'>;
  readonly stationInfo: Gauge<'station_id' | 'site' | 'vendor' | 'model' | 'firmware_version'>;
  readonly connectorStatusCode: Gauge<'station_id' | 'site' | 'evse' | 'connector'>;
  readonly connectorError: Gauge<'station_id' | 'site' | 'evse' | 'connector'>;

  // Pipeline
  readonly redisErrors: Counter<'operation'>;
  readonly journal: JournalMetrics;
  readonly journalRefused: Counter<'reason'>;
  /** Event-loop delay (started by the collector, not by tests that only build the metrics). */
  readonly loopDelay: LoopDelayMetrics;

  // Commands (CSMS→station)
  readonly commands: Counter<'command' | 'outcome'>;
  readonly commandDuration: Histogram<'command'>;
  readonly commandsPending: Gauge<string>;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.stationRegistry = new Registry();
    const r = [registry];
    const perStation = [this.stationRegistry];
    collectDefaultMetrics({ register: registry, prefix: 'chargewatch_process_' });
    this.loopDelay = new LoopDelayMetrics(registry);

    this.messages = new Counter({ name: 'chargewatch_ocpp_messages_total', help: 'Station→CSMS calls handled, by action and outcome', labelNames: ['action', 'outcome', 'protocol'], registers: r });
    this.callDuration = new Histogram({
      name: 'chargewatch_ocpp_call_duration_seconds',
      help: 'Time from receiving a call to sending its reply',
      labelNames: ['action'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: r,
    });
    this.validationFailures = new Counter({ name: 'chargewatch_ocpp_validation_failures_total', help: 'Calls or replies that failed OCPP schema validation', labelNames: ['action', 'protocol'], registers: r });
    this.badMessages = new Counter({ name: 'chargewatch_ocpp_bad_messages_total', help: 'Frames that are not valid OCPP-J', labelNames: ['reason'], registers: r });
    this.connectionsOpened = new Counter({ name: 'chargewatch_connections_opened_total', help: 'Websocket connections accepted', labelNames: ['protocol'], registers: r });
    this.connectionsClosed = new Counter({ name: 'chargewatch_connections_closed_total', help: 'Websocket connections closed, by close code', labelNames: ['code'], registers: r });
    this.connectionsRejected = new Counter({ name: 'chargewatch_connections_rejected_total', help: 'Websocket handshakes refused', labelNames: ['reason'], registers: r });
    this.internalErrors = new Counter({
      name: 'chargewatch_internal_errors_total',
      help: 'Unexpected failures while handling client input, answered and contained (where: upgrade, connection, call, api, process)',
      labelNames: ['where'],
      registers: r,
    });
    this.connectionsReplaced = new Counter({ name: 'chargewatch_connections_replaced_total', help: 'Connections closed because the same station connected again', registers: r });
    this.stormDeferred = new Counter({
      name: 'chargewatch_storm_deferred_total',
      help: 'Stations sent away for load: stage handshake (HTTP 503 with Retry-After, OCPP_MAX_CONCURRENT_HANDSHAKES) or boot (BootNotification Pending, OCPP_MAX_CONCURRENT_BOOTS)',
      labelNames: ['stage'],
      registers: r,
    });
    this.limitRefusals = new Counter({
      name: 'chargewatch_ocpp_limit_refusals_total',
      help: 'Calls refused because they name an EVSE or connector id above OCPP_MAX_EVSE_ID / OCPP_MAX_CONNECTOR_ID (limit evse_id, connector_id)',
      labelNames: ['limit'],
      registers: r,
    });
    for (const limit of ['evse_id', 'connector_id']) this.limitRefusals.inc({ limit }, 0);

    const fleet = ['site', 'vendor', 'model'] as const;
    this.energy = new Counter({ name: 'chargewatch_energy_delivered_wh_total', help: 'Energy delivered (Wh), from increases of Energy.Active.Import.Register', labelNames: fleet, registers: r });
    this.sessionsStarted = new Counter({ name: 'chargewatch_sessions_started_total', help: 'Transactions started', labelNames: fleet, registers: r });
    this.sessionsEnded = new Counter({ name: 'chargewatch_sessions_ended_total', help: 'Transactions ended, by stop reason', labelNames: [...fleet, 'reason'], registers: r });
    this.sessionsZeroEnergy = new Counter({ name: 'chargewatch_sessions_zero_energy_total', help: 'Transactions that ended having delivered 0 Wh', labelNames: fleet, registers: r });
    this.boots = new Counter({ name: 'chargewatch_boots_total', help: 'Boot notifications', labelNames: fleet, registers: r });
    this.connectorErrors = new Counter({ name: 'chargewatch_connector_errors_total', help: 'Connector transitions into an error code', labelNames: ['vendor', 'model', 'error_code'], registers: r });
    this.securityEvents = new Counter({ name: 'chargewatch_security_events_total', help: 'Security events reported by stations or detected by the collector', labelNames: ['event_type', 'source'], registers: r });
    this.firmwareStatus = new Counter({ name: 'chargewatch_firmware_status_total', help: 'Firmware status notifications', labelNames: ['status'], registers: r });
    this.authorizations = new Counter({ name: 'chargewatch_authorizations_total', help: 'Authorization decisions', labelNames: ['result'], registers: r });
    this.transactionsClosedByPolicy = new Counter({
      name: 'chargewatch_transactions_closed_by_policy_total',
      help: 'Transactions the collector closed because the station never will (reason StaleAfterReboot or StaleNoActivity)',
      labelNames: ['reason'],
      registers: r,
    });
    this.certificateSigning = new Counter({
      name: 'chargewatch_certificate_signing_requests_total',
      help: 'SignCertificate requests from stations, by certificate type (ChargingStationCertificate, V2GCertificate, Unspecified) and answer',
      labelNames: ['certificate_type', 'result'],
      registers: r,
    });

    this.stationConnected = new Gauge({ name: 'chargewatch_station_connected', help: '1 while the station has a websocket to this collector', labelNames: ['station_id', 'site'], registers: perStation });
    this.stationClockSkew = new Gauge({ name: 'chargewatch_station_clock_skew_seconds', help: 'Station clock minus collector clock at the last timestamped status', labelNames: ['station_id', 'site'], registers: perStation });
    this.stationReconnects = new Counter({ name: 'chargewatch_station_reconnects_total', help: 'Connections opened by the station after its first', labelNames: ['station_id', 'site'], registers: perStation });
    this.stationInfo = new Gauge({ name: 'chargewatch_station_info', help: 'Station identity (value 1)', labelNames: ['station_id', 'site', 'vendor', 'model', 'firmware_version'], registers: perStation });
    this.connectorStatusCode = new Gauge({ name: 'chargewatch_connector_status_code', help: 'Connector status as a code (see docs/data-model.md)', labelNames: ['station_id', 'site', 'evse', 'connector'], registers: perStation });
    this.connectorError = new Gauge({ name: 'chargewatch_connector_error', help: '1 while the connector reports an error code other than NoError', labelNames: ['station_id', 'site', 'evse', 'connector'], registers: perStation });

    // The event path's metrics, the same in the worker when it runs the InfluxDB writer.
    this.journal = new JournalMetrics(registry);
    this.journalRefused = new Counter({ name: 'chargewatch_journal_refused_total', help: 'Calls answered with a CALLERROR because their events could not be made durable', labelNames: ['reason'], registers: r });
    this.commands = new Counter({ name: 'chargewatch_commands_total', help: 'Commands ended by this process, by command and outcome', labelNames: ['command', 'outcome'], registers: r });
    this.commandDuration = new Histogram({
      name: 'chargewatch_command_duration_seconds',
      help: 'Time from sending a command to the station until its answer (CALLRESULT, CALLERROR or timeout)',
      labelNames: ['command'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    });
    this.commandsPending = new Gauge({ name: 'chargewatch_commands_pending', help: 'Commands submitted and not yet ended, fleet-wide (queued or on the wire)', registers: r });
    this.redisErrors = new Counter({ name: 'chargewatch_redis_errors_total', help: 'Failed Redis operations', labelNames: ['operation'], registers: r });
  }

}
