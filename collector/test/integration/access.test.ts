/**
 * Access control end to end: two real collectors sharing PostgreSQL and Redis, strict ocpp-rpc station
 * clients of both versions. Every decision arrives as the station's version spells it; a change made
 * through one collector's API takes effect on a station of the other within a second; a bad import
 * changes nothing; PINs and full token ids never reach logs, the audit or API answers.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { RPCClient } from 'ocpp-rpc';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { createDatabasePool } from '@chargewatch/platform';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { stationClient } from '../harness/station-client';

type Json = Record<string, any>;
const PIN = '583920';
const UID = '04A2B3C4D5E6F7';
const logged: string[] = [];
const capture = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logged.push(String(chunk)), done()) }));

let url: string;
let a: TestCollector;
let b: TestCollector;
const clients: RPCClient[] = [];

const req = async (c: TestCollector, method: string, path: string, body?: unknown, type = 'application/json') => {
  const res = await c.api(path, { method, headers: body === undefined ? {} : { 'content-type': type }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { text };
  }
  return { status: res.status, body: json, text };
};
const token = async (body: Json) => {
  const res = await req(a, 'POST', '/api/v1/tokens', body);
  expect(res.status).toBe(201);
  return res.body;
};
const hhmm = (minute: number) => {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const nowMinute = () => new Date().getUTCHours() * 60 + new Date().getUTCMinutes();

async function station(c: TestCollector, id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', meta: Json = { site: 'S1', timeZone: 'UTC' }) {
  expect((await req(c, 'PUT', `/api/v1/stations/${id}/metadata`, meta)).status).toBe(200);
  const cp = stationClient(c.ocppUrl, id, protocol);
  clients.push(cp);
  await cp.connect();
  if (protocol === 'ocpp1.6') await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  else await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
  return cp;
}

beforeAll(async () => {
  url = await createTestDatabase('collector_access');
  const env = { DATABASE_URL: url, ACCESS_PIN_SECRET: 'ab'.repeat(32), ACCESS_FREE_VEND_SITES: 'FreeLot', LOG_LEVEL: 'debug' };
  a = await startTestCollector(env, { logger: capture });
  b = await startTestCollector({ ...env, REDIS_PREFIX: a.config.redis.prefix, INFLUX_DATABASE: a.database }, { logger: capture });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  await Promise.all([a.stop(), b.stop()]);
  await dropTestDatabase(url);
});

describe('decisions through real stations', () => {
  let ok: Json;
  beforeAll(async () => {
    const m = nowMinute();
    ok = await token({ type: 'ISO14443', uid: UID.toLowerCase(), groupId: 'FLEET-7', validUntil: '2099-01-01T00:00:00Z', maxConcurrentTx: 1 });
    await token({ type: 'ISO14443', uid: '04000001', status: 'Blocked' });
    await token({ type: 'ISO14443', uid: '04000002', validUntil: '2020-01-01T00:00:00Z' });
    await token({ type: 'ISO14443', uid: '04000003', allowedSites: ['S2'] });
    await token({ type: 'ISO14443', uid: '04000004', allowedHours: [{ start: hhmm(m + 120), end: hhmm(m + 180) }] });
    await token({ type: 'ISO14443', uid: '04000005', allowedHours: [{ start: hhmm(m - 60), end: hhmm(m + 60) }] });
    await token({ type: 'Central', uid: 'EVSE-LIMITED', allowedEvses: ['CP201/2'] });
    await token({ type: 'KeyCode', pin: PIN });
    // Both caches have them (the announcement reached A and B).
    for (const c of [a, b]) await eventually(async () => expect(await c.metrics.registry.getSingleMetric('chargewatch_access_tokens')?.get()).toMatchObject({ values: [{ value: 8 }] }));
  });

  it('answers a 1.6 station in 1.6 statuses, re-checking StartTransaction and refusing a second session with ConcurrentTx', async () => {
    const cp = await station(a, 'CP16', 'ocpp1.6');
    const auth = async (idTag: string) => ((await cp.call('Authorize', { idTag })) as Json).idTagInfo;
    expect(await auth('UNKNOWN-1')).toEqual({ status: 'Invalid' });
    expect(await auth(UID)).toEqual({ status: 'Accepted', parentIdTag: 'FLEET-7', expiryDate: '2099-01-01T00:00:00.000Z' });
    // 1.6 ids are case-insensitive.
    expect((await auth(UID.toLowerCase())).status).toBe('Accepted');
    expect(await auth('04000001')).toEqual({ status: 'Blocked' });
    expect(await auth('04000002')).toEqual({ status: 'Expired' });
    // 2.0.1-only refusals become the nearest 1.6 status.
    expect(await auth('04000003')).toEqual({ status: 'Blocked' });
    expect(await auth('04000004')).toEqual({ status: 'Blocked' });
    expect((await auth('04000005')).status).toBe('Accepted');
    const start = (connectorId: number, idTag: string) => cp.call('StartTransaction', { connectorId, idTag, meterStart: 0, timestamp: new Date().toISOString() }) as Promise<Json>;
    const first = await start(1, UID);
    expect(first.idTagInfo.status).toBe('Accepted');
    const second = await start(2, UID);
    expect(second.idTagInfo).toEqual({ status: 'ConcurrentTx', parentIdTag: 'FLEET-7' });
    // The card shown again (to stop) is not refused for concurrency.
    expect((await auth(UID)).status).toBe('Accepted');
    await cp.call('StopTransaction', { transactionId: second.transactionId, meterStop: 0, timestamp: new Date().toISOString() });
    await cp.call('StopTransaction', { transactionId: first.transactionId, meterStop: 10, timestamp: new Date().toISOString(), idTag: UID });
    const third = await start(1, UID);
    expect(third.idTagInfo.status).toBe('Accepted');
    // A blocked card's start is refused even if the station let it through locally.
    expect((await start(2, '04000001')).idTagInfo.status).toBe('Blocked');
    // The open session counts on every station and collector: a 2.0.1 start elsewhere is refused until it ends.
    const other = await station(b, 'CP201X', 'ocpp2.0.1');
    const startedX = () => other.call('TransactionEvent', { eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: `X-${Date.now()}` }, evse: { id: 1, connectorId: 1 }, idToken: { idToken: UID, type: 'ISO14443' } }) as Promise<Json>;
    expect((await startedX()).idTokenInfo.status).toBe('ConcurrentTx');
    await cp.call('StopTransaction', { transactionId: third.transactionId, meterStop: 20, timestamp: new Date().toISOString() });
  });

  it('accepts unknown tokens on a free-vend site, but not blocked ones', async () => {
    const cp = await station(a, 'CPFREE', 'ocpp1.6', { site: 'FreeLot' });
    expect(((await cp.call('Authorize', { idTag: 'ANYONE' })) as Json).idTagInfo.status).toBe('Accepted');
    expect(((await cp.call('Authorize', { idTag: '04000001' })) as Json).idTagInfo.status).toBe('Blocked');
  });

  it('answers a 2.0.1 station in 2.0.1 statuses, with PINs, EVSE limits and ConcurrentTx at TransactionEvent Started', async () => {
    const cp = await station(b, 'CP201', 'ocpp2.0.1');
    const auth = async (idToken: string, type: string) => ((await cp.call('Authorize', { idToken: { idToken, type } })) as Json).idTokenInfo;
    expect(await auth('UNKNOWN-2', 'ISO14443')).toEqual({ status: 'Invalid' });
    expect(await auth(UID.toLowerCase(), 'ISO14443')).toEqual({ status: 'Accepted', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, cacheExpiryDateTime: '2099-01-01T00:00:00.000Z' });
    expect((await auth('04000001', 'ISO14443')).status).toBe('Blocked');
    expect((await auth('04000002', 'ISO14443')).status).toBe('Expired');
    expect((await auth('04000003', 'ISO14443')).status).toBe('NotAtThisLocation');
    expect((await auth('04000004', 'ISO14443')).status).toBe('NotAtThisTime');
    expect((await auth(PIN, 'KeyCode')).status).toBe('Accepted');
    expect((await auth('000000', 'KeyCode')).status).toBe('Invalid');
    // A type other than the registered one is another token.
    expect((await auth(UID, 'Central')).status).toBe('Invalid');
    expect(await auth('EVSE-LIMITED', 'Central')).toEqual({ status: 'Accepted', evseId: [2] });
    const started = (txId: string, evse: number, idToken: Json) =>
      cp.call('TransactionEvent', { eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: txId }, evse: { id: evse, connectorId: 1 }, idToken }) as Promise<Json>;
    expect((await started('T-LIM-1', 1, { idToken: 'EVSE-LIMITED', type: 'Central' })).idTokenInfo.status).toBe('NotAtThisLocation');
    expect((await started('T-LIM-2', 2, { idToken: 'EVSE-LIMITED', type: 'Central' })).idTokenInfo.status).toBe('Accepted');
    expect((await started('T-1', 1, { idToken: UID, type: 'ISO14443' })).idTokenInfo.status).toBe('Accepted');
    expect((await started('T-2', 3, { idToken: UID, type: 'ISO14443' })).idTokenInfo.status).toBe('ConcurrentTx');
  });
});

describe('a registry change on another collector', () => {
  it('blocks a token on a station of the second collector within a second', async () => {
    const t = await token({ type: 'Central', uid: 'APP-USER-42' });
    const cp = await station(b, 'CPB', 'ocpp2.0.1');
    const status = async () => (((await cp.call('Authorize', { idToken: { idToken: 'APP-USER-42', type: 'Central' } })) as Json).idTokenInfo.status as string);
    await eventually(async () => expect(await status()).toBe('Accepted'));
    const t0 = Date.now();
    expect((await req(a, 'POST', `/api/v1/tokens/${t.id}/block`, { reason: 'card reported stolen' })).status).toBe(200);
    while ((await status()) !== 'Blocked') {
      if (Date.now() - t0 > 1000) throw new Error('not blocked within a second');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('imports and personal data', () => {
  it('imports nothing when a row is bad, naming each bad row; hostile cells come back neutralised', async () => {
    const before = (await req(a, 'GET', '/api/v1/tokens?limit=1')).body.total;
    const csv = '\ufefftype,uid,note\r\nCentral,IMPORT-1,fine\r\nISO14443,zz,bad uid\r\nCentral,IMPORT-2,"=HYPERLINK(""http://evil"")"\r\nNope,x,\r\n';
    const bad = await req(a, 'POST', '/api/v1/tokens/import', csv, 'text/csv');
    expect(bad.status).toBe(400);
    expect(bad.body.rows.map((r: Json) => r.row)).toEqual([3, 5]);
    expect((await req(a, 'GET', '/api/v1/tokens?limit=1')).body.total).toBe(before);
    const good = csv.split('\r\n').filter((_l, i) => i !== 2 && i !== 4).join('\r\n');
    expect((await req(a, 'POST', '/api/v1/tokens/import', good, 'text/csv')).body).toEqual({ created: 2, updated: 0 });
    const exported = await req(a, 'GET', '/api/v1/tokens/export?format=csv');
    expect(exported.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(exported.text).not.toContain(PIN);
    const unclosed = await req(a, 'POST', '/api/v1/tokens/import', 'type,uid\r\nCentral,"open', 'text/csv');
    expect(unclosed.status).toBe(400);
    expect(unclosed.body.rows).toEqual([{ row: 2, errors: ['a quoted field is not closed'] }]);
  });

  it('never shows a PIN or a full token id in logs, the audit or API answers', async () => {
    const created = await req(a, 'POST', '/api/v1/tokens', { type: 'KeyCode', pin: '771199' });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('771199');
    expect(created.body.hasPin).toBe(true);
    expect((await req(a, 'PATCH', `/api/v1/tokens/${created.body.id}`, { pin: '771198' })).text).not.toContain('771198');
    await req(a, 'POST', '/api/v1/tokens/import', JSON.stringify([{ type: 'KeyCode', pin: '662211' }]));
    const all = [await req(a, 'GET', '/api/v1/tokens?limit=1000'), await req(a, 'GET', '/api/v1/tokens/export?format=json')].map((r) => r.text).join('\n');
    for (const secret of [PIN, '771199', '771198', '662211']) expect(all).not.toContain(secret);
    await eventually(async () => expect((await req(a, 'GET', '/api/v1/audit?limit=1000')).body.total).toBeGreaterThan(5));
    const pool = createDatabasePool(url, pino({ level: 'silent' }));
    try {
      const audit = JSON.stringify((await pool.query('SELECT * FROM audit_log')).rows);
      const stored = JSON.stringify((await pool.query('SELECT * FROM tokens')).rows);
      for (const secret of [PIN, '771199', '771198', '662211']) {
        expect(audit).not.toContain(secret);
        expect(stored).not.toContain(secret);
      }
      expect(audit).not.toContain(UID);
      expect(audit.toUpperCase()).not.toContain(UID);
      expect(audit).toContain('card reported stolen');
    } finally {
      await pool.end();
    }
    const logs = logged.join('');
    expect(logs).toContain('authorization decided');
    for (const secret of [PIN, '771199', '771198', '662211', UID, UID.toLowerCase()]) expect(logs).not.toContain(secret);
  });
});

async function eventually(fn: () => Promise<void>, ms = 5000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() - t0 > ms) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
