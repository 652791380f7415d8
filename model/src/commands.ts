/**
 * The command model: what any process may ask a station to do, independent of the OCPP version, and the
 * one result type every command ends with. The protocol adapters (collector/src/ocpp/adapters/commands)
 * turn a command into the version's action and payload and the station's answer back into a result;
 * nothing else knows the version. Parameters are validated by the JSON schemas in command-schemas.ts,
 * which the API reuses for its request bodies.
 *
 * Where the versions differ the command says what is meant and the adapter picks the message:
 * - Reset `soft` is 1.6 Soft / 2.0.1 OnIdle, `hard` is 1.6 Hard / 2.0.1 Immediate.
 * - A target is `{ evseId, connectorId }` as in the event model: 1.6 connector N is EVSE N, connector 1,
 *   and no EVSE means the station as a whole (1.6 connector 0).
 * - GetSettings / SetSettings carry either 1.6 configuration keys (`{ key }`) or 2.0.1 device-model
 *   references (`{ component, variable, attribute? }`). The adapter of a version refuses the other form
 *   with `not_supported`, as it refuses anything else its version cannot express (a 1.6 idTag longer
 *   than 20 characters, a non-integer 1.6 transaction id, several keys in one 1.6 ChangeConfiguration).
 * - UpdateFirmware with `signingCertificate` and `signature` is a secure update: 1.6 SignedUpdateFirmware
 *   (Security Whitepaper), 2.0.1 UpdateFirmware with both fields. Without them, plain UpdateFirmware.
 * - GetLog `diagnostics` is 1.6 GetDiagnostics / 2.0.1 GetLog DiagnosticsLog; `security` is GetLog
 *   SecurityLog in both (1.6 through the Security Whitepaper's GetLog).
 */
import type { Actor } from './actor';
import type { IdTokenType } from './events';

export const COMMAND_NAMES = [
  'Reset',
  'TriggerMessage',
  'ChangeAvailability',
  'UnlockConnector',
  'RemoteStart',
  'RemoteStop',
  'GetSettings',
  'SetSettings',
  'ClearCache',
  'GetLocalListVersion',
  'SendLocalList',
  'UpdateFirmware',
  'GetLog',
  'DataTransfer',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** Id token types a CSMS may send (the event model's `Unknown` is only for what a station reports). */
export type SendableIdTokenType = Exclude<IdTokenType, 'Unknown'>;

export interface CommandIdToken {
  id: string;
  /** 2.0.1 only (1.6 idTags have no type). Default: `Central` for RemoteStart, `ISO14443` in a local list. */
  type?: SendableIdTokenType;
}

export interface ResetParams {
  type: 'soft' | 'hard';
  /** 2.0.1 only: reset one EVSE. */
  evseId?: number;
}

export const TRIGGER_MESSAGES = [
  'boot',
  'heartbeat',
  'status',
  'meterValues',
  'transaction',
  'firmwareStatus',
  'diagnosticsStatus',
  'logStatus',
  'signCertificate',
] as const;

export type TriggerMessageKind = (typeof TRIGGER_MESSAGES)[number];

export interface TriggerMessageParams {
  message: TriggerMessageKind;
  evseId?: number;
  connectorId?: number;
}

export interface ChangeAvailabilityParams {
  availability: 'operative' | 'inoperative';
  /** Absent: the whole station. */
  evseId?: number;
  connectorId?: number;
}

export interface UnlockConnectorParams {
  evseId: number;
  /** Default 1. */
  connectorId?: number;
}

export interface RemoteStartParams {
  idToken: CommandIdToken;
  evseId?: number;
  /** 2.0.1 remoteStartId; derived from the command id when absent, and returned in the result's data. */
  remoteStartId?: number;
}

export interface RemoteStopParams {
  transactionId: string;
}

export interface ComponentRef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}

export interface VariableRef {
  name: string;
  instance?: string;
}

export type SettingAttribute = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';

/** A 1.6 configuration key, or a 2.0.1 component/variable (with its attribute, default Actual). */
export type SettingRef = { key: string } | { component: ComponentRef; variable: VariableRef; attribute?: SettingAttribute };

export type SettingWrite = SettingRef & { value: string };

export interface GetSettingsParams {
  /** Absent or empty: every key (1.6 only; 2.0.1 names each variable). */
  settings?: SettingRef[];
}

export interface SetSettingsParams {
  settings: SettingWrite[];
}

export type EmptyParams = Record<string, never>;

export type LocalAuthorizationStatus =
  | 'Accepted'
  | 'Blocked'
  | 'Expired'
  | 'Invalid'
  | 'ConcurrentTx'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

export interface LocalListEntry {
  idToken: CommandIdToken;
  /** Absent in a differential update: remove the token from the list. 1.6 sends 2.0.1-only values as Invalid. */
  status?: LocalAuthorizationStatus;
  expiresAt?: string;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  groupId?: string;
  /** 2.0.1 idTokenInfo.evseId: the EVSEs the token is limited to (1.6 cannot say it: not_supported). */
  evseIds?: number[];
}

export interface SendLocalListParams {
  updateType: 'full' | 'differential';
  version: number;
  entries?: LocalListEntry[];
}

export interface UpdateFirmwareParams {
  location: string;
  retrieveAt: string;
  /** 1.6 signed and 2.0.1 only. */
  installAt?: string;
  retries?: number;
  retryIntervalSec?: number;
  /** Both or neither: a secure update (PEM certificate, base64 signature). */
  signingCertificate?: string;
  signature?: string;
  /** Matches the station's firmware status notifications; derived from the command id when absent. */
  requestId?: number;
}

export interface GetLogParams {
  location: string;
  /** Default diagnostics. */
  logType?: 'diagnostics' | 'security';
  from?: string;
  to?: string;
  retries?: number;
  retryIntervalSec?: number;
  requestId?: number;
}

export interface DataTransferParams {
  vendorId: string;
  messageId?: string;
  /** Any JSON; 1.6 carries text, so anything but a string goes to a 1.6 station as its JSON text. */
  data?: unknown;
}

export interface CommandParams {
  Reset: ResetParams;
  TriggerMessage: TriggerMessageParams;
  ChangeAvailability: ChangeAvailabilityParams;
  UnlockConnector: UnlockConnectorParams;
  RemoteStart: RemoteStartParams;
  RemoteStop: RemoteStopParams;
  GetSettings: GetSettingsParams;
  SetSettings: SetSettingsParams;
  ClearCache: EmptyParams;
  GetLocalListVersion: EmptyParams;
  SendLocalList: SendLocalListParams;
  UpdateFirmware: UpdateFirmwareParams;
  GetLog: GetLogParams;
  DataTransfer: DataTransferParams;
}

export type CommandOf<N extends CommandName> = { name: N; params: CommandParams[N] };

export type Command = { [N in CommandName]: CommandOf<N> }[CommandName];

/** How a command ended. Every command ends with exactly one of these. */
export const COMMAND_OUTCOMES = ['accepted', 'rejected', 'not_supported', 'call_error', 'timeout', 'offline', 'interrupted'] as const;

export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/** Where a command is: waiting in its station's queue, on the wire, or ended. */
export type CommandStatus = 'queued' | 'sending' | CommandOutcome;

export function isFinalStatus(status: string): status is CommandOutcome {
  return (COMMAND_OUTCOMES as readonly string[]).includes(status);
}

/**
 * - accepted: the station accepted (data holds what it answered, in neutral form);
 * - rejected: the station refused; reason carries its status and statusInfo;
 * - not_supported: the station's OCPP version cannot express the command, or the station answered that it
 *   does not support it (CALLERROR NotSupported/NotImplemented, or a NotSupported status);
 * - call_error: the station answered with another CALLERROR (data.code, data.description), or with an
 *   answer that breaks the OCPP schema;
 * - timeout: no answer within the call timeout, or the deadline passed while the station was online but
 *   busy with earlier commands;
 * - offline: the station was not connected (at submit with waitForConnection false, or at the deadline);
 * - interrupted: the connection it was sent on closed before an answer; it may or may not have been
 *   carried out, and it is never sent again.
 */
export interface CommandResult {
  status: CommandOutcome;
  reason?: string;
  data?: Record<string, unknown>;
}

/** A command as stored and served: what was asked, by whom, and where it is. */
export interface CommandRecord {
  id: string;
  stationId: string;
  name: CommandName;
  params: Command['params'];
  actor: Actor;
  status: CommandStatus;
  /** Epoch ms. */
  submittedAt: number;
  /** Latest time to send it; past it a waiting command ends `offline` or `timeout`. */
  deadline: number;
  waitForConnection: boolean;
  sentAt?: number;
  finishedAt?: number;
  /** Collector that sent it, with the OCPP action and protocol it chose. */
  collectorId?: string;
  protocol?: string;
  action?: string;
  result?: CommandResult;
}
