/**
 * Security messages: the 1.6 Security Whitepaper messages that ocpp-rpc's ocpp1.6 schemas define are
 * recorded exactly like their 2.0.1 twins, and SignCertificate is answered Rejected (asked of the
 * CSMS's decision and recorded) in both versions.
 */
import { ocpp16Adapter, ocpp201Adapter } from '../../../src/ocpp/adapters';
import { FakeDecisions, RECEIVED_AT, STATION_ID, makeContext } from './fake-decisions';
import { fixture, schemaError } from './ocpp-schemas';

const BASE = { stationId: STATION_ID, receivedAt: RECEIVED_AT };

let decisions: FakeDecisions;
beforeEach(() => {
  decisions = new FakeDecisions();
});

async function both(action: string, params16: unknown, params201: unknown = params16) {
  const v16 = await ocpp16Adapter.handle(action, params16, makeContext(decisions));
  const v201 = await ocpp201Adapter.handle(action, params201, makeContext(decisions));
  expect(schemaError('ocpp1.6', action, 'req', params16)).toBeUndefined();
  expect(schemaError('ocpp2.0.1', action, 'req', params201)).toBeUndefined();
  expect(schemaError('ocpp1.6', action, 'conf', v16.reply)).toBeUndefined();
  expect(schemaError('ocpp2.0.1', action, 'conf', v201.reply)).toBeUndefined();
  return { v16, v201 };
}

describe('1.6 Security Whitepaper messages, recorded like their 2.0.1 twins', () => {
  it('SecurityEventNotification → security.event at the station time', async () => {
    const params = fixture('ocpp1.6', 'SecurityEventNotification');
    const { v16, v201 } = await both('SecurityEventNotification', params);
    expect(v16.reply).toStrictEqual({});
    expect(v16.events).toStrictEqual([
      {
        type: 'security.event',
        ...BASE,
        time: Date.parse('2025-03-14T09:58:02Z'),
        eventType: 'StartupOfTheDevice',
        techInfo: 'Cold start after power loss',
        source: 'station',
      },
    ]);
    expect(v16.events).toStrictEqual(v201.events);
  });

  it('LogStatusNotification → log.status with its request id', async () => {
    const { v16, v201 } = await both('LogStatusNotification', fixture('ocpp1.6', 'LogStatusNotification'));
    expect(v16.events).toStrictEqual([{ type: 'log.status', ...BASE, time: RECEIVED_AT, status: 'Uploaded', requestId: 31 }]);
    expect(v16.events).toStrictEqual(v201.events);
  });

  it('SignedFirmwareStatusNotification → firmware.status with its request id, like 2.0.1 FirmwareStatusNotification', async () => {
    const params = fixture('ocpp1.6', 'SignedFirmwareStatusNotification');
    const v16 = await ocpp16Adapter.handle('SignedFirmwareStatusNotification', params, makeContext(decisions));
    const v201 = await ocpp201Adapter.handle('FirmwareStatusNotification', params, makeContext(decisions));
    expect(schemaError('ocpp2.0.1', 'FirmwareStatusNotification', 'req', params)).toBeUndefined();
    expect(v16.reply).toStrictEqual({});
    expect(v16.events).toStrictEqual([{ type: 'firmware.status', ...BASE, time: RECEIVED_AT, status: 'SignatureVerified', requestId: 4022 }]);
    expect(v16.events).toStrictEqual(v201.events);
  });

  it('1.6 core FirmwareStatusNotification and DiagnosticsStatusNotification still carry no request id', async () => {
    const fw = await ocpp16Adapter.handle('FirmwareStatusNotification', { status: 'Installing' }, makeContext(decisions));
    expect(fw.events).toStrictEqual([{ type: 'firmware.status', ...BASE, time: RECEIVED_AT, status: 'Installing' }]);
    const diag = await ocpp16Adapter.handle('DiagnosticsStatusNotification', { status: 'Uploaded' }, makeContext(decisions));
    expect(diag.events).toStrictEqual([{ type: 'log.status', ...BASE, time: RECEIVED_AT, status: 'Uploaded' }]);
  });
});

describe('SignCertificate', () => {
  it('is answered Rejected in 1.6 and 2.0.1, with the decision asked and the request recorded without the CSR', async () => {
    const p16 = fixture<{ csr: string }>('ocpp1.6', 'SignCertificate');
    const p201 = fixture<{ csr: string }>('ocpp2.0.1', 'SignCertificate');
    const { v16, v201 } = await both('SignCertificate', p16, p201);
    expect(v16.reply).toStrictEqual({ status: 'Rejected' });
    expect(v201.reply).toStrictEqual({ status: 'Rejected', statusInfo: { reasonCode: 'NotSupported', additionalInfo: 'certificate management is not available' } });
    expect(decisions.certificateRequests).toStrictEqual([
      { certificateType: 'Unspecified', csrLength: p16.csr.length },
      { certificateType: 'ChargingStationCertificate', csrLength: p201.csr.length },
    ]);
    expect(v16.events).toStrictEqual([{ type: 'certificate.signing', ...BASE, time: RECEIVED_AT, certificateType: 'Unspecified', csrLength: p16.csr.length, result: 'Rejected' }]);
    expect(v201.events).toStrictEqual([
      { type: 'certificate.signing', ...BASE, time: RECEIVED_AT, certificateType: 'ChargingStationCertificate', csrLength: p201.csr.length, result: 'Rejected' },
    ]);
    expect(JSON.stringify([v16.events, v201.events])).not.toContain('BEGIN CERTIFICATE');
  });

  it('answers what the decision says (Accepted once certificate management exists)', async () => {
    decisions.certificateDecision = 'Accepted';
    const { v16, v201 } = await both('SignCertificate', fixture('ocpp1.6', 'SignCertificate'), fixture('ocpp2.0.1', 'SignCertificate'));
    expect(v16.reply).toStrictEqual({ status: 'Accepted' });
    expect(v201.reply).toStrictEqual({ status: 'Accepted' });
  });
});
