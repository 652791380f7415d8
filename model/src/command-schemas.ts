/**
 * JSON schemas (draft-07, OpenAPI 3.0 compatible: no `if`, no `dependencies`) of every command's
 * parameters. The command bus validates against them before anything is queued and the API serves them
 * as its request bodies, so a request the API accepts is a command the bus accepts. Limits are the
 * larger of the two OCPP versions'; where one version is stricter its adapter answers `not_supported`.
 */
import { TRIGGER_MESSAGES, type CommandName } from './commands';

export type JsonSchema = Readonly<Record<string, unknown>>;

const INT32_MAX = 2147483647;

/** OCPP CiString: printable ASCII. Keeps control characters and look-alikes out of ids and names. */
const printable = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength, pattern: '^[\\x20-\\x7E]*$' }) as const;
const int = (minimum: number, maximum = INT32_MAX) => ({ type: 'integer', minimum, maximum }) as const;
const dateTime = { type: 'string', format: 'date-time', maxLength: 40 } as const;
const uri = { type: 'string', format: 'uri', maxLength: 512 } as const;

const ID_TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'] as const;

const idToken = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: printable(36), type: { type: 'string', enum: ID_TOKEN_TYPES } },
} as const;

/** `connectorId` only together with `evseId` (a connector is always of an EVSE). */
const connectorNeedsEvse = { not: { allOf: [{ required: ['connectorId'] }, { not: { required: ['evseId'] } }] } } as const;

const object = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length ? { required } : {}),
  properties,
  ...extra,
});

const componentRef = object(
  {
    name: printable(50),
    instance: printable(50),
    evse: object({ id: int(0), connectorId: int(0) }, ['id']),
  },
  ['name'],
);
const variableRef = object({ name: printable(50), instance: printable(50) }, ['name']);
const attribute = { type: 'string', enum: ['Actual', 'Target', 'MinSet', 'MaxSet'] } as const;

const settingRef = {
  oneOf: [object({ key: printable(50) }, ['key']), object({ component: componentRef, variable: variableRef, attribute }, ['component', 'variable'])],
} as const;
const settingValue = { type: 'string', maxLength: 1000 } as const;
const settingWrite = {
  oneOf: [
    object({ key: printable(50), value: settingValue }, ['key', 'value']),
    object({ component: componentRef, variable: variableRef, attribute, value: settingValue }, ['component', 'variable', 'value']),
  ],
} as const;

const LOCAL_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx', 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'] as const;

/** A secure firmware update needs both the signing certificate and the signature, never one alone. */
const bothOrNeither = (a: string, b: string) => ({
  anyOf: [{ required: [a, b] }, { not: { anyOf: [{ required: [a] }, { required: [b] }] } }],
});

export const COMMAND_PARAMS_SCHEMAS: Readonly<Record<CommandName, JsonSchema>> = {
  Reset: object({ type: { type: 'string', enum: ['soft', 'hard'] }, evseId: int(1) }, ['type']),
  TriggerMessage: object(
    {
      message: { type: 'string', enum: TRIGGER_MESSAGES },
      evseId: int(0),
      connectorId: int(1),
    },
    ['message'],
    connectorNeedsEvse,
  ),
  ChangeAvailability: object({ availability: { type: 'string', enum: ['operative', 'inoperative'] }, evseId: int(0), connectorId: int(1) }, ['availability'], connectorNeedsEvse),
  UnlockConnector: object({ evseId: int(1), connectorId: int(1) }, ['evseId']),
  RemoteStart: object({ idToken, evseId: int(1), remoteStartId: int(0) }, ['idToken']),
  RemoteStop: object({ transactionId: printable(36) }, ['transactionId']),
  GetSettings: object({ settings: { type: 'array', maxItems: 100, items: settingRef } }),
  SetSettings: object({ settings: { type: 'array', minItems: 1, maxItems: 50, items: settingWrite } }, ['settings']),
  ClearCache: object({}),
  GetLocalListVersion: object({}),
  SendLocalList: object(
    {
      updateType: { type: 'string', enum: ['full', 'differential'] },
      version: int(1),
      entries: {
        type: 'array',
        maxItems: 1000,
        items: object({ idToken, status: { type: 'string', enum: LOCAL_STATUSES }, expiresAt: dateTime, groupId: printable(36), evseIds: { type: 'array', minItems: 1, maxItems: 64, items: int(1) } }, ['idToken']),
      },
    },
    ['updateType', 'version'],
  ),
  UpdateFirmware: object(
    {
      location: uri,
      retrieveAt: dateTime,
      installAt: dateTime,
      retries: int(0, 100),
      retryIntervalSec: int(0, 86400),
      signingCertificate: { type: 'string', minLength: 1, maxLength: 5500 },
      signature: { type: 'string', minLength: 1, maxLength: 800 },
      requestId: int(0),
    },
    ['location', 'retrieveAt'],
    bothOrNeither('signingCertificate', 'signature'),
  ),
  GetLog: object(
    {
      location: uri,
      logType: { type: 'string', enum: ['diagnostics', 'security'] },
      from: dateTime,
      to: dateTime,
      retries: int(0, 100),
      retryIntervalSec: int(0, 86400),
      requestId: int(0),
    },
    ['location'],
  ),
  DataTransfer: object({ vendorId: printable(255), messageId: printable(50), data: {} }, ['vendorId']),
};

/** One line per command for the OpenAPI document. */
export const COMMAND_SUMMARIES: Readonly<Record<CommandName, string>> = {
  Reset: 'Restart the station: soft (1.6 Soft, 2.0.1 OnIdle) or hard (1.6 Hard, 2.0.1 Immediate)',
  TriggerMessage: 'Ask the station to send a message now (boot, heartbeat, status, meter values, firmware/log status, …)',
  ChangeAvailability: 'Set the station, an EVSE or a connector operative or inoperative',
  UnlockConnector: 'Unlock a connector (ends a transaction on it)',
  RemoteStart: 'Start a transaction for an id token (1.6 RemoteStartTransaction, 2.0.1 RequestStartTransaction)',
  RemoteStop: 'Stop a transaction (1.6 RemoteStopTransaction, 2.0.1 RequestStopTransaction)',
  GetSettings: 'Read configuration: 1.6 keys (GetConfiguration) or 2.0.1 component variables (GetVariables)',
  SetSettings: 'Change configuration: one 1.6 key (ChangeConfiguration) or 2.0.1 variables (SetVariables)',
  ClearCache: 'Clear the station\'s authorization cache',
  GetLocalListVersion: 'Read the version of the local authorization list',
  SendLocalList: 'Replace (full) or update (differential) the local authorization list',
  UpdateFirmware: 'Install firmware; with signing certificate and signature a secure update (1.6 SignedUpdateFirmware)',
  GetLog: 'Upload diagnostics (1.6 GetDiagnostics, 2.0.1 GetLog) or the security log to a location',
  DataTransfer: 'Vendor-specific message',
};
