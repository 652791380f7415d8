/**
 * The version-independent event model.
 *
 * Protocol adapters (src/ocpp/adapters) turn OCPP 1.6J and 2.0.1 messages into these events; everything
 * downstream (sinks, state, API) consumes only these types. No field here may require knowing which OCPP
 * version a station speaks: where the versions differ, the adapter maps to the common meaning.
 *
 * Times are epoch milliseconds. Energy is Wh, power W, current A, voltage V, temperature Celsius,
 * state of charge percent.
 */

import type { ConnectorStatus } from './status';

export type { ConnectorStatus } from './status';

/** Where a connector sits. 1.6 connector N maps to evse N, connector 1; 1.6 connector 0 to evse 0, connector 0. */
export interface ConnectorRef {
  evseId: number;
  connectorId: number;
}

export type IdTokenType =
  | 'Central'
  | 'eMAID'
  | 'ISO14443'
  | 'ISO15693'
  | 'KeyCode'
  | 'Local'
  | 'MacAddress'
  | 'NoAuthorization'
  | 'Unknown';

export interface IdToken {
  id: string;
  type: IdTokenType;
}

export interface SampledValue {
  /** OCPP measurand name, e.g. `Energy.Active.Import.Register`, `Power.Active.Import`, `SoC`. */
  measurand: string;
  /** Value converted to the base unit below. */
  value: number;
  /** Base unit after normalisation: Wh, varh, W, var, VA, A, V, Celsius, Percent, Hz, or the station's own. */
  unit: string;
  phase?: string;
  location?: string;
  context?: string;
}

interface EventBase {
  stationId: string;
  /** When it happened, by the station's clock where the message carries a time, else receive time. */
  time: number;
  /** When the collector received it. Difference to `time` exposes clock skew and offline replays. */
  receivedAt: number;
}

export interface ConnectionOpened extends EventBase {
  type: 'connection.opened';
  remoteAddress: string;
  /** Negotiated subprotocol; kept for the registry, not for branching downstream. */
  protocol: string;
  collectorId: string;
  /** true when this connection replaced an older one with the same identity. */
  replaced: boolean;
}

export interface ConnectionClosed extends EventBase {
  type: 'connection.closed';
  code: number;
  reason: string;
  collectorId: string;
}

export interface StationBooted extends EventBase {
  type: 'station.booted';
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
  /** 2.0.1 boot reason; 1.6 has none. */
  reason?: string;
  /** Registration status the CSMS answered with. */
  registration: 'Accepted' | 'Pending' | 'Rejected';
}

export interface Heartbeat extends EventBase {
  type: 'station.heartbeat';
}

export interface ConnectorStatusChanged extends EventBase, ConnectorRef {
  type: 'connector.status';
  status: ConnectorStatus;
  /** OCPP error code, `NoError` when the station reports none. */
  errorCode: string;
  vendorErrorCode?: string;
  vendorId?: string;
  info?: string;
}

export interface MeterSample extends EventBase, ConnectorRef {
  type: 'meter.sample';
  transactionId?: string;
  /** OCPP reading context of the sample set (`Sample.Periodic`, `Transaction.Begin`, …). */
  context: string;
  values: SampledValue[];
}

export interface TransactionStarted extends EventBase, ConnectorRef {
  type: 'transaction.started';
  transactionId: string;
  idToken?: IdToken;
  meterStartWh?: number;
  reservationId?: number;
  /**
   * What the CSMS answered for this message's token (1.6 StartTransaction; 2.0.1 TransactionEvent
   * carrying an idToken): Accepted, Blocked, ConcurrentTx, … A refused start is still a start the
   * station reported, and misuse rules judge it like a refused Authorize.
   */
  authorization?: string;
  /** true when the station reports it happened while offline. */
  offline: boolean;
  seqNo?: number;
  triggerReason?: string;
  /**
   * true when the shared state already holds this start: the station resent it because our answer was
   * lost. Consumers keep it idempotent (InfluxDB overwrites the same point) and never count it again.
   */
  resent?: boolean;
}

/** What the shared state knew about a transaction's start when its end was handled. */
export interface TransactionStart {
  time: number;
  meterStartWh?: number;
  idToken?: IdToken;
}

/**
 * Why the collector ended a transaction the station never stopped (`closedBy: 'collector'`):
 * - `StaleAfterReboot`: the station booted after the transaction's last activity and then reported its
 *   connector Available, so the station no longer has it;
 * - `StaleNoActivity`: no meter value or transaction message named it for TX_STALE_AFTER_SEC.
 */
export const COLLECTOR_STOP_REASONS = ['StaleAfterReboot', 'StaleNoActivity'] as const;
export type CollectorStopReason = (typeof COLLECTOR_STOP_REASONS)[number];

export interface TransactionUpdated extends EventBase, ConnectorRef {
  type: 'transaction.updated';
  transactionId: string;
  /** Charging, EVConnected, SuspendedEV, SuspendedEVSE or Idle. */
  chargingState?: string;
  idToken?: IdToken;
  /**
   * What the CSMS answered for this message's token (1.6 StartTransaction; 2.0.1 TransactionEvent
   * carrying an idToken): Accepted, Blocked, ConcurrentTx, … A refused start is still a start the
   * station reported, and misuse rules judge it like a refused Authorize.
   */
  authorization?: string;
  offline: boolean;
  seqNo?: number;
  triggerReason?: string;
}

export interface TransactionEnded extends EventBase, ConnectorRef {
  type: 'transaction.ended';
  transactionId: string;
  meterStopWh?: number;
  /** The station's stop reason, or a CollectorStopReason when `closedBy` is `collector`. */
  stoppedReason: string;
  idToken?: IdToken;
  offline: boolean;
  seqNo?: number;
  triggerReason?: string;
  /**
   * The start as recorded in the shared state (Redis) when the end was handled, so energy and duration
   * are right whichever collector saw the start and across restarts. Absent when no start was recorded.
   */
  start?: TransactionStart;
  /** `station` for the station's own Stop/Ended message, `collector` for a close by policy. Absent = station. */
  closedBy?: 'station' | 'collector';
  /**
   * true when this transaction's end was already recorded: the station resent its Stop/Ended, or sent it
   * after the collector had closed the transaction by policy. Consumers must not count it again.
   */
  resent?: boolean;
  /**
   * On the station's own end of a transaction the collector had already closed by policy: when and why
   * that provisional close was recorded. The station's figures (meterStopWh, stoppedReason) win; InfluxDB
   * writes this end at `supersedes.time`, replacing the provisional point rather than adding a second one.
   */
  supersedes?: { time: number; stoppedReason: string };
}

export interface AuthorizationRequested extends EventBase {
  type: 'authorization.requested';
  idToken: IdToken;
  /** Decision returned to the station: Accepted, Blocked, Expired, Invalid, Unknown, … */
  result: string;
}

export interface FirmwareStatus extends EventBase {
  type: 'firmware.status';
  status: string;
  requestId?: number;
}

/** 1.6 DiagnosticsStatusNotification and 2.0.1 LogStatusNotification. */
export interface LogUploadStatus extends EventBase {
  type: 'log.status';
  status: string;
  requestId?: number;
}

export interface SecurityEvent extends EventBase {
  type: 'security.event';
  /** e.g. `InvalidCentralSystemCertificate`, `TamperDetectionActivated`, or a collector-side event. */
  eventType: string;
  techInfo?: string;
  /** `station` when reported by the station, `collector` when detected by us. */
  source: 'station' | 'collector';
}

/**
 * One item of a 2.0.1 NotifyEvent. Its `Problem` and `AvailabilityState` items also raise and clear
 * connector errors (rules in problems.ts): the adapter then adds a `connector.status` event carrying the
 * connector's resulting error code.
 */
export interface DeviceEvent extends EventBase {
  type: 'device.event';
  eventId: number;
  trigger: string;
  component: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  actualValue: string;
  techCode?: string;
  techInfo?: string;
  cleared: boolean;
  severity?: number;
}

export interface DeviceReport extends EventBase {
  type: 'device.report';
  requestId: number;
  seqNo: number;
  /** true when more parts follow. */
  tbc: boolean;
  items: Array<{ component: string; variable: string; attribute?: string; value?: string }>;
}

/**
 * A station asked the CSMS to sign a certificate (1.6 Security Whitepaper and 2.0.1 SignCertificate).
 * Answered Rejected until certificate management exists; recorded so operators see who asks.
 */
export interface CertificateSigningRequested extends EventBase {
  type: 'certificate.signing';
  /** `ChargingStationCertificate`, `V2GCertificate`, or `Unspecified` when the station names none (1.6 always). */
  certificateType: 'ChargingStationCertificate' | 'V2GCertificate' | 'Unspecified';
  /** Length of the PEM CSR in characters; the CSR itself stays out of events. */
  csrLength: number;
  result: 'Accepted' | 'Rejected';
}

export interface DataTransferReceived extends EventBase {
  type: 'data.transfer';
  vendorId: string;
  messageId?: string;
  /** Payload length in characters; the payload itself stays out of metrics and tags. */
  dataLength: number;
}

export type ChargeEvent =
  | ConnectionOpened
  | ConnectionClosed
  | StationBooted
  | Heartbeat
  | ConnectorStatusChanged
  | MeterSample
  | TransactionStarted
  | TransactionUpdated
  | TransactionEnded
  | AuthorizationRequested
  | FirmwareStatus
  | LogUploadStatus
  | SecurityEvent
  | DeviceEvent
  | DeviceReport
  | CertificateSigningRequested
  | DataTransferReceived;

export type ChargeEventType = ChargeEvent['type'];
export type EventOf<T extends ChargeEventType> = Extract<ChargeEvent, { type: T }>;
