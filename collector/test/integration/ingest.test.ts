/**
 * The whole ingest path against real services: stations speaking OCPP 1.6J and 2.0.1 through
 * ocpp-rpc clients in strict mode → collector → InfluxDB (read back with InfluxQL), Redis (read back
 * through the API) and Prometheus (a real Prometheus scrapes the collector; read back with PromQL).
 */
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { eventually, influxQuery, promQuery, setPrometheusTargets } from '@chargewatch/tools';

const INFLUX = () => process.env.TEST_INFLUX_URL!;
const PROM = () => process.env.TEST_PROMETHEUS_URL!;

function station(collector: TestCollector, identity: string, protocol: 'ocpp1.6' | 'ocpp2.0.1') {
  return stationClient(collector.ocppUrl, identity, protocol);
}

const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

describe('ingest into InfluxDB, Redis and Prometheus', () => {
  let collector: TestCollector;
  const clients: RPCClient[] = [];

  beforeAll(async () => {
    collector = await startTestCollector();
    await collector.api('/api/v1/stations/CP16-A/metadata', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'depot-north', tags: { region: 'north' } }),
    });
    setPrometheusTargets([`127.0.0.1:${collector.apiPort}`]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    await collector.stop();
  });

  it('records a full OCPP 1.6 session', async () => {
    const cp = station(collector, 'CP16-A', 'ocpp1.6');
    clients.push(cp);
    await cp.connect();
    const boot = (await cp.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'Eve Double', firmwareVersion: '6.1.0' })) as { status: string; interval: number };
    expect(boot.status).toBe('Accepted');
    expect(boot.interval).toBe(300);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Preparing', errorCode: 'NoError', timestamp: iso() });
    const start = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'RFID0001', meterStart: 1000, timestamp: iso() })) as { transactionId: number; idTagInfo: { status: string } };
    expect(start.idTagInfo.status).toBe('Accepted');
    expect(Number.isInteger(start.transactionId)).toBe(true);
    await cp.call('StatusNotification', { connectorId: 1, status: 'Charging', errorCode: 'NoError', timestamp: iso() });
    await cp.call('MeterValues', {
      connectorId: 1,
      transactionId: start.transactionId,
      meterValue: [{ timestamp: iso(-1000), sampledValue: [
        { value: '2.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic' },
        { value: '11', unit: 'kW', measurand: 'Power.Active.Import', context: 'Sample.Periodic' },
        { value: '16.1', unit: 'A', measurand: 'Current.Import', phase: 'L1', context: 'Sample.Periodic' },
        { value: '15.9', unit: 'A', measurand: 'Current.Import', phase: 'L2', context: 'Sample.Periodic' },
      ] }],
    });
    await cp.call('StopTransaction', { transactionId: start.transactionId, meterStop: 4000, timestamp: iso(), reason: 'EVDisconnected', idTag: 'RFID0001' });
    await cp.call('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', vendorErrorCode: 'E42', timestamp: iso() });
    await cp.call('Heartbeat', {});

    const res = await collector.api('/api/v1/stations/CP16-A');
    expect(res.status).toBe(200);
    const state = (await res.json()) as Record<string, any>;
    expect(state).toMatchObject({ id: 'CP16-A', online: true, vendor: 'Alfen', model: 'Eve Double', firmwareVersion: '6.1.0', protocol: 'ocpp1.6', site: 'depot-north', openErrors: 1, activeTransactions: 0 });
    expect(state.collectorId).toBe(collector.config.collectorId);
    expect(state.connectors).toEqual([expect.objectContaining({ evseId: 1, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' })]);

    const db = collector.database;
    await eventually(async () => {
      const meter = await influxQuery(INFLUX(), db, `SELECT value, unit, transaction_id FROM meter WHERE station_id = 'CP16-A' AND measurand = 'Energy.Active.Import.Register'`);
      expect(meter).toHaveLength(1);
      expect(meter[0]).toMatchObject({ value: 2500, unit: 'Wh', transaction_id: String(start.transactionId) });
    });
    const phases = await influxQuery(INFLUX(), db, `SELECT count(value) FROM meter WHERE station_id = 'CP16-A' AND measurand = 'Current.Import' GROUP BY phase`);
    expect(phases.map((r) => r.phase).sort()).toEqual(['L1', 'L2']);
    const ended = await influxQuery(INFLUX(), db, `SELECT energy_wh, stopped_reason FROM "transaction" WHERE station_id = 'CP16-A' AND event = 'ended'`);
    expect(ended[0]).toMatchObject({ energy_wh: 3000, stopped_reason: 'EVDisconnected' });
    const tagged = await influxQuery(INFLUX(), db, `SELECT count(status) FROM connector_status WHERE site = 'depot-north' AND tag_region = 'north'`);
    expect(tagged[0]!.count).toBe(3);
  });

  it('records an OCPP 2.0.1 session with offline replay, security events and device events', async () => {
    const cp = station(collector, 'CP201-B', 'ocpp2.0.1');
    clients.push(cp);
    await cp.connect();
    await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'ABB', model: 'Terra 184', firmwareVersion: '1.8.2', serialNumber: 'SN-1' } });
    await cp.call('StatusNotification', { timestamp: iso(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    const energy = (wh: number) => ({ timestamp: iso(), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', context: 'Sample.Periodic', unitOfMeasure: { unit: 'kWh' } }] });
    const base = { transactionInfo: { transactionId: 'tx-201-1' }, evse: { id: 1, connectorId: 1 } };
    await cp.call('TransactionEvent', { ...base, eventType: 'Started', timestamp: iso(-60_000), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'APP-77', type: 'Central' }, offline: true, meterValue: [{ ...energy(10), timestamp: iso(-60_000) }] });
    await cp.call('TransactionEvent', { ...base, transactionInfo: { transactionId: 'tx-201-1', chargingState: 'Charging' }, eventType: 'Updated', timestamp: iso(), triggerReason: 'MeterValuePeriodic', seqNo: 1, meterValue: [energy(12.5)] });
    await cp.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: iso(), techInfo: 'lid opened' });
    await cp.call('NotifyEvent', { generatedAt: iso(), seqNo: 0, eventData: [{ eventId: 1, timestamp: iso(), trigger: 'Delta', actualValue: 'true', techCode: 'GF01', component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Problem' }, eventNotificationType: 'HardWiredNotification' }] });
    await cp.call('TransactionEvent', { ...base, transactionInfo: { transactionId: 'tx-201-1', stoppedReason: 'EVDisconnected' }, eventType: 'Ended', timestamp: iso(), triggerReason: 'EVCommunicationLost', seqNo: 2, meterValue: [{ ...energy(20), sampledValue: [{ value: 20, measurand: 'Energy.Active.Import.Register', context: 'Transaction.End', unitOfMeasure: { unit: 'kWh' } }] }] });

    const db = collector.database;
    await eventually(async () => {
      const tx = await influxQuery(INFLUX(), db, `SELECT transaction_id, offline, seq_no, energy_wh FROM "transaction" WHERE station_id = 'CP201-B' GROUP BY event`);
      expect(tx.map((r) => r.event).sort()).toEqual(['ended', 'started', 'updated']);
      expect(tx.find((r) => r.event === 'started')).toMatchObject({ transaction_id: 'tx-201-1', offline: true, seq_no: 0 });
      expect(tx.find((r) => r.event === 'ended')).toMatchObject({ energy_wh: 10000 });
    });
    const security = await influxQuery(INFLUX(), db, `SELECT tech_info FROM security_event WHERE station_id = 'CP201-B' AND event_type = 'TamperDetectionActivated'`);
    expect(security[0]).toMatchObject({ tech_info: 'lid opened' });
    const device = await influxQuery(INFLUX(), db, `SELECT tech_code FROM device_event WHERE station_id = 'CP201-B' AND component = 'Connector' AND variable = 'Problem'`);
    expect(device[0]).toMatchObject({ tech_code: 'GF01' });
    const state = (await (await collector.api('/api/v1/stations/CP201-B')).json()) as Record<string, any>;
    expect(state).toMatchObject({ vendor: 'ABB', model: 'Terra 184', serialNumber: 'SN-1', bootReason: 'PowerUp', activeTransactions: 0 });
    expect(state.connectors[0]).toMatchObject({ status: 'Occupied' });
  });

  it('serves a station\'s recent history from InfluxDB', async () => {
    const res = await collector.api('/api/v1/stations/CP16-A/history?hours=1');
    expect(res.status).toBe(200);
    const h = (await res.json()) as Record<string, any[]>;
    expect(h.statusTimeline.map((s) => s.status)).toEqual(['Faulted', 'Charging', 'Preparing']);
    expect(h.errors).toEqual([expect.objectContaining({ errorCode: 'GroundFailure', vendorErrorCode: 'E42', evseId: 1, connectorId: 1 })]);
    expect(h.sessions).toEqual([expect.objectContaining({ energyWh: 3000, stoppedReason: 'EVDisconnected', evseId: 1, connectorId: 1, startedAt: expect.any(String), endedAt: expect.any(String) })]);
    expect(h.connections[0]).toMatchObject({ event: 'opened' });
    expect((await collector.api('/api/v1/stations/NOPE/history')).status).toBe(404);
    expect((await collector.api('/api/v1/stations/CP16-A/history?hours=0')).status).toBe(400);
  });

  it('is scraped by a real Prometheus and answers PromQL', async () => {
    await eventually(async () => {
      const code = await promQuery(PROM(), 'chargewatch_connector_status_code{station_id="CP16-A"}');
      expect(code).toHaveLength(1);
      expect(code[0]!.value).toBe(9); // Faulted
      expect(code[0]!.metric).toMatchObject({ site: 'depot-north', evse: '1', connector: '1' });
    }, 20_000);
    await eventually(async () => {
      const energy = await promQuery(PROM(), 'sum(chargewatch_energy_delivered_wh_total)');
      // 1.6: 1000 → 2500 → 4000 Wh; 2.0.1: 10 → 12.5 → 20 kWh.
      expect(energy[0]!.value).toBe(3000 + 10000);
      const connected = await promQuery(PROM(), 'sum(chargewatch_station_connected)');
      expect(connected[0]!.value).toBe(2);
      const ended = await promQuery(PROM(), 'sum(chargewatch_sessions_ended_total)');
      expect(ended[0]!.value).toBe(2);
      const security = await promQuery(PROM(), 'chargewatch_security_events_total{event_type="TamperDetectionActivated"}');
      expect(security[0]!.value).toBe(1);
      const faulted = await promQuery(PROM(), 'sum by (vendor) (chargewatch_connector_errors_total{error_code="GroundFailure"})');
      expect(faulted[0]!.metric.vendor).toBe('Alfen');
    }, 20_000);
  });
});
