/**
 * Bounded cardinality under hostile stations, against a real collector, Redis and InfluxDB: the series
 * budget in docs/data-model.md is read from the document and checked against the collector's own
 * /metrics after one station invents connector ids and vendor/model pairs and one address invents
 * identities; and registry entries of stations that never booted are pruned from Redis and from the
 * Prometheus series of every collector.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { eventually, influxQuery } from '@chargewatch/tools';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

interface Budget {
  perStation: number;
  perConnector: number;
  stationMetrics: string[];
  connectorMetrics: string[];
}

/** The figures and metric lists of docs/data-model.md's Prometheus section. */
function readBudget(): Budget {
  const doc = readFileSync(join(__dirname, '../../../docs/data-model.md'), 'utf8');
  const figures = /^Per station: (\d+) series, plus (\d+) per connector\./m.exec(doc);
  if (!figures) throw new Error('docs/data-model.md no longer states "Per station: N series, plus M per connector."');
  const table = (heading: string) => {
    const start = doc.indexOf(heading);
    if (start < 0) throw new Error(`docs/data-model.md has no "${heading}" table`);
    const rows = doc.slice(start).split('\n').slice(1);
    const names: string[] = [];
    for (const row of rows.slice(rows.findIndex((r) => r.startsWith('|')))) {
      if (!row.startsWith('|')) break;
      const name = /^\| `(chargewatch_[a-z_]+)`/.exec(row)?.[1];
      if (name) names.push(name);
    }
    return names;
  };
  expect(doc).toMatch(/at most \(`OCPP_MAX_EVSE_ID` \+ 1\) × \(`OCPP_MAX_CONNECTOR_ID` \+ 1\)\s+connectors/);
  expect(doc).toMatch(/at most `PROM_MAX_VENDOR_MODELS`/);
  return {
    perStation: Number(figures[1]),
    perConnector: Number(figures[2]),
    stationMetrics: table('Per station (labels `station_id`, `site`)'),
    connectorMetrics: table('Per connector (labels `station_id`, `site`, `evse`, `connector`):'),
  };
}

interface Series {
  name: string;
  labels: Record<string, string>;
}

async function scrape(c: TestCollector): Promise<Series[]> {
  // Both scrapes: the per-station series are served on /metrics/stations.
  const text = (await Promise.all(['/metrics', '/metrics/stations'].map(async (p) => (await fetch(`${c.apiUrl}${p}`)).text()))).join('\n');
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)\{(.*)\} /.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    out.push({ name: m[1]!, labels });
  }
  return out;
}

const MAX_EVSE = 4;
const MAX_CONNECTOR = 2;
const MAX_PAIRS = 3;
const NEW_PER_MIN = 8;

describe('series budget under hostile stations', () => {
  let c: TestCollector;
  const clients: RPCClient[] = [];
  const open = async (id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1' = 'ocpp1.6') => {
    const cl = stationClient(c.ocppUrl, id, protocol);
    clients.push(cl);
    await cl.connect();
    return cl;
  };

  beforeAll(async () => {
    c = await startTestCollector({
      OCPP_MAX_EVSE_ID: String(MAX_EVSE),
      OCPP_MAX_CONNECTOR_ID: String(MAX_CONNECTOR),
      PROM_MAX_VENDOR_MODELS: String(MAX_PAIRS),
      OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: String(NEW_PER_MIN),
      OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    });
  });

  afterAll(async () => {
    for (const cl of clients) await cl.close({ force: true }).catch(() => undefined);
    await c?.stop();
  });

  it('stays within the documented budget', async () => {
    const budget = readBudget();
    const ts = new Date().toISOString();
    // One 1.6 station: connector ids 0..40 and 20 vendor/model pairs.
    const h16 = await open('HOSTILE-16');
    const refused16: string[] = [];
    for (let id = 0; id <= 40; id++) {
      await h16.call('StatusNotification', { connectorId: id, errorCode: 'NoError', status: 'Available', timestamp: ts }).catch((err: { rpcErrorCode?: string }) => refused16.push(err.rpcErrorCode ?? 'none'));
    }
    expect(refused16).toEqual(Array(40 - MAX_EVSE).fill('PropertyConstraintViolation'));
    await expect(h16.call('MeterValues', { connectorId: 99, meterValue: [{ timestamp: ts, sampledValue: [{ value: '1' }] }] })).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await expect(h16.call('StartTransaction', { connectorId: 7, idTag: 'T', meterStart: 0, timestamp: ts })).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    for (let i = 0; i < 20; i++) await h16.call('BootNotification', { chargePointVendor: `Evil${i}`, chargePointModel: `M${i}` });

    // One 2.0.1 station: EVSE × connector grid beyond both limits.
    const h201 = await open('HOSTILE-201', 'ocpp2.0.1');
    let refused201 = 0;
    for (let evse = 0; evse <= 6; evse++) {
      for (let conn = 0; conn <= 4; conn++) {
        await h201.call('StatusNotification', { timestamp: ts, connectorStatus: 'Available', evseId: evse, connectorId: conn }).catch(() => refused201++);
      }
    }
    expect(refused201).toBe(7 * 5 - (MAX_EVSE + 1) * (MAX_CONNECTOR + 1));

    // One address inventing identities: each that gets in boots with its own vendor/model.
    const outcomes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const cl = stationClient(c.ocppUrl, `SCAN-${i}`, 'ocpp1.6');
      clients.push(cl);
      try {
        await cl.connect();
        outcomes.push(101);
        await cl.call('BootNotification', { chargePointVendor: `Scan${i}`, chargePointModel: 'X' });
        await cl.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
        await cl.close();
      } catch (err) {
        outcomes.push((err as { code?: number }).code ?? 0);
      }
    }
    // The two hostile stations were new identities of the same address too.
    expect(outcomes.filter((s) => s === 101)).toHaveLength(NEW_PER_MIN - 2);
    expect(outcomes.filter((s) => s === 429)).toHaveLength(40 - (NEW_PER_MIN - 2));
    expect(await metric(c, 'chargewatch_connections_rejected_total', { reason: 'new_identity_limit' })).toBe(40 - (NEW_PER_MIN - 2));
    expect(await metric(c, 'chargewatch_ocpp_limit_refusals_total')).toBe(40 - MAX_EVSE + 2 + refused201);

    const series = await scrape(c);
    // Every metric labelled by station is one the budget lists.
    const stationMetricNames = new Set(series.filter((s) => s.labels.station_id !== undefined).map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    expect([...stationMetricNames].sort()).toEqual([...new Set([...budget.stationMetrics, ...budget.connectorMetrics])].sort());
    expect(budget.stationMetrics).toHaveLength(budget.perStation);
    expect(budget.connectorMetrics).toHaveLength(budget.perConnector);
    const stations = new Set(series.flatMap((s) => (s.labels.station_id !== undefined ? [s.labels.station_id] : [])));
    expect(stations.size).toBe(NEW_PER_MIN);
    const maxConnectors = (MAX_EVSE + 1) * (MAX_CONNECTOR + 1);
    for (const id of stations) {
      const own = series.filter((s) => s.labels.station_id === id);
      const connectors = new Set(own.filter((s) => s.labels.evse !== undefined).map((s) => `${s.labels.evse}/${s.labels.connector}`));
      expect(connectors.size).toBeLessThanOrEqual(maxConnectors);
      for (const k of connectors) {
        const [evse, conn] = k.split('/').map(Number);
        expect(evse).toBeLessThanOrEqual(MAX_EVSE);
        expect(conn).toBeLessThanOrEqual(MAX_CONNECTOR);
      }
      expect(own.length).toBeLessThanOrEqual(budget.perStation + budget.perConnector * connectors.size);
    }
    // Vendor/model label values: the budget's pairs, `other`, and `unknown` for stations not booted.
    const pairs = new Set(series.filter((s) => s.labels.vendor !== undefined).map((s) => `${s.labels.vendor}/${s.labels.model}`));
    expect(pairs.size).toBeLessThanOrEqual(MAX_PAIRS + 2);
    expect(pairs).toContain('other/other');

    // Redis and InfluxDB hold nothing of the refused ids either.
    const redis = c.store.redis;
    expect(await redis.scard(`${c.config.redis.prefix}stations`)).toBe(NEW_PER_MIN);
    const state = await c.store.get('HOSTILE-201');
    expect(state?.connectors.length).toBe((MAX_EVSE + 1) * (MAX_CONNECTOR + 1));
    const evseTags = await eventually(async () => {
      const rows = await influxQuery(c.config.influx.url, c.database, `SHOW TAG VALUES FROM connector_status WITH KEY = "evse" WHERE station_id = 'HOSTILE-16'`);
      expect(rows.map((r) => r.value)).toContain(String(MAX_EVSE));
      return rows.map((r) => Number(r.value));
    });
    expect(Math.max(...evseTags)).toBe(MAX_EVSE);
  });
});

describe('registry prune of stations that never booted', () => {
  let a: TestCollector;
  let b: TestCollector;
  const AFTER = 3600;

  beforeAll(async () => {
    a = await startTestCollector({ REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: String(AFTER) });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const connectAndLeave = async (id: string, boot: boolean, to: TestCollector = a) => {
    const cl = stationClient(to.ocppUrl, id, 'ocpp1.6');
    await cl.connect();
    if (boot) await cl.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
    await cl.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    await cl.close();
  };
  const seriesOf = async (c: TestCollector, id: string) => (await scrape(c)).filter((s) => s.labels.station_id === id);

  it('removes the entry and its series everywhere; keeps booted, configured and connected stations', async () => {
    // A second collector on the same Redis, which does not prune itself: it learns of prunes from the channel.
    b = await startTestCollector({ REDIS_PREFIX: a.config.redis.prefix, INFLUX_DATABASE: a.database, REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: '0' });
    await connectAndLeave('GHOST', false);
    await connectAndLeave('GHOST-B', false, b);
    await connectAndLeave('BOOTED', true);
    await connectAndLeave('WITH-META', false);
    await connectAndLeave('WITH-SECURITY', false);
    expect((await a.api('/api/v1/stations/WITH-META/metadata', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'depot' }) })).status).toBe(200);
    expect((await a.api('/api/v1/stations/WITH-SECURITY/security', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 0 }) })).status).toBe(200);
    const online = stationClient(a.ocppUrl, 'ONLINE', 'ocpp1.6');
    await online.connect();
    await online.call('Heartbeat', {});
    await eventually(async () => expect((await a.store.get('GHOST'))?.online).toBe(false));
    await eventually(async () => expect((await a.store.get('GHOST-B'))?.online).toBe(false));
    expect((await seriesOf(b, 'GHOST-B')).length).toBeGreaterThan(0);
    expect((await seriesOf(a, 'GHOST')).length).toBeGreaterThan(0);

    // Not yet old enough: nothing goes.
    expect(await a.pruneUnbootedStations(Date.now())).toEqual([]);
    const pruned = await a.pruneUnbootedStations(Date.now() + AFTER * 1000 + 60_000);
    expect(pruned).toEqual(['GHOST', 'GHOST-B']);

    expect(await a.store.exists('GHOST')).toBe(false);
    expect((await a.api('/api/v1/stations/GHOST')).status).toBe(404);
    const left = await a.store.redis.keys(`${a.config.redis.prefix}*GHOST*`);
    expect(left).toEqual([]);
    await eventually(async () => {
      expect(await seriesOf(a, 'GHOST')).toEqual([]);
      expect(await seriesOf(b, 'GHOST-B')).toEqual([]);
    });
    for (const id of ['BOOTED', 'WITH-META', 'WITH-SECURITY', 'ONLINE']) {
      expect(await a.store.exists(id)).toBe(true);
      expect((await seriesOf(a, id)).length).toBeGreaterThan(0);
    }
    await online.close();

    // The pruned identity can come back: it is a new station again.
    await connectAndLeave('GHOST', true);
    expect(await a.store.exists('GHOST')).toBe(true);
  });
});
