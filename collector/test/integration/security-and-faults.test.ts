/**
 * Security messages and 2.0.1 faults through the whole ingest path: 1.6 Security Whitepaper messages
 * stored like their 2.0.1 twins, SignCertificate refused and counted, and a 2.0.1 NotifyEvent Problem
 * raising and clearing the connector's error in the API, Prometheus and InfluxDB.
 */
import type { RPCClient } from 'ocpp-rpc';
import { eventually, influxQuery } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';
import { stationClient } from '../harness/station-client';

const INFLUX = () => process.env.TEST_INFLUX_URL!;
const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();
const CSR = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBWDCCAQACAQAw\n-----END CERTIFICATE REQUEST-----\n';

describe('security messages and 2.0.1 faults', () => {
  let collector: TestCollector;
  const clients: RPCClient[] = [];

  beforeAll(async () => {
    collector = await startTestCollector({ TX_STALE_SWEEP_INTERVAL_SEC: '0' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    await collector.stop();
  });

  async function connect(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1') {
    const cp = stationClient(collector.ocppUrl, id, protocol);
    clients.push(cp);
    await cp.connect();
    if (protocol === 'ocpp1.6') await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'SecureBox' });
    else await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'DC150' } });
    return cp;
  }
  const q = (text: string) => influxQuery(INFLUX(), collector.database, text);

  it('1.6 Security Whitepaper messages are recorded like their 2.0.1 twins; SignCertificate is refused and counted', async () => {
    const cp = await connect('SEC-16', 'ocpp1.6');
    expect(await cp.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: iso(), techInfo: 'lid' })).toEqual({});
    expect(await cp.call('LogStatusNotification', { status: 'Uploaded', requestId: 31 })).toEqual({});
    expect(await cp.call('SignedFirmwareStatusNotification', { status: 'InvalidSignature', requestId: 4022 })).toEqual({});
    expect(await cp.call('SignCertificate', { csr: CSR })).toEqual({ status: 'Rejected' });
    const cp201 = await connect('SEC-201', 'ocpp2.0.1');
    expect(await cp201.call('SignCertificate', { csr: CSR, certificateType: 'V2GCertificate' })).toMatchObject({ status: 'Rejected' });

    await eventually(async () => {
      expect(await q(`SELECT tech_info FROM security_event WHERE station_id = 'SEC-16' AND event_type = 'TamperDetectionActivated' AND source = 'station'`)).toEqual([expect.objectContaining({ tech_info: 'lid' })]);
      expect(await q(`SELECT status, request_id FROM log_status WHERE station_id = 'SEC-16'`)).toEqual([expect.objectContaining({ status: 'Uploaded', request_id: 31 })]);
      expect(await q(`SELECT status, request_id FROM firmware_status WHERE station_id = 'SEC-16'`)).toEqual([expect.objectContaining({ status: 'InvalidSignature', request_id: 4022 })]);
      const csr = await q(`SELECT csr_length FROM certificate_signing GROUP BY station_id, certificate_type, result`);
      expect(csr.map((r) => `${r.station_id}:${r.certificate_type}:${r.result}:${r.csr_length}`).sort()).toEqual([`SEC-16:Unspecified:Rejected:${CSR.length}`, `SEC-201:V2GCertificate:Rejected:${CSR.length}`]);
    });
    expect(await metric(collector, 'chargewatch_security_events_total', { event_type: 'TamperDetectionActivated', source: 'station' })).toBe(1);
    expect(await metric(collector, 'chargewatch_firmware_status_total', { status: 'InvalidSignature' })).toBe(1);
    expect(await metric(collector, 'chargewatch_certificate_signing_requests_total', { result: 'Rejected' })).toBe(2);
    expect(await metric(collector, 'chargewatch_ocpp_messages_total', { action: 'SignCertificate', outcome: 'ok' })).toBe(2);
  });

  it('a 2.0.1 NotifyEvent Problem raises the connector error everywhere, a status keeps it, and clearing it clears it', async () => {
    const cp = await connect('FAULT-201', 'ocpp2.0.1');
    const problem = (actualValue: string, cleared: boolean) => ({
      generatedAt: iso(),
      seqNo: 0,
      eventData: [{ eventId: cleared ? 2 : 1, timestamp: iso(), trigger: 'Alerting', actualValue, cleared, techCode: 'LCK-3', techInfo: 'lock stuck', eventNotificationType: 'HardWiredNotification', component: { name: 'ConnectorPlugRetentionLock', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Problem' } }],
    });
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await cp.call('NotifyEvent', problem('true', false));
    // 2.0.1 StatusNotification carries no error code: the open problem stays.
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    const api = async () => (await (await collector.api('/api/v1/stations/FAULT-201')).json()) as Record<string, any>;
    let s = await api();
    expect(s.openErrors).toBe(1);
    expect(s.connectors[0]).toMatchObject({ evseId: 1, connectorId: 1, status: 'Faulted', errorCode: 'Problem' });
    expect(await metric(collector, 'chargewatch_connector_error', { station_id: 'FAULT-201', evse: '1', connector: '1' })).toBe(1);
    expect(await metric(collector, 'chargewatch_connector_errors_total', { error_code: 'Problem' })).toBe(1);

    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    expect((await api()).openErrors).toBe(1);
    await cp.call('NotifyEvent', problem('false', true));
    s = await api();
    expect(s.openErrors).toBe(0);
    expect(s.connectors[0]).toMatchObject({ status: 'Occupied', errorCode: 'NoError' });
    expect(await metric(collector, 'chargewatch_connector_error', { station_id: 'FAULT-201', evse: '1', connector: '1' })).toBe(0);

    await eventually(async () => {
      const rows = await q(`SELECT error_code, vendor_error_code, info FROM connector_status WHERE station_id = 'FAULT-201' AND error_code != 'NoError'`);
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows[0]).toMatchObject({ error_code: 'Problem', vendor_error_code: 'LCK-3', info: 'ConnectorPlugRetentionLock: lock stuck' });
    });
    const history = (await (await collector.api('/api/v1/stations/FAULT-201/history?hours=1')).json()) as { errors: unknown[] };
    expect(history.errors).toEqual(expect.arrayContaining([expect.objectContaining({ errorCode: 'Problem', vendorErrorCode: 'LCK-3' })]));
  });
});
