/**
 * "Ack means durable": a station's answer is a promise that its events reach InfluxDB. These tests
 * run their own Redis and InfluxDB processes so they can stop, pause and restart them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfluxDB, startRedis, freePort, eventually, influxQuery, type Service } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { stationClient } from '../harness/station-client';

const meterValues = (i: number) => ({
  connectorId: 1,
  meterValue: [{ timestamp: new Date(Date.now() - 60_000 + i).toISOString(), sampledValue: [{ value: String(1000 + i), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }],
});

async function countSamples(influxUrl: string, db: string, station: string): Promise<number> {
  const rows = await influxQuery(influxUrl, db, `SELECT count(value) FROM meter WHERE station_id = '${station}'`).catch(() => []);
  return Number(rows[0]?.count ?? 0);
}

describe('ack means durable', () => {
  let dir: string;
  let redis: Service;
  let influx: Service;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-durable-'));
    [redis, influx] = await Promise.all([startRedis(dir, { appendOnly: true }), startInfluxDB(dir)]);
  });

  afterAll(async () => {
    await Promise.all([redis.stop(), influx.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({ REDIS_URL: redis.url, INFLUX_URL: influx.url });

  it('keeps answering while InfluxDB is paused, shows the backlog, and drains it fully afterwards', async () => {
    const collector = await startTestCollector(env());
    const cp = stationClient(collector.ocppUrl, 'OUTAGE-1', 'ocpp1.6');
    try {
      await cp.connect();
      await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      influx.process.signal('SIGSTOP');
      for (let i = 0; i < 50; i++) await cp.call('MeterValues', meterValues(i));
      await eventually(async () => {
        const metrics = await (await fetch(`${collector.apiUrl}/metrics`)).text();
        const entries = Number(/^chargewatch_journal_entries (\d+)/m.exec(metrics)?.[1]);
        expect(entries).toBeGreaterThanOrEqual(50);
        expect(Number(/^chargewatch_influx_backlog_oldest_age_seconds ([\d.]+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
      }, 10_000);
      influx.process.signal('SIGCONT');
      await eventually(async () => expect(await countSamples(influx.url, collector.database, 'OUTAGE-1')).toBe(50), 30_000);
      await eventually(async () => expect((await collector.journal.backlog()).entries).toBe(0), 10_000);
    } finally {
      influx.process.signal('SIGCONT');
      await cp.close({ force: true });
      await collector.stop();
    }
  });

  it('writes what was acknowledged before a restart, when InfluxDB was down throughout the first run', async () => {
    const deadInflux = `http://127.0.0.1:${await freePort()}`; // nothing listens: every write fails
    const first = await startTestCollector({ ...env(), INFLUX_URL: deadInflux, INFLUX_API: 'v1' });
    const cp = stationClient(first.ocppUrl, 'RESTART-1', 'ocpp2.0.1');
    await cp.connect();
    await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
    for (let i = 0; i < 20; i++) {
      await cp.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: new Date(Date.now() - 1000 + i).toISOString(), sampledValue: [{ value: 10 + i, measurand: 'Energy.Active.Import.Register' }] }] });
    }
    await cp.close({ force: true });
    // Shutdown cannot reach InfluxDB: the sink gives up, the journal keeps the entries.
    await first.stop();
    expect(await countSamples(influx.url, first.database, 'RESTART-1')).toBe(0);

    const second = await startTestCollector({
      ...env(),
      REDIS_PREFIX: first.config.redis.prefix,
      INFLUX_DATABASE: first.database,
      COLLECTOR_ID: first.config.collectorId,
    });
    try {
      await eventually(async () => expect(await countSamples(influx.url, first.database, 'RESTART-1')).toBe(20), 30_000);
      await eventually(async () => expect((await second.journal.backlog()).entries).toBe(0), 10_000);
    } finally {
      await second.stop();
    }
  });

  it('answers with a CALLERROR, never a false success, when the journal is full', async () => {
    const collector = await startTestCollector({ ...env(), INFLUX_URL: `http://127.0.0.1:${await freePort()}`, INFLUX_API: 'v1', JOURNAL_MAX_ENTRIES: '5' });
    const cp = stationClient(collector.ocppUrl, 'FULL-1', 'ocpp1.6');
    try {
      await cp.connect();
      await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      const outcomes: string[] = [];
      for (let i = 0; i < 10; i++) {
        outcomes.push(await cp.call('MeterValues', meterValues(i)).then(() => 'ok', (err: { rpcErrorCode?: string }) => err.rpcErrorCode ?? 'error'));
      }
      expect(outcomes.filter((o) => o === 'ok').length).toBeLessThanOrEqual(5);
      expect(outcomes).toContain('InternalError');
      const metrics = await (await fetch(`${collector.apiUrl}/metrics`)).text();
      expect(metrics).toMatch(/chargewatch_journal_refused_total\{reason="journal_full"\} [1-9]/);
    } finally {
      await cp.close({ force: true });
      await collector.stop();
    }
  });

  it('keeps stations connected through a Redis restart and loses nothing acknowledged', async () => {
    const collector = await startTestCollector(env());
    const cp = stationClient(collector.ocppUrl, 'REDIS-1', 'ocpp1.6');
    try {
      await cp.connect();
      await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
      let acked = 0;
      for (let i = 0; i < 10; i++) {
        await cp.call('MeterValues', meterValues(i));
        acked++;
      }
      const port = redis.port;
      await redis.stop();
      // While Redis is gone nothing can be made durable: the station must hear so.
      await expect(cp.call('MeterValues', meterValues(100))).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
      redis = await startRedis(dir, { port, appendOnly: true });
      await eventually(async () => {
        await cp.call('MeterValues', meterValues(10));
      }, 20_000);
      acked++;
      for (let i = 11; i < 20; i++) {
        await cp.call('MeterValues', meterValues(i));
        acked++;
      }
      expect(cp.state).toBe(1); // OPEN: the websocket survived
      await eventually(async () => expect(await countSamples(influx.url, collector.database, 'REDIS-1')).toBeGreaterThanOrEqual(acked), 30_000);
      // Every acknowledged sample is there exactly once (the refused one may or may not be).
      const rows = await influxQuery(influx.url, collector.database, `SELECT value FROM meter WHERE station_id = 'REDIS-1'`);
      const values = rows.map((r) => r.value as number).filter((v) => v < 1100);
      expect(new Set(values).size).toBe(values.length);
      expect(values.length).toBe(acked);
    } finally {
      await cp.close({ force: true });
      await collector.stop();
    }
  });
});
