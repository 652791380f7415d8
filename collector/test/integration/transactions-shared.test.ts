/**
 * A transaction's end knows its start from the shared state, and every session is counted once:
 * two collectors on one Redis and InfluxDB (start on A, stop on B), a collector restart between start
 * and stop, resent messages, and the closes by policy (reboot, no activity) with the station's late end.
 * Read back through InfluxQL, the API and each collector's /metrics.
 */
import type { RPCClient } from 'ocpp-rpc';
import { eventually, influxQuery } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';
import { stationClient } from '../harness/station-client';

const INFLUX = () => process.env.TEST_INFLUX_URL!;
const iso = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();
const HOUR = 3_600_000;

describe('transactions shared by collectors', () => {
  let a: TestCollector;
  let b: TestCollector;
  let db: string;
  const clients: RPCClient[] = [];

  // One deployment: shared Redis prefix and InfluxDB database, two collector ids; sweeps run by hand.
  const sibling = (id: string) => startTestCollector({ REDIS_PREFIX: a.config.redis.prefix, INFLUX_DATABASE: db, COLLECTOR_ID: id, TX_STALE_SWEEP_INTERVAL_SEC: '0' });

  beforeAll(async () => {
    a = await startTestCollector({ TX_STALE_SWEEP_INTERVAL_SEC: '0' });
    db = a.database;
    b = await sibling(`${a.config.collectorId}-b`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    await Promise.all([a.stop(), b.stop()]);
  });

  async function connect(target: TestCollector, id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6') {
    const cp = stationClient(target.ocppUrl, id, protocol);
    clients.push(cp);
    await cp.connect();
    if (protocol === 'ocpp1.6') await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22' });
    else await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'AC22' } });
    return cp;
  }

  const ended = (id: string) => influxQuery(INFLUX(), db, `SELECT energy_wh, duration_s, meter_wh, stopped_reason, closed_by FROM "transaction" WHERE station_id = '${id}' AND event = 'ended'`);
  const state = async (target: TestCollector, id: string) => (await (await target.api(`/api/v1/stations/${id}`)).json()) as Record<string, any>;
  it('1.6: starts on A, stops on B: energy and duration from the start A recorded; resends count once', async () => {
    const startedAt = iso(-120_000);
    let cp = await connect(a, 'MOVE-16');
    const start = { connectorId: 1, idTag: 'RFID-1', meterStart: 1000, timestamp: startedAt };
    const first = (await cp.call('StartTransaction', start)) as { transactionId: number };
    // Our answer was lost: the station sends the same StartTransaction again and gets the same id.
    const again = (await cp.call('StartTransaction', start)) as { transactionId: number };
    expect(again.transactionId).toBe(first.transactionId);
    expect(await metric(a, 'chargewatch_sessions_started_total')).toBe(1);
    await cp.close();

    cp = await connect(b, 'MOVE-16');
    await cp.call('MeterValues', { connectorId: 1, transactionId: first.transactionId, meterValue: [{ timestamp: iso(-1000), sampledValue: [{ value: '3000', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
    const stop = { transactionId: first.transactionId, meterStop: 4000, timestamp: iso(), reason: 'EVDisconnected' };
    await cp.call('StopTransaction', stop);
    await cp.call('StopTransaction', stop); // resent after a lost answer

    await eventually(async () => {
      const rows = await ended('MOVE-16');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ energy_wh: 3000, meter_wh: 4000, stopped_reason: 'EVDisconnected', closed_by: 'station' });
      expect(rows[0]!.duration_s as number).toBeGreaterThanOrEqual(119);
      expect(rows[0]!.duration_s as number).toBeLessThan(125);
    });
    expect(await metric(b, 'chargewatch_sessions_ended_total', { reason: 'EVDisconnected' })).toBe(1);
    expect(await metric(b, 'chargewatch_sessions_zero_energy_total')).toBe(0);
    expect((await state(b, 'MOVE-16')).activeTransactions).toBe(0);
    // A still counted the session it saw start until it learns from the shared state that it ended.
    await a.reconcileOpenTransactions();
    await b.reconcileOpenTransactions();
    expect(await metric(a, 'chargewatch_sessions_active')).toBe(0);
    expect(await metric(b, 'chargewatch_sessions_active')).toBe(0);
    await cp.close();
  });

  it('2.0.1: start, collector restart, stop: the restarted collector writes energy and duration and counts one end', async () => {
    const c1 = await sibling(`${a.config.collectorId}-c`);
    let cp = await connect(c1, 'RESTART-201', 'ocpp2.0.1');
    const base = { transactionInfo: { transactionId: 'tx-r1' }, evse: { id: 1, connectorId: 1 } };
    const energy = (kwh: number, context: string) => [{ timestamp: iso(), sampledValue: [{ value: kwh, measurand: 'Energy.Active.Import.Register', context, unitOfMeasure: { unit: 'kWh' } }] }];
    const started = { ...base, eventType: 'Started', timestamp: iso(-300_000), triggerReason: 'Authorized', seqNo: 0, idToken: { idToken: 'APP-1', type: 'Central' }, meterValue: energy(10, 'Transaction.Begin') };
    await cp.call('TransactionEvent', started);
    await cp.call('TransactionEvent', started); // resent
    await cp.close();
    await c1.stop();

    const c2 = await sibling(`${a.config.collectorId}-c`);
    try {
      cp = await connect(c2, 'RESTART-201', 'ocpp2.0.1');
      const endedMsg = { ...base, transactionInfo: { transactionId: 'tx-r1', stoppedReason: 'EVDisconnected' }, eventType: 'Ended', timestamp: iso(), triggerReason: 'EVDeparted', seqNo: 1, meterValue: energy(14.5, 'Transaction.End') };
      await cp.call('TransactionEvent', endedMsg);
      await cp.call('TransactionEvent', endedMsg); // resent
      await eventually(async () => {
        const rows = await ended('RESTART-201');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ energy_wh: 4500, closed_by: 'station' });
        expect(rows[0]!.duration_s as number).toBeGreaterThanOrEqual(299);
      });
      expect(await metric(c2, 'chargewatch_sessions_ended_total')).toBe(1);
      expect(await metric(c2, 'chargewatch_sessions_started_total')).toBe(0);
      expect((await influxQuery(INFLUX(), db, `SELECT count(transaction_id) FROM "transaction" WHERE station_id = 'RESTART-201' AND event = 'started'`))[0]).toMatchObject({ count: 1 });
      await cp.close();
    } finally {
      await c2.stop();
    }
  });

  it('sessions_active follows a session that moves to another collector', async () => {
    let cp = await connect(a, 'MOVE-ACTIVE');
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'R', meterStart: 0, timestamp: iso(-5000) })) as { transactionId: number };
    expect(await metric(a, 'chargewatch_sessions_active')).toBe(1);
    await cp.close();
    cp = await connect(b, 'MOVE-ACTIVE');
    await a.reconcileOpenTransactions();
    await b.reconcileOpenTransactions();
    // Counted once over both collectors: by the one that holds the station now.
    expect(await metric(a, 'chargewatch_sessions_active')).toBe(0);
    expect(await metric(b, 'chargewatch_sessions_active')).toBe(1);
    await cp.call('StopTransaction', { transactionId, meterStop: 10, timestamp: iso() });
    expect(await metric(b, 'chargewatch_sessions_active')).toBe(0);
    await cp.close();
  });

  it("reboot then Available closes the lost transaction at once; the station's late Stop replaces the close", async () => {
    const cp = await connect(a, 'REBOOT-16');
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'R', meterStart: 2000, timestamp: iso(-60_000) })) as { transactionId: number };
    await cp.call('BootNotification', { chargePointVendor: 'Acme', chargePointModel: 'AC22' });
    await cp.call('StatusNotification', { connectorId: 1, status: 'Available', errorCode: 'NoError', timestamp: iso() });
    expect((await state(a, 'REBOOT-16')).activeTransactions).toBe(0);
    expect(await metric(a, 'chargewatch_sessions_ended_total', { reason: 'StaleAfterReboot' })).toBe(1);
    expect(await metric(a, 'chargewatch_transactions_closed_by_policy_total', { reason: 'StaleAfterReboot' })).toBe(1);
    await eventually(async () => expect(await ended('REBOOT-16')).toEqual([expect.objectContaining({ closed_by: 'collector', stopped_reason: 'StaleAfterReboot' })]));

    // The station replays its StopTransaction (queued while it rebooted): its figures win, no second end.
    await cp.call('StopTransaction', { transactionId, meterStop: 2600, timestamp: iso(-30_000), reason: 'PowerLoss' });
    await eventually(async () => {
      const rows = await ended('REBOOT-16');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ closed_by: 'station', stopped_reason: 'PowerLoss', energy_wh: 600, meter_wh: 2600 });
    });
    expect(await metric(a, 'chargewatch_sessions_ended_total')).toBeGreaterThanOrEqual(1);
    expect(await metric(a, 'chargewatch_sessions_ended_total', { reason: 'PowerLoss' })).toBe(0);
    expect((await state(a, 'REBOOT-16')).activeTransactions).toBe(0);
    await cp.close();
  });

  it('a transaction silent for TX_STALE_AFTER_SEC is closed by a sweep on any collector, once', async () => {
    const cp = await connect(a, 'SILENT-16');
    const { transactionId } = (await cp.call('StartTransaction', { connectorId: 1, idTag: 'R', meterStart: 500, timestamp: iso(-1000) })) as { transactionId: number };
    const later = Date.now() + 25 * HOUR;
    const [fromA, fromB] = await Promise.all([a.sweepStaleTransactions(later), b.sweepStaleTransactions(later)]);
    const closed = [...fromA.closed, ...fromB.closed].filter((e) => e.stationId === 'SILENT-16');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ transactionId: String(transactionId), closedBy: 'collector', stoppedReason: 'StaleNoActivity', start: { meterStartWh: 500 } });
    expect((await state(a, 'SILENT-16')).activeTransactions).toBe(0);
    await a.reconcileOpenTransactions();
    expect(await metric(a, 'chargewatch_sessions_active')).toBe(0);
    expect((await metric(a, 'chargewatch_transactions_closed_by_policy_total', { reason: 'StaleNoActivity' })) + (await metric(b, 'chargewatch_transactions_closed_by_policy_total', { reason: 'StaleNoActivity' }))).toBe(1);
    await eventually(async () => expect(await ended('SILENT-16')).toEqual([expect.objectContaining({ closed_by: 'collector', stopped_reason: 'StaleNoActivity' })]));
    await cp.close();
  });
});
