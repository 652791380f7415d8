/** OCPP 2.0.1 command adapter: every command, its call, its answers (with statusInfo), and what it refuses. */
import { ocpp201Commands as adapter } from '../../../src/ocpp/adapters/commands/v201';
import { derivedId } from '../../../src/ocpp/adapters/commands/common';
import { CTX, answer, checkCase, unsupportedReason, type Case } from './command-cases';

const ID = derivedId(CTX.commandId);
const hb = { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };

const cases: Case[] = [
  {
    title: 'Reset soft is OnIdle; Scheduled while charging',
    command: { name: 'Reset', params: { type: 'soft' } },
    call: { action: 'Reset', payload: { type: 'OnIdle' } },
    answers: [
      { reply: { status: 'Scheduled' }, result: { status: 'accepted', data: { scheduled: true } } },
      { reply: { status: 'Rejected', statusInfo: { reasonCode: 'TxInProgress', additionalInfo: 'busy' } }, result: { status: 'rejected', reason: 'station answered Rejected (TxInProgress: busy)' } },
    ],
  },
  {
    title: 'Reset hard of one EVSE is Immediate',
    command: { name: 'Reset', params: { type: 'hard', evseId: 2 } },
    call: { action: 'Reset', payload: { type: 'Immediate', evseId: 2 } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'TriggerMessage transaction of an EVSE connector',
    command: { name: 'TriggerMessage', params: { message: 'transaction', evseId: 1, connectorId: 1 } },
    call: { action: 'TriggerMessage', payload: { requestedMessage: 'TransactionEvent', evse: { id: 1, connectorId: 1 } } },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted' } },
      { reply: { status: 'NotImplemented' }, result: { status: 'not_supported', reason: 'station answered NotImplemented' } },
    ],
  },
  {
    title: 'TriggerMessage diagnostics status is a LogStatusNotification',
    command: { name: 'TriggerMessage', params: { message: 'diagnosticsStatus' } },
    call: { action: 'TriggerMessage', payload: { requestedMessage: 'LogStatusNotification' } },
    answers: [{ reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected' } }],
  },
  {
    title: 'ChangeAvailability of an EVSE',
    command: { name: 'ChangeAvailability', params: { availability: 'operative', evseId: 2 } },
    call: { action: 'ChangeAvailability', payload: { operationalStatus: 'Operative', evse: { id: 2 } } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'ChangeAvailability of the station (EVSE 0)',
    command: { name: 'ChangeAvailability', params: { availability: 'inoperative', evseId: 0 } },
    call: { action: 'ChangeAvailability', payload: { operationalStatus: 'Inoperative' } },
    answers: [{ reply: { status: 'Scheduled' }, result: { status: 'accepted', data: { scheduled: true } } }],
  },
  {
    title: 'UnlockConnector defaults to connector 1',
    command: { name: 'UnlockConnector', params: { evseId: 3 } },
    call: { action: 'UnlockConnector', payload: { evseId: 3, connectorId: 1 } },
    answers: [
      { reply: { status: 'Unlocked' }, result: { status: 'accepted' } },
      { reply: { status: 'OngoingAuthorizedTransaction' }, result: { status: 'rejected', reason: 'station answered OngoingAuthorizedTransaction' } },
      { reply: { status: 'UnknownConnector' }, result: { status: 'rejected', reason: 'station answered UnknownConnector' } },
    ],
  },
  {
    title: 'RemoteStart: Central token, remoteStartId derived from the command id',
    command: { name: 'RemoteStart', params: { idToken: { id: 'app-user-7' }, evseId: 1 } },
    call: { action: 'RequestStartTransaction', payload: { idToken: { idToken: 'app-user-7', type: 'Central' }, remoteStartId: ID, evseId: 1 } },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { remoteStartId: ID } } },
      { reply: { status: 'Accepted', transactionId: 'tx-9' }, result: { status: 'accepted', data: { remoteStartId: ID, transactionId: 'tx-9' } } },
    ],
  },
  {
    title: 'RemoteStop with a string id',
    command: { name: 'RemoteStop', params: { transactionId: '0b9c-42' } },
    call: { action: 'RequestStopTransaction', payload: { transactionId: '0b9c-42' } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted' } }],
  },
  {
    title: 'GetSettings of variables',
    command: { name: 'GetSettings', params: { settings: [hb, { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attribute: 'MaxSet' }] } },
    call: {
      action: 'GetVariables',
      payload: { getVariableData: [hb, { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attributeType: 'MaxSet' }] },
    },
    answers: [
      {
        reply: {
          getVariableResult: [
            { attributeStatus: 'Accepted', attributeValue: '300', ...hb },
            { attributeStatus: 'NotSupportedAttributeType', attributeType: 'MaxSet', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' } },
          ],
        },
        result: {
          status: 'accepted',
          data: {
            settings: [
              { ...hb, value: '300', status: 'accepted' },
              { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, attribute: 'MaxSet', status: 'not_supported', reason: 'NotSupportedAttributeType' },
            ],
          },
        },
      },
    ],
  },
  {
    title: 'SetSettings of variables: one refused makes the command rejected',
    command: { name: 'SetSettings', params: { settings: [{ ...hb, value: '60' }, { component: { name: 'X' }, variable: { name: 'Y' }, value: '1' }] } },
    call: { action: 'SetVariables', payload: { setVariableData: [{ ...hb, attributeValue: '60' }, { component: { name: 'X' }, variable: { name: 'Y' }, attributeValue: '1' }] } },
    answers: [
      {
        reply: { setVariableResult: [{ attributeStatus: 'RebootRequired', ...hb }, { attributeStatus: 'RebootRequired', component: { name: 'X' }, variable: { name: 'Y' } }] },
        result: {
          status: 'accepted',
          data: { rebootRequired: true, settings: [{ ...hb, status: 'reboot_required', reason: 'RebootRequired' }, { component: { name: 'X' }, variable: { name: 'Y' }, status: 'reboot_required', reason: 'RebootRequired' }] },
        },
      },
      {
        reply: {
          setVariableResult: [
            { attributeStatus: 'Accepted', ...hb },
            { attributeStatus: 'UnknownComponent', attributeStatusInfo: { reasonCode: 'NoSuchThing' }, component: { name: 'X' }, variable: { name: 'Y' } },
          ],
        },
        result: {
          status: 'rejected',
          reason: 'the station did not accept 1 of 2 settings',
          data: { settings: [{ ...hb, status: 'accepted' }, { component: { name: 'X' }, variable: { name: 'Y' }, status: 'unknown', reason: 'UnknownComponent: NoSuchThing' }] },
        },
      },
    ],
  },
  {
    title: 'ClearCache',
    command: { name: 'ClearCache', params: {} },
    call: { action: 'ClearCache', payload: {} },
    answers: [{ reply: { status: 'Rejected' }, result: { status: 'rejected', reason: 'station answered Rejected' } }],
  },
  {
    title: 'GetLocalListVersion',
    command: { name: 'GetLocalListVersion', params: {} },
    call: { action: 'GetLocalListVersion', payload: {} },
    answers: [{ reply: { versionNumber: 0 }, result: { status: 'accepted', data: { version: 0 } } }],
  },
  {
    title: 'SendLocalList full with entries',
    command: { name: 'SendLocalList', params: { updateType: 'full', version: 2, entries: [{ idToken: { id: 'AA11' }, status: 'NoCredit', groupId: 'FLEET' }, { idToken: { id: 'BB22', type: 'eMAID' } }] } },
    call: {
      action: 'SendLocalList',
      payload: {
        versionNumber: 2,
        updateType: 'Full',
        localAuthorizationList: [
          { idToken: { idToken: 'AA11', type: 'ISO14443' }, idTokenInfo: { status: 'NoCredit', groupIdToken: { idToken: 'FLEET', type: 'Central' } } },
          { idToken: { idToken: 'BB22', type: 'eMAID' } },
        ],
      },
    },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { version: 2 } } },
      { reply: { status: 'Failed', statusInfo: { reasonCode: 'Full' } }, result: { status: 'rejected', reason: 'station answered Failed (Full)' } },
    ],
  },
  {
    title: 'SendLocalList full and empty: the list is left out (minItems 1)',
    command: { name: 'SendLocalList', params: { updateType: 'full', version: 3, entries: [] } },
    call: { action: 'SendLocalList', payload: { versionNumber: 3, updateType: 'Full' } },
    answers: [{ reply: { status: 'Accepted' }, result: { status: 'accepted', data: { version: 3 } } }],
  },
  {
    title: 'UpdateFirmware secure',
    command: { name: 'UpdateFirmware', params: { location: 'https://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', signingCertificate: 'PEM', signature: 'c2ln', requestId: 77, retries: 3 } },
    call: {
      action: 'UpdateFirmware',
      payload: { requestId: 77, firmware: { location: 'https://fw.example.com/a.bin', retrieveDateTime: '2026-01-01T00:00:00Z', signingCertificate: 'PEM', signature: 'c2ln' }, retries: 3 },
    },
    answers: [
      { reply: { status: 'Accepted' }, result: { status: 'accepted', data: { secure: true, requestId: 77 } } },
      { reply: { status: 'RevokedCertificate' }, result: { status: 'rejected', reason: 'station answered RevokedCertificate' } },
    ],
  },
  {
    title: 'UpdateFirmware plain',
    command: { name: 'UpdateFirmware', params: { location: 'https://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z' } },
    call: { action: 'UpdateFirmware', payload: { requestId: ID, firmware: { location: 'https://fw.example.com/a.bin', retrieveDateTime: '2026-01-01T00:00:00Z' } } },
    answers: [{ reply: { status: 'AcceptedCanceled' }, result: { status: 'accepted', data: { secure: false, requestId: ID, canceledPrevious: true } } }],
  },
  {
    title: 'GetLog diagnostics',
    command: { name: 'GetLog', params: { location: 'https://logs.example.com/up', to: '2026-01-02T00:00:00Z', retryIntervalSec: 60 } },
    call: { action: 'GetLog', payload: { logType: 'DiagnosticsLog', requestId: ID, log: { remoteLocation: 'https://logs.example.com/up', latestTimestamp: '2026-01-02T00:00:00Z' }, retryInterval: 60 } },
    answers: [{ reply: { status: 'Accepted', filename: 'diag.tgz' }, result: { status: 'accepted', data: { requestId: ID, fileName: 'diag.tgz' } } }],
  },
  {
    title: 'DataTransfer keeps structured data',
    command: { name: 'DataTransfer', params: { vendorId: 'com.example', data: { a: [1, 2] } } },
    call: { action: 'DataTransfer', payload: { vendorId: 'com.example', data: { a: [1, 2] } } },
    answers: [
      { reply: { status: 'Accepted', data: { b: true } }, result: { status: 'accepted', data: { data: { b: true } } } },
      { reply: { status: 'UnknownMessageId' }, result: { status: 'rejected', reason: 'station answered UnknownMessageId' } },
    ],
  },
];

describe('OCPP 2.0.1 commands', () => {
  it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, c) => checkCase(adapter, c));

  it('refuses what 2.0.1 cannot express, without sending anything', () => {
    expect(unsupportedReason(adapter, { name: 'GetSettings', params: {} })).toMatch(/names each variable/);
    expect(unsupportedReason(adapter, { name: 'GetSettings', params: { settings: [{ key: 'HeartbeatInterval' }] } })).toMatch(/1\.6 configuration keys/);
    expect(unsupportedReason(adapter, { name: 'SetSettings', params: { settings: [{ key: 'HeartbeatInterval', value: '1' }] } })).toMatch(/device model/);
    expect(unsupportedReason(adapter, { name: 'TriggerMessage', params: { message: 'status', evseId: 0, connectorId: 1 } })).toMatch(/EVSE 0 is the station/);
  });

  it('maps a CALLERROR NotSupported to not_supported and keeps its code', () => {
    expect(answer(adapter, { name: 'ClearCache', params: {} }, { kind: 'error', code: 'NotSupported', description: 'no cache' })).toEqual({
      status: 'not_supported',
      reason: 'station answered CALLERROR NotSupported: no cache',
      data: { code: 'NotSupported', description: 'no cache' },
    });
  });
});
