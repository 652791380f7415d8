/**
 * The collector's access-control API as the plugin sees it: tokens and accounts
 * (collector/src/api/token-schemas.ts) and misuse incidents (incident-schemas.ts). A token never
 * carries its PIN: `hasPin` says whether a KeyCode has one; an incident names its token masked only.
 */
import type { OcpiTokenType, TokenStatus, TokenType } from '@chargewatch/model/access';
import type { IncidentStatus, MisuseRule, MisuseSeverity } from '@chargewatch/model/misuse';
import type { LocalListOutcome, LocalListState } from '@chargewatch/model/local-list-sync';
import type { MaintenanceWindow } from './firmwareTypes';

export type {
  OcpiTokenType,
  TokenStatus,
  TokenType,
  IncidentStatus,
  MisuseRule,
  MisuseSeverity,
  LocalListState,
  LocalListOutcome,
};

export interface AccessToken {
  id: string;
  type: TokenType;
  /** Absent for KeyCode (a PIN is never shown). */
  uid?: string;
  hasPin?: boolean;
  ocpiType: OcpiTokenType;
  status: TokenStatus;
  validUntil?: string;
  groupId?: string;
  accountId?: string;
  maxConcurrentTx?: number;
  allowedSites?: string[];
  allowedStations?: string[];
  allowedEvses?: string[];
  allowedHours?: MaintenanceWindow[];
  note?: string;
  createdAt: string;
  createdBy?: string;
  updatedAt: string;
  updatedBy?: string;
}

export interface TokenPage {
  total: number;
  items: AccessToken[];
}

export interface TokenQuery {
  q?: string;
  type?: TokenType;
  status?: TokenStatus;
  accountId?: string;
  groupId?: string;
  site?: string;
  station?: string;
  limit?: number;
  offset?: number;
}

/** The writable fields (POST /tokens; PATCH takes them too, `null` clearing an optional one). */
export interface TokenFields {
  ocpiType?: OcpiTokenType;
  status?: TokenStatus;
  validUntil?: string | null;
  groupId?: string | null;
  accountId?: string | null;
  maxConcurrentTx?: number | null;
  allowedSites?: string[];
  allowedStations?: string[];
  allowedEvses?: string[];
  allowedHours?: MaintenanceWindow[];
  note?: string | null;
}

export interface NewToken extends TokenFields {
  type: TokenType;
  uid?: string;
  /** KeyCode only; write-only. */
  pin?: string;
}

export interface TokenPatch extends TokenFields {
  /** KeyCode only: a new PIN. */
  pin?: string;
}

export interface ImportResult {
  created: number;
  updated: number;
}

/** One refused row of an import: its line (CSV) or position (JSON, from 1) and every problem. */
export interface ImportProblem {
  row: number;
  errors: string[];
}

export type ImportMode = 'upsert' | 'create';

export type AccountKind = 'person' | 'fleet';

export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  contact?: string;
  billingReference?: string;
  /** ISO 4217 */
  currency?: string;
  note?: string;
  createdAt?: string;
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
}

export interface AccountPage {
  total: number;
  items: Account[];
}

export interface AccountFields {
  kind?: AccountKind;
  name?: string;
  contact?: string | null;
  billingReference?: string | null;
  currency?: string | null;
  note?: string | null;
}

export interface IncidentToken {
  /** The last four characters, or **** (a PIN, or a short id). */
  masked: string;
  type?: string;
  /** Keyed hash of the normalised id: the same card gives the same hash. */
  hash?: string;
}

export interface IncidentResponse {
  action: 'keycode_lockout' | 'block_token' | string;
  result?: string;
  until?: string;
  at?: string;
}

export interface Incident {
  id: string;
  rule: MisuseRule;
  severity: MisuseSeverity;
  stationId?: string;
  site?: string;
  token?: IncidentToken;
  summary: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  evidence?: Array<Record<string, unknown>>;
  status: IncidentStatus;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  resolution?: string;
  response?: IncidentResponse;
}

export interface IncidentPage {
  total: number;
  items: Incident[];
}

export interface IncidentQuery {
  rule?: MisuseRule;
  /** A registry token id: the incidents naming that card (by its keyed hash; none for a PIN). */
  token?: string;
  severity?: MisuseSeverity;
  status?: IncidentStatus;
  station?: string;
  /** ISO 8601: last seen at or after */
  from?: string;
  /** ISO 8601: last seen before */
  to?: string;
  limit?: number;
  offset?: number;
}

/** A station's local authorization list as the collector keeps it (never its entries: token ids). */
export interface LocalList {
  stationId: string;
  protocol?: string;
  state: LocalListState;
  /** of the last request the station accepted; absent: never synced */
  version?: number;
  entryCount: number;
  /** the next sync sends a Full */
  needsFull: boolean;
  failures?: number;
  lastOutcome?: LocalListOutcome;
  lastError?: string;
  /** tokens allowed here but left out, by reason */
  skipped: Record<string, number>;
  limits: { maxEntries?: number; itemsPerMessage?: number; bytesPerMessage?: number };
  limitsLearnedAt?: string;
  requestedAt?: string;
  lastAttemptAt?: string;
  lastSyncAt?: string;
  lastCheckAt?: string;
  nextDueAt?: string;
}

export interface LocalListPage {
  total: number;
  items: LocalList[];
}

/** One charging session (collector GET /sessions): the worker records it from the journal. */
export interface ChargingSession {
  id: string;
  stationId: string;
  transactionId: string;
  evseId?: number;
  connectorId?: number;
  site?: string;
  /** The token it was started with, masked; `ref` is its registry id. */
  token?: { masked: string; type?: string; ref?: string };
  accountId?: string;
  startedAt?: string;
  endedAt?: string;
  /** Wh delivered; absent while unknown. */
  energyWh?: number;
  meterStartWh?: number;
  meterStopWh?: number;
  stoppedReason?: string;
  closedBy?: 'station' | 'collector';
  offline: boolean;
  active: boolean;
}

export interface SessionPage {
  total: number;
  items: ChargingSession[];
}

export interface SessionQuery {
  token?: string;
  station?: string;
  account?: string;
  active?: boolean;
  limit?: number;
  offset?: number;
}
