/**
 * InfluxSink against the harness's real influxd (Debian 1.6.7: v1 `/write` and InfluxQL only), plus the
 * v2 wire format against a local recording HTTP server (1.6.7 has no `/api/v2/write`).
 */
import { decodeTagValue } from '../../src/sinks/influx/line-protocol';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ensureInfluxDatabase } from '../../src/sinks/influx/database';
import type { ChargeEvent } from '@chargewatch/model';
import { EXAMPLE_QUERIES } from '../../src/sinks/influx/example-queries';
import { InfluxSink } from '../../src/sinks/influx/sink';
import { InfluxWriteError, V1Writer, V2Writer, createInfluxWriter, detectApi } from '../../src/sinks/influx/writer';
import { influxQuery } from '@chargewatch/tools';
import { ID_TOKEN, TX_ID, sessionEvents } from '../unit/influx/events';

const url = process.env.TEST_INFLUX_URL!;
const HOUR = 3_600_000;
let dbSeq = 0;
const freshDb = async (name: string) => {
  const db = `cw_${name}_${process.pid}_${++dbSeq}`;
  await ensureInfluxDatabase(url, db);
  return db;
};

const META: Record<string, { site: string; tags: Record<string, string> }> = {
  'CP 1,north': { site: 'Depot North', tags: { Region: 'EU West', 'Owner/Team': 'ops' } },
  'CP-2': { site: 'Harbour', tags: {} },
};
const stationMeta = (id: string) => META[id];

/** Two stations, one session each, an hour ago (inside the example queries' time ranges). */
function fleetEvents(): ChargeEvent[] {
  const base = Math.floor((Date.now() - HOUR) / 1000) * 1000;
  return [...sessionEvents('CP 1,north', base), ...sessionEvents('CP-2', base + 60_000)];
}

const MEASUREMENT_COUNTS: Record<string, [field: string, count: number]> = {
  // per station: 2 connection, 1 boot, 1 heartbeat, 2 status, 1 authorization, 3 transaction, 5 meter, …
  connection: ['collector_id', 4],
  boot: ['registration', 2],
  heartbeat: ['skew_ms', 2],
  connector_status: ['status', 4],
  authorization: ['id_token', 2],
  transaction: ['transaction_id', 6],
  meter: ['value', 10],
  firmware_status: ['status', 2],
  log_status: ['status', 2],
  security_event: ['tech_info', 2],
  device_event: ['actual_value', 2],
  device_report: ['items', 2],
  data_transfer: ['data_length', 2],
  certificate_signing: ['csr_length', 2],
};

async function counts(db: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [m, [field]] of Object.entries(MEASUREMENT_COUNTS)) {
    const rows = await influxQuery(url, db, `SELECT count("${field}") AS n FROM "${m}"`);
    out[m] = Number(rows[0]?.n ?? 0);
  }
  return out;
}
const expectedCounts = () => Object.fromEntries(Object.entries(MEASUREMENT_COUNTS).map(([m, [, n]]) => [m, n]));

describe('InfluxSink → real InfluxDB 1.6.7 (v1 API)', () => {
  let db: string;
  const events = fleetEvents();

  beforeAll(async () => {
    db = await freshDb('v1');
    const writer = await createInfluxWriter({ url, api: 'v1', database: db });
    expect(writer.api).toBe('v1');
    expect(await writer.ping()).toBe(true);
    const sink = new InfluxSink({ writer, stationMeta, batchSize: 7, flushIntervalMs: 50 });
    // Record in several calls, as the OCPP handlers do.
    for (let i = 0; i < events.length; i += 5) sink.record(events.slice(i, i + 5));
    await sink.flush();
    expect(sink.stats()).toMatchObject({ written: 44, rejected: 0, dropped: 0, backlog: 0 });
    await sink.close();
  });

  it('stores every event type: counts per measurement', async () => {
    expect(await counts(db)).toEqual(expectedCounts());
  });

  it('meter values after unit normalisation, one series per phase/location/context', async () => {
    const rows = await influxQuery(
      url,
      db,
      `SELECT "value", "unit", "transaction_id" FROM "meter" WHERE "station_id" = 'CP 1,north' GROUP BY "measurand", "phase", "location", "context"`,
    );
    const byKey = Object.fromEntries(rows.map((r) => [`${r.measurand}|${r.phase}|${r.location}`, r]));
    expect(byKey['Energy.Active.Import.Register||']).toMatchObject({ value: 1500, unit: 'Wh', transaction_id: TX_ID, context: 'Sample.Periodic' });
    expect(byKey['Power.Active.Import||']).toMatchObject({ value: 7400, unit: 'W' });
    expect(byKey['Current.Import|L1|']).toMatchObject({ value: 16, unit: 'A' });
    expect(byKey['Current.Import|L2|']).toMatchObject({ value: 15.5, unit: 'A' });
    expect(byKey['SoC||EV']).toMatchObject({ value: 42, unit: 'Percent' });
    expect(rows).toHaveLength(5);
  });

  it('transactions: ids and tokens as fields, energy and duration on the end', async () => {
    const rows = await influxQuery(
      url,
      db,
      `SELECT "transaction_id", "id_token", "meter_wh", "energy_wh", "duration_s", "stopped_reason", "offline", "seq_no" FROM "transaction" WHERE "station_id" = 'CP-2' GROUP BY "event"`,
    );
    const ended = rows.find((r) => r.event === 'ended')!;
    expect(ended).toMatchObject({
      transaction_id: TX_ID,
      meter_wh: 12500,
      energy_wh: 11500,
      duration_s: 3,
      stopped_reason: 'EVDisconnected',
      offline: false,
      seq_no: 2,
    });
    expect(rows.find((r) => r.event === 'started')).toMatchObject({ id_token: `****${ID_TOKEN.slice(-4)}`, meter_wh: 1000 });
  });

  it('tags: station_id, site, tag_<key>; no id token or transaction id in any tag', async () => {
    const sites = await influxQuery(url, db, `SHOW TAG VALUES FROM "heartbeat" WITH KEY = "site"`);
    expect(sites.map((r) => r.value).sort()).toEqual(['Depot North', 'Harbour']);
    const stations = await influxQuery(url, db, `SHOW TAG VALUES FROM "boot" WITH KEY = "station_id"`);
    expect(stations.map((r) => r.value).sort()).toEqual(['CP 1,north', 'CP-2']);
    const region = await influxQuery(url, db, `SELECT "skew_ms" FROM "heartbeat" WHERE "tag_region" = 'EU West' AND "tag_owner_team" = 'ops'`);
    expect(region).toEqual([expect.objectContaining({ skew_ms: 1500 })]);
    const vendors = await influxQuery(url, db, `SHOW TAG VALUES FROM "boot" WITH KEY IN ("vendor", "model")`);
    expect(vendors.map((r) => r.value).sort()).toEqual(['Acme Power', 'DC,50']);

    const tagKeys = (await influxQuery(url, db, 'SHOW TAG KEYS')).map((r) => String(r.tagKey));
    expect(tagKeys).toContain('station_id');
    expect(tagKeys).not.toContain('transaction_id');
    expect(tagKeys).not.toContain('id_token');
    for (const key of new Set(tagKeys)) {
      const values = (await influxQuery(url, db, `SHOW TAG VALUES WITH KEY = "${key}"`)).map((r) => String(r.value));
      expect(values).not.toContain(ID_TOKEN);
      expect(values).not.toContain(TX_ID);
    }
  });

  it('status, security and device points read back with their fields', async () => {
    const status = await influxQuery(url, db, `SELECT * FROM "connector_status" WHERE "station_id" = 'CP-2' AND "status" = 'Faulted'`);
    expect(status).toEqual([
      expect.objectContaining({ error_code: 'GroundFailure', vendor_error_code: 'E42', status_code: 9, info: 'RCD tripped, see log', evse: '1', connector: '1', site: 'Harbour' }),
    ]);
    const sec = await influxQuery(url, db, `SELECT * FROM "security_event" WHERE "station_id" = 'CP-2'`);
    expect(sec).toEqual([expect.objectContaining({ event_type: 'TamperDetectionActivated', source: 'station', tech_info: 'door open' })]);
    const dev = await influxQuery(url, db, `SELECT * FROM "device_event" WHERE "station_id" = 'CP-2'`);
    expect(dev).toEqual([expect.objectContaining({ component: 'EVSE', variable: 'Problem', cleared: false, event_id: 3, evse: 1, connector: 1 })]);
    const hb = await influxQuery(url, db, `SELECT "skew_ms" FROM "heartbeat" WHERE "station_id" = 'CP-2'`);
    expect(hb).toEqual([expect.objectContaining({ skew_ms: 1500 })]);
    // ms precision survives the round trip.
    const boot = events.find((e) => e.stationId === 'CP-2' && e.type === 'station.booted')!;
    const bootRows = await influxQuery(url, db, `SELECT "registration" FROM "boot" WHERE "station_id" = 'CP-2'`);
    expect(bootRows[0]!.time).toBe(boot.time);
  });

  it('writing the same events again does not duplicate them', async () => {
    const writer = new V1Writer({ url, api: 'v1', database: db });
    const sink = new InfluxSink({ writer, stationMeta });
    sink.record(events);
    await sink.flush();
    await sink.close();
    expect(await counts(db)).toEqual(expectedCounts());
  });

  it.each(EXAMPLE_QUERIES.map((q) => [q.title, q.influxql] as const))('example query returns rows: %s', async (_title, q) => {
    const rows = await influxQuery(url, db, q);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('example queries give the expected numbers', async () => {
    const energy = await influxQuery(url, db, EXAMPLE_QUERIES[0]!.influxql);
    expect(energy.map((r) => r.energy_kwh)).toEqual([11.5, 11.5]);
    const sessions = await influxQuery(url, db, EXAMPLE_QUERIES.find((q) => q.title.startsWith('Sessions per site'))!.influxql);
    expect(Object.fromEntries(sessions.map((r) => [r.site, r.sessions]))).toEqual({ 'Depot North': 1, Harbour: 1 });
  });
});

describe('InfluxSink → real InfluxDB 1.6.7 (auto detection)', () => {
  it('detects v1 on 1.6.7 even with org and bucket configured, and writes', async () => {
    const detected = await detectApi(url, { org: 'acme', bucket: 'chargewatch' });
    expect(detected.version).toMatch(/^1\.6/);
    expect(detected.api).toBe('v1');

    const db = await freshDb('auto');
    const writer = await createInfluxWriter({ url, api: 'auto', database: db, org: 'acme', bucket: 'chargewatch' });
    expect(writer.api).toBe('v1');
    const sink = new InfluxSink({ writer, stationMeta });
    sink.record(fleetEvents());
    await sink.flush();
    await sink.close();
    expect(await counts(db)).toEqual(expectedCounts());
  });
});

describe('V1Writer edge cases against the real server', () => {
  it('gzip bodies, awkward strings and tag values round-trip', async () => {
    const db = await freshDb('gzip');
    const writer = new V1Writer({ url, api: 'v1', database: db, gzipThresholdBytes: 0 });
    const sink = new InfluxSink({ writer, stationMeta: () => ({ site: 'Gate 2, "East"=x\\' }) });
    const t = Date.now() - HOUR;
    const techInfo = 'multi\nline "quoted" back\\slash, a=b';
    sink.record([
      { type: 'security.event', stationId: 'CP =,\\x', time: t, receivedAt: t, eventType: 'Weird Type', techInfo, source: 'collector' },
    ]);
    await sink.flush();
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 1, rejected: 0 });
    const rows = await influxQuery(url, db, 'SELECT * FROM "security_event"');
    // Tag values come back encoded where they hold `%`, `\` or controls (line-protocol.ts): decoded, exact.
    expect(rows.map((r) => ({ ...r, station_id: decodeTagValue(String(r.station_id)), site: decodeTagValue(String(r.site)) }))).toEqual([
      expect.objectContaining({ station_id: 'CP =,\\x', site: 'Gate 2, "East"=x\\', event_type: 'Weird Type', tech_info: techInfo, time: t }),
    ]);
  });

  it('a real partial write (field type conflict) is counted as rejected, not retried', async () => {
    const db = await freshDb('partial');
    const t = Date.now() - HOUR;
    // skew_ms first written as a string: the sink's float skew_ms now conflicts.
    const res = await fetch(`${url}/write?db=${db}&precision=ms`, { method: 'POST', body: `heartbeat,station_id=X skew_ms="str" ${t - 10}` });
    expect(res.status).toBe(204);
    const errors: object[] = [];
    const writer = new V1Writer({ url, api: 'v1', database: db });
    const sink = new InfluxSink({
      writer,
      logger: { info() {}, warn() {}, error: (o) => errors.push(o) },
      retryMinDelayMs: 1,
    });
    sink.record([
      { type: 'station.heartbeat', stationId: 'A', time: t, receivedAt: t },
      { type: 'firmware.status', stationId: 'A', time: t, receivedAt: t, status: 'Installed' },
    ]);
    await sink.flush();
    await sink.close();
    // Settling the partial write may take a second request (the good line again, an overwrite); the
    // refused line is never retried as if InfluxDB were down.
    expect(sink.stats()).toMatchObject({ rejected: 1, written: 1 });
    expect(errors[0]).toMatchObject({ rejected: 1, firstFailingLine: expect.stringMatching(/^heartbeat,station_id=A /), firstReason: expect.stringMatching(/field type conflict/) });
    expect(await influxQuery(url, db, 'SELECT * FROM "firmware_status"')).toHaveLength(1);
  });

  it('unknown database: 404 is not retried', async () => {
    const writer = new V1Writer({ url, api: 'v1', database: 'does_not_exist' });
    const err = await writer.write(['m v=1 1']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfluxWriteError);
    expect((err as InfluxWriteError).status).toBe(404);
    expect((err as InfluxWriteError).retriable).toBe(false);
  });

  it('connection refused is a retriable error and ping is false', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const writer = new V1Writer({ url: `http://127.0.0.1:${port}`, api: 'v1', database: 'x', timeoutMs: 500 });
    const err = (await writer.write(['m v=1 1']).catch((e: unknown) => e)) as InfluxWriteError;
    expect(err).toBeInstanceOf(InfluxWriteError);
    expect(err.status).toBeUndefined();
    expect(err.retriable).toBe(true);
    expect(await writer.ping()).toBe(false);
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A stand-in for an InfluxDB 2.x endpoint that records requests: used only to check the v2 wire format. */
async function fakeV2(respond: (req: Recorded) => { status: number; body?: string; headers?: Record<string, string> }) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(rec);
      const r = rec.url === '/ping' ? { status: 204, headers: { 'X-Influxdb-Version': 'v2.7.4' } } : respond(rec);
      res.writeHead(r.status, { ...(r.body ? { 'content-type': 'application/json' } : {}), ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((r) => server.close(r)) };
}

describe('V2Writer wire format (local recording server)', () => {
  it('POSTs line protocol to /api/v2/write with org, bucket, precision=ms and a Token header', async () => {
    const srv = await fakeV2(() => ({ status: 204 }));
    try {
      const writer = new V2Writer({ url: srv.url, api: 'v2', org: 'acme corp', bucket: 'charge&watch', token: 's3cret' });
      const sink = new InfluxSink({ writer, stationMeta });
      const events = fleetEvents();
      sink.record(events);
      await sink.flush();
      await sink.close();
      const writes = srv.requests.filter((r) => r.url.startsWith('/api/v2/write'));
      expect(writes).toHaveLength(1);
      const [req] = writes;
      expect(req!.method).toBe('POST');
      const u = new URL(req!.url, srv.url);
      expect(u.pathname).toBe('/api/v2/write');
      expect(Object.fromEntries(u.searchParams)).toEqual({ org: 'acme corp', bucket: 'charge&watch', precision: 'ms' });
      expect(req!.headers.authorization).toBe('Token s3cret');
      expect(req!.headers['content-type']).toMatch(/^text\/plain/);
      const body = req!.body.toString('utf8').split('\n');
      expect(body).toHaveLength(44);
      expect(body[0]).toMatch(/^connection,event=opened,site=Depot\\ North,station_id=CP\\ 1\\,north,tag_owner_team=ops,tag_region=EU\\ West /);
      expect(body.every((l) => / \d{13}$/.test(l))).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it('auto picks v2 when /ping reports 2.x and org/bucket are set', async () => {
    const srv = await fakeV2(() => ({ status: 204 }));
    try {
      const writer = await createInfluxWriter({ url: srv.url, api: 'auto', org: 'o', bucket: 'b', token: 't', database: 'd' });
      expect(writer.api).toBe('v2');
      await writer.write(['m v=1 1']);
      expect(srv.requests.at(-1)!.url).toBe('/api/v2/write?org=o&bucket=b&precision=ms');
      // Without an org the same server is written through the v1 compatibility API.
      const v1 = await createInfluxWriter({ url: srv.url, api: 'auto', bucket: 'b', token: 't', database: 'd' });
      expect(v1.api).toBe('v1');
      await v1.write(['m v=1 1']);
      expect(srv.requests.at(-1)!.url).toBe('/write?db=d&precision=ms');
      expect(srv.requests.at(-1)!.headers.authorization).toBe('Token t');
    } finally {
      await srv.close();
    }
  });

  it('maps errors: 400 not retriable with body, 503 retriable with Retry-After', async () => {
    let status = 400;
    const srv = await fakeV2(() =>
      status === 400
        ? { status: 400, body: '{"code":"invalid","message":"unable to parse \'bad\': missing fields"}' }
        : { status: 503, body: '{"code":"unavailable","message":"busy"}', headers: { 'Retry-After': '2' } },
    );
    try {
      const writer = new V2Writer({ url: srv.url, api: 'v2', org: 'o', bucket: 'b', token: 't' });
      const e400 = (await writer.write(['bad']).catch((e: unknown) => e)) as InfluxWriteError;
      expect(e400).toBeInstanceOf(InfluxWriteError);
      expect(e400.status).toBe(400);
      expect(e400.retriable).toBe(false);
      expect(e400.body).toContain('unable to parse');
      status = 503;
      const e503 = (await writer.write(['m v=1 1']).catch((e: unknown) => e)) as InfluxWriteError;
      expect(e503.status).toBe(503);
      expect(e503.retriable).toBe(true);
      expect(e503.retryAfterMs).toBe(2000);
    } finally {
      await srv.close();
    }
  });

  it('gzips bodies over the threshold', async () => {
    const srv = await fakeV2(() => ({ status: 204 }));
    try {
      const writer = new V2Writer({ url: srv.url, api: 'v2', org: 'o', bucket: 'b', token: 't', gzipThresholdBytes: 10 });
      const lines = Array.from({ length: 50 }, (_, i) => `m,station_id=CP-1 v=${i} ${1_700_000_000_000 + i}`);
      await writer.write(lines);
      const req = srv.requests.at(-1)!;
      expect(req.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(req.body).toString('utf8')).toBe(lines.join('\n'));
    } finally {
      await srv.close();
    }
  });
});
