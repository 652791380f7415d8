/** Types of the ChargeWatch collector HTTP API (v1). */

import type { ConnectorStatus } from '@chargewatch/model/status';
import type {
  ChangeAvailabilityParams,
  CommandName,
  CommandOutcome,
  CommandParams,
  CommandStatus,
  ResetParams,
  TriggerMessageParams,
  UnlockConnectorParams,
} from '@chargewatch/model/commands';

export type { ConnectorStatus };
export type {
  ChangeAvailabilityParams,
  CommandName,
  CommandOutcome,
  CommandParams,
  CommandStatus,
  ResetParams,
  TriggerMessageParams,
  UnlockConnectorParams,
};

export interface FleetFilters {
  site?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
}

export interface FleetSummary {
  stations: { total: number; online: number; offline: number };
  connectors: { total: number; byStatus: Partial<Record<ConnectorStatus | string, number>> };
  /** 0..1 as defined in model/src/status.ts (AVAILABILITY_DEFINITION); null when no port is counted */
  availability: number | null;
  faultedNow: number;
  sessions: { active: number; startedToday: number };
  energyTodayWh: number;
  generatedAt: string;
}

export type StationSortKey = 'id' | 'site' | 'vendor' | 'model' | 'firmwareVersion' | 'lastHeartbeat' | 'status';
export type SortOrder = 'asc' | 'desc';

export interface StationListQuery extends FleetFilters {
  online?: boolean;
  status?: ConnectorStatus;
  q?: string;
  sort?: StationSortKey;
  order?: SortOrder;
  limit?: number;
  offset?: number;
}

export interface ConnectorState {
  evseId: number;
  connectorId: number;
  status: ConnectorStatus | string;
  errorCode: string;
  since: string;
  transactionId?: string;
}

export interface StationSummary {
  id: string;
  online: boolean;
  site?: string;
  vendor?: string;
  model?: string;
  firmwareVersion?: string;
  lastHeartbeat?: string;
  heartbeatAgeSec?: number;
  connectors: ConnectorState[];
  openErrors: number;
  activeTransactions: number;
}

export interface StationFacets {
  sites: string[];
  vendors: string[];
  models: string[];
  firmwareVersions: string[];
}

export interface StationList {
  total: number;
  items: StationSummary[];
  /** Keyset paging: pass as `cursor` for the page after this one; null on the last page (older collectors omit it). */
  nextCursor?: string | null;
  facets: StationFacets;
}

export interface StationMetadata {
  site?: string;
  address?: string;
  latitude?: number;
  longitude?: number;
  operatingHours?: string;
  tags?: Record<string, string>;
}

export interface StationDetail extends StationSummary {
  serialNumber?: string;
  protocol?: string;
  registration?: string;
  collectorId?: string;
  connectedAt?: string;
  disconnectedAt?: string;
  firstSeen?: string;
  lastBoot?: string;
  bootReason?: string;
  metadata: StationMetadata;
}

export interface StatusChange {
  time: string;
  evseId: number;
  connectorId: number;
  status: ConnectorStatus | string;
  errorCode: string;
}

export interface StationErrorEvent {
  time: string;
  evseId: number;
  connectorId: number;
  errorCode: string;
  vendorErrorCode?: string;
  info?: string;
}

export interface ChargingSession {
  transactionId: string;
  evseId: number;
  connectorId: number;
  startedAt: string;
  endedAt?: string;
  energyWh?: number;
  stoppedReason?: string;
}

export interface ConnectionEvent {
  time: string;
  event: 'opened' | 'closed';
  remoteAddress?: string;
  code?: number;
  reason?: string;
}

export interface StationHistory {
  statusTimeline: StatusChange[];
  errors: StationErrorEvent[];
  sessions: ChargingSession[];
  connections: ConnectionEvent[];
}

/** OCPP security profile: 0 none, 1 HTTP Basic, 2 TLS + HTTP Basic, 3 TLS client certificate. */
export type SecurityProfile = 0 | 1 | 2 | 3;

export interface AuthFailureStats {
  count: number;
  firstAt: string;
  lastAt: string;
  lastReason: string;
  byReason: Record<string, number>;
}

/** `GET /api/v1/stations/{id}/security`; never carries the password or its hash. */
export interface StationSecurity {
  id: string;
  profile: SecurityProfile;
  source: 'station' | 'default';
  passwordSet: boolean;
  certFingerprint: string | null;
  updatedAt: string | null;
  recentFailures: AuthFailureStats | null;
}

export interface StationSecurityUpdate {
  profile: SecurityProfile;
  /** rotates the password; stored by the collector as an scrypt hash only */
  password?: string;
  certFingerprint?: string;
}

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface MetadataImportRow extends StationMetadata {
  stationId: string;
}

export interface AuthFailures {
  stations: Array<AuthFailureStats & { stationId: string }>;
  addresses: Array<AuthFailureStats & { address: string }>;
  totals: Record<string, number>;
  tracked: { stations: number; addresses: number; capacity: number };
  securityEventsSkipped: { budget: number; unknownStation: number };
}

/** The commands the Station page's Operations section sends (Editor and above). */
export type StationOperation = 'Reset' | 'TriggerMessage' | 'UnlockConnector' | 'ChangeAvailability';

/** One of those commands with its parameters (model/src/command-schemas.ts validates them). */
export type StationOperationRequest = {
  [N in StationOperation]: { name: N; params: CommandParams[N] };
}[StationOperation];

/**
 * A command as `GET /api/v1/commands/{id}` and the submit route serve it: model/src/commands.ts's
 * CommandRecord with ISO times (collector/src/api/command-views.ts, commandView).
 */
export interface CommandView<N extends CommandName = CommandName> {
  id: string;
  stationId: string;
  name: N;
  /** as submitted, with token ids masked and secrets removed */
  params: Partial<CommandParams[N]> & Record<string, unknown>;
  actor: { kind?: string; name?: string; role?: string };
  status: CommandStatus;
  submittedAt: string;
  deadline: string;
  waitForConnection: boolean;
  sentAt?: string;
  finishedAt?: string;
  collectorId?: string;
  protocol?: string;
  /** the OCPP action the adapter chose */
  action?: string;
  result?: { status: CommandOutcome; reason?: string; data?: Record<string, unknown> };
}

/** `GET /api/v1/stations/{id}/commands`, newest first. */
export interface CommandPage {
  total: number;
  items: CommandView[];
}
