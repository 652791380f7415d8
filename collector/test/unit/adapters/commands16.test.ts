/** OCPP 1.6 command adapter: every command, its call, its answers, and what 1.6 cannot express. */
import { ocpp16Commands as adapter } from '../../../src/ocpp/adapters/commands/v16';
import { derivedId } from '../../../src/ocpp/adapters/commands/common';
import { CTX, answer, checkCase, unsupportedReason, type Case } from './command-cases';

const REQUEST_ID = derivedId(CTX.commandId);

const cases: Case[] = [
  {
    title: 'Reset soft',
    command: { name: 'Reset', params: { type: 'soft' } },
    call: { action: 'Reset', payload: { type: 'Soft' } },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted' } },
      { reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected' } },
    ],
  },
  {
    title: 'TriggerMessage status of a connector',
    command: { name: 'TriggerMessage', params: { message: 'status', evseId: 2 } },
    call: { action: 'TriggerMessage', payload: { requestedMessage: 'StatusNotification', connectorId: 2 } },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted' } },
      { reply: { status: 'NotImplemented' }, result: { status: 'not_supported', reason: 'station answered NotImplemented' } },
    ],
  },
  {
    title: 'TriggerMessage diagnostics status of the station',
    command: { name: 'TriggerMessage', params: { message: 'diagnosticsStatus', evseId: 0 } },
    call: { action: 'TriggerMessage', payload: { requestedMessage: 'DiagnosticsStatusNotification' } },
    answers: [{ reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected' } }],
  },
  {
    title: 'TriggerMessage log status through ExtendedTriggerMessage',
    command: { name: 'TriggerMessage', params: { message: 'logStatus' } },
    call: { action: 'ExtendedTriggerMessage', payload: { requestedMessage: 'LogStatusNotification' } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'ChangeAvailability of the station, scheduled',
    command: { name: 'ChangeAvailability', params: { availability: 'inoperative' } },
    call: { action: 'ChangeAvailability', payload: { connectorId: 0, type: 'Inoperative' } },
    answers: [
      { reply: { status: 'Scheduled' }, result: { status: 'accepted', data: { scheduled: true } } },
      { reply: { status: 'Accepted' }, result: { status: 'accepted' } },
    ],
  },
  {
    title: 'UnlockConnector',
    command: { name: 'UnlockConnector', params: { evseId: 1, connectorId: 1 } },
    call: { action: 'UnlockConnector', payload: { connectorId: 1 } },
    answers: [
      { reply: { status: 'Unlocked' }, result: { status: 'accepted' } },
      { reply: { status: 'UnlockFailed' }, result: { status: 'rejected', reason: 'station answered UnlockFailed' } },
      { reply: { status: 'NotSupported' }, result: { status: 'not_supported', reason: 'station answered NotSupported' } },
    ],
  },
  {
    title: 'RemoteStart on an EVSE (token type has no 1.6 form and is left out)',
    command: { name: 'RemoteStart', params: { idToken: { id: '04A1B2C3D4', type: 'ISO14443' }, evseId: 2 } },
    call: { action: 'RemoteStartTransaction', payload: { idTag: '04A1B2C3D4', connectorId: 2 } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'RemoteStop with an integer id',
    command: { name: 'RemoteStop', params: { transactionId: '1234' } },
    call: { action: 'RemoteStopTransaction', payload: { transactionId: 1234 } },
    answers: [{ reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected' } }],
  },
  {
    title: 'GetSettings of some keys',
    command: { name: 'GetSettings', params: { settings: [{ key: 'HeartbeatInterval' }, { key: 'Nope' }] } },
    call: { action: 'GetConfiguration', payload: { key: ['HeartbeatInterval', 'Nope'] } },
    answers: [
      {
        reply: { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['Nope'] },
        result: {
          status: 'accepted',
          data: { settings: [{ key: 'HeartbeatInterval', value: '300', readonly: false, status: 'accepted' }, { key: 'Nope', status: 'unknown' }] },
        },
      },
    ],
  },
  {
    title: 'GetSettings of every key',
    command: { name: 'GetSettings', params: {} },
    call: { action: 'GetConfiguration', payload: {} },
    answers: [{ reply: { configurationKey: [] }, result: { status: 'accepted', data: { settings: [] } } }],
  },
  {
    title: 'SetSettings of one key',
    command: { name: 'SetSettings', params: { settings: [{ key: 'HeartbeatInterval', value: '60' }] } },
    call: { action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '60' } },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { settings: [{ key: 'HeartbeatInterval', status: 'accepted' }] } } },
      {
        reply: { status: 'RebootRequired' },
        result: { status: 'accepted', data: { rebootRequired: true, settings: [{ key: 'HeartbeatInterval', status: 'reboot_required' }] } },
      },
      { reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected', data: { settings: [{ key: 'HeartbeatInterval', status: 'rejected' }] } } },
      {
        reply: { status: 'NotSupported' },
        result: { status: 'not_supported', reason: 'the station does not support configuration key HeartbeatInterval', data: { settings: [{ key: 'HeartbeatInterval', status: 'unknown' }] } },
      },
    ],
  },
  {
    title: 'ClearCache',
    command: { name: 'ClearCache', params: {} },
    call: { action: 'ClearCache', payload: {} },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'GetLocalListVersion',
    command: { name: 'GetLocalListVersion', params: {} },
    call: { action: 'GetLocalListVersion', payload: {} },
    answers: [
      { reply: { listVersion: 7 }, result: { status: 'accepted', data: { version: 7 } } },
      { reply: { listVersion: -1 }, result: { status: 'not_supported', reason: 'the station has no local authorization list (listVersion -1)' } },
    ],
  },
  {
    title: 'SendLocalList differential: 2.0.1-only statuses become Invalid, no status means delete',
    command: {
      name: 'SendLocalList',
      params: {
        updateType: 'differential',
        version: 4,
        entries: [
          { idToken: { id: 'AA11' }, status: 'NoCredit', expiresAt: '2030-01-01T00:00:00.000Z', groupId: 'FLEET' },
          { idToken: { id: 'BB22' }, status: 'Blocked' },
          { idToken: { id: 'CC33' } },
        ],
      },
    },
    call: {
      action: 'SendLocalList',
      payload: {
        listVersion: 4,
        updateType: 'Differential',
        localAuthorizationList: [
          { idTag: 'AA11', idTagInfo: { status: 'Invalid', expiryDate: '2030-01-01T00:00:00.000Z', parentIdTag: 'FLEET' } },
          { idTag: 'BB22', idTagInfo: { status: 'Blocked' } },
          { idTag: 'CC33' },
        ],
      },
    },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { version: 4 } } },
      { reply: { status: 'VersionMismatch' }, result: { status: 'rejected', reason: 'station answered VersionMismatch' } },
      { reply: { status: 'NotSupported' }, result: { status: 'not_supported', reason: 'station answered NotSupported' } },
    ],
  },
  {
    title: 'UpdateFirmware plain',
    command: { name: 'UpdateFirmware', params: { location: 'https://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', retries: 2, retryIntervalSec: 30 } },
    call: { action: 'UpdateFirmware', payload: { location: 'https://fw.example.com/a.bin', retrieveDate: '2026-01-01T00:00:00Z', retries: 2, retryInterval: 30 } },
    answers: [{ reply: {}, result: { status: 'accepted', data: { secure: false } } }],
  },
  {
    title: 'UpdateFirmware secure: SignedUpdateFirmware',
    command: {
      name: 'UpdateFirmware',
      params: { location: 'https://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', installAt: '2026-01-02T00:00:00Z', signingCertificate: 'PEM', signature: 'c2ln' },
    },
    call: {
      action: 'SignedUpdateFirmware',
      payload: {
        requestId: REQUEST_ID,
        firmware: { location: 'https://fw.example.com/a.bin', retrieveDateTime: '2026-01-01T00:00:00Z', installDateTime: '2026-01-02T00:00:00Z', signingCertificate: 'PEM', signature: 'c2ln' },
      },
    },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { secure: true, requestId: REQUEST_ID } } },
      { reply: { status: 'AcceptedCanceled' }, result: { status: 'accepted', data: { secure: true, requestId: REQUEST_ID, canceledPrevious: true } } },
      { reply: { status: 'InvalidCertificate' }, result: { status: 'rejected', reason: 'station answered InvalidCertificate' } },
    ],
  },
  {
    title: 'GetLog diagnostics: GetDiagnostics',
    command: { name: 'GetLog', params: { location: 'ftp://logs.example.com/', from: '2026-01-01T00:00:00Z', retries: 1 } },
    call: { action: 'GetDiagnostics', payload: { location: 'ftp://logs.example.com/', startTime: '2026-01-01T00:00:00Z', retries: 1 } },
    answers: [
      { reply: { fileName: 'diag-1.zip' }, result: { status: 'accepted', data: { fileName: 'diag-1.zip' } } },
      { reply: {}, result: { status: 'rejected', reason: 'the station has no diagnostics to upload' } },
    ],
  },
  {
    title: 'GetLog security: the whitepaper GetLog',
    command: { name: 'GetLog', params: { location: 'ftp://logs.example.com/', logType: 'security', requestId: 9 } },
    call: { action: 'GetLog', payload: { logType: 'SecurityLog', requestId: 9, log: { remoteLocation: 'ftp://logs.example.com/' } } },
    answers: [{ reply: { status: 'Accepted', filename: 'sec.log' }, result: { status: 'accepted', data: { requestId: 9, fileName: 'sec.log' } } }],
  },
  {
    title: 'DataTransfer with structured data sent as its JSON text',
    command: { name: 'DataTransfer', params: { vendorId: 'com.example', messageId: 'Echo', data: { a: 1 } } },
    call: { action: 'DataTransfer', payload: { vendorId: 'com.example', messageId: 'Echo', data: '{"a":1}' } },
    answers: [
      { reply: { status: 'Accepted', data: 'pong' }, result: { status: 'accepted', data: { data: 'pong' } } },
      { reply: { status: 'UnknownVendorId' }, result: { status: 'rejected', reason: 'station answered UnknownVendorId' } },
    ],
  },
];

describe('OCPP 1.6 commands', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => checkCase(adapter, c));

  it('refuses what 1.6 cannot express, without sending anything', () => {
    expect(unsupportedReason(adapter, { name: 'Reset', params: { type: 'hard', evseId: 1 } })).toMatch(/whole station/);
    expect(unsupportedReason(adapter, { name: 'TriggerMessage', params: { message: 'transaction' } })).toMatch(/no TransactionEvent/);
    expect(unsupportedReason(adapter, { name: 'ChangeAvailability', params: { availability: 'operative', evseId: 1, connectorId: 2 } })).toMatch(/one connector per EVSE/);
    expect(unsupportedReason(adapter, { name: 'ChangeAvailability', params: { availability: 'operative', evseId: 0, connectorId: 1 } })).toMatch(/EVSE 0 is the station/);
    expect(unsupportedReason(adapter, { name: 'RemoteStart', params: { idToken: { id: 'x'.repeat(21) } } })).toMatch(/at most 20 characters; this one has 21/);
    expect(unsupportedReason(adapter, { name: 'RemoteStop', params: { transactionId: 'a7f3' } })).toMatch(/integers/);
    expect(unsupportedReason(adapter, { name: 'RemoteStop', params: { transactionId: '9999999999' } })).toMatch(/integers/);
    const ref = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    expect(unsupportedReason(adapter, { name: 'GetSettings', params: { settings: [{ key: 'A' }, ref] } })).toMatch(/2\.0\.1/);
    expect(unsupportedReason(adapter, { name: 'SetSettings', params: { settings: [{ key: 'A', value: '1' }, { key: 'B', value: '2' }] } })).toMatch(/one key per call/);
    expect(unsupportedReason(adapter, { name: 'SetSettings', params: { settings: [{ key: 'A', value: 'v'.repeat(501) }] } })).toMatch(/at most 500/);
    expect(unsupportedReason(adapter, { name: 'SendLocalList', params: { updateType: 'full', version: 1, entries: [{ idToken: { id: 'x'.repeat(21) } }] } })).toMatch(/idTag/);
    expect(unsupportedReason(adapter, { name: 'UpdateFirmware', params: { location: 'https://x/a', retrieveAt: '2026-01-01T00:00:00Z', installAt: '2026-01-01T00:00:00Z' } })).toMatch(/no install time/);
  });

  it('says when a station refuses plain UpdateFirmware because it wants a secure update', () => {
    const command = { name: 'UpdateFirmware', params: { location: 'https://x/a', retrieveAt: '2026-01-01T00:00:00Z' } } as const;
    expect(answer(adapter, command, { kind: 'error', code: 'NotSupported', description: 'use SignedUpdateFirmware' })).toEqual({
      status: 'not_supported',
      reason: 'the station refused plain UpdateFirmware (CALLERROR NotSupported); it expects a secure update: send signing certificate and signature',
      data: { code: 'NotSupported', description: 'use SignedUpdateFirmware', secureUpdateRequired: true },
    });
  });

  it('maps CALLERRORs, timeouts and schema-breaking answers the same way for every command', () => {
    const reset = { name: 'Reset', params: { type: 'hard' } } as const;
    expect(answer(adapter, reset, { kind: 'error', code: 'NotImplemented', description: '' })).toMatchObject({ status: 'not_supported', data: { code: 'NotImplemented' } });
    expect(answer(adapter, reset, { kind: 'error', code: 'InternalError', description: 'x'.repeat(5000) })).toMatchObject({
      status: 'call_error',
      reason: expect.stringMatching(/^station answered CALLERROR InternalError: x{512}…$/),
    });
    expect(answer(adapter, reset, { kind: 'timeout', afterMs: 30_000 })).toEqual({ status: 'timeout', reason: 'no answer within 30 s' });
    expect(answer(adapter, reset, { kind: 'invalid', message: 'data/status must be equal to one of the allowed values' })).toMatchObject({ status: 'call_error' });
  });
});
