/**
 * Misuse end to end: a real collector with PostgreSQL, 2.0.1 stations guessing PINs, and the worker's
 * `misuse` consumer (MisuseDetector, in-process on the collector's journal). The fifth wrong PIN makes
 * one incident and locks KeyCodes out at that station — the right PIN is then refused there and still
 * accepted elsewhere; the incident API lists, shows, acknowledges (editor only) and resolves it; and
 * answers 503 without DATABASE_URL.
 */
import Redis from 'ioredis';
import type { RPCClient } from 'ocpp-rpc';
import { Fleet, createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { IncidentStore, JournalConsumer, MisuseDetector, StationStore, createDatabasePool, silentLogger } from '@chargewatch/platform';
import type { Authorizer } from '../../src/access/authorizer';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { stationClient } from '../harness/station-client';
import { getJson, postJson } from '../harness/api';

const RIGHT_PIN = '4242';
/** The registry stand-in: one PIN is right, everything else is accepted (a test may swap in its population). */
let decide = (id: string, type: string): string => (type !== 'KeyCode' || id === RIGHT_PIN ? 'Accepted' : 'Invalid');
const authorizer: Authorizer = { authorize: async (_s, t) => ({ status: decide(t.id, t.type) }) };

let collector: TestCollector;
let url: string;
let pool: ReturnType<typeof createDatabasePool>;
let consumer: JournalConsumer;
let consumerRedis: Redis;
let readRedis: Redis;
const clients: RPCClient[] = [];
const fleets: Fleet[] = [];

beforeAll(async () => {
  url = await createTestDatabase('collector_misuse');
  collector = await startTestCollector({ DATABASE_URL: url }, { authorizer });
  pool = createDatabasePool(url, silentLogger);
  consumerRedis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  const prefix = collector.config.redis.prefix;
  const handler = new MisuseDetector({ redis: consumerRedis, prefix, incidents: new IncidentStore(pool), stations: new StationStore(consumerRedis, prefix), logger: silentLogger });
  readRedis = consumerRedis.duplicate();
  consumer = new JournalConsumer({ redis: readRedis, journal: collector.journal, handler, consumer: 'test', logger: silentLogger });
  // The collector migrates at start; the consumer's group needs the tables.
  await eventually(async () => expect((await getJson(collector, '/api/v1/incidents')).status).toBe(200));
  await consumer.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await Promise.all(fleets.map((f) => f.stop()));
  await consumer.stop();
  consumerRedis.disconnect();
  readRedis.disconnect();
  await collector.stop();
  await pool.end();
  await dropTestDatabase(url);
});

async function station(id: string): Promise<RPCClient> {
  const c = stationClient(collector.ocppUrl, id, 'ocpp2.0.1');
  clients.push(c);
  await c.connect();
  await c.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
  return c;
}
const pin = (c: RPCClient, id: string) => c.call('Authorize', { idToken: { idToken: id, type: 'KeyCode' } }) as Promise<{ idTokenInfo: { status: string } }>;

test('PIN guessing: one incident, KeyCodes refused at that station only, the API moves it along', async () => {
  const a = await station('MIS-A');
  const b = await station('MIS-B');
  for (const guess of ['0000', '1111', '1234', '9999', '4241']) expect((await pin(a, guess)).idTokenInfo.status).toBe('Invalid');

  const list = await eventually(async () => {
    const r = await getJson(collector, '/api/v1/incidents?rule=pin_guessing&station=MIS-A');
    expect(r.body.total).toBe(1);
    return r.body;
  });
  const incident = list.items[0];
  expect(incident).toMatchObject({ rule: 'pin_guessing', severity: 'critical', stationId: 'MIS-A', status: 'open', response: { action: 'keycode_lockout' } });
  expect(JSON.stringify(list)).not.toMatch(/0000|1111|1234|9999|4241/);

  // Locked out: the right PIN is refused here, accepted at the other station; cards still work here.
  expect((await pin(a, RIGHT_PIN)).idTokenInfo.status).toBe('Invalid');
  expect((await pin(b, RIGHT_PIN)).idTokenInfo.status).toBe('Accepted');
  expect(await a.call('Authorize', { idToken: { idToken: '04A1B2C3', type: 'ISO14443' } })).toMatchObject({ idTokenInfo: { status: 'Accepted' } });

  const one = await getJson(collector, `/api/v1/incidents/${incident.id}`);
  expect(one.status).toBe(200);
  expect(one.body.evidence.length).toBeGreaterThanOrEqual(1);
  expect((await getJson(collector, '/api/v1/incidents/999999')).status).toBe(404);
  expect((await getJson(collector, '/api/v1/incidents?rule=nonsense')).status).toBe(400);

  const asViewer = await collector.api(`/api/v1/incidents/${incident.id}/acknowledge`, { method: 'POST', headers: { 'x-chargewatch-role': 'viewer' } });
  expect(asViewer.status).toBe(403);
  const ack = await collector.api(`/api/v1/incidents/${incident.id}/acknowledge`, { method: 'POST', headers: { 'x-chargewatch-role': 'editor', 'x-grafana-user': 'ann' } });
  expect(ack.status).toBe(200);
  expect(await ack.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'grafana-user:ann' });
  const res = await postJson(collector, `/api/v1/incidents/${incident.id}/resolve`, { resolution: 'keypad checked' });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'resolved', resolution: 'keypad checked' });
  expect((await getJson(collector, '/api/v1/incidents?status=open')).body.total).toBe(0);
});

test('the simulator\'s cloned card: concurrent sessions and impossible travel, one incident each', async () => {
  const fleet = new Fleet({ url: collector.ocppUrl, prefix: 'CLONE-', count: 2, seed: 21, speed: 200, meterIntervalSec: 30, autoSessions: false, faultProbability: 0, disconnectProbability: 0, drivers: { clonedCards: 1, clonedEverySec: 0 } });
  fleets.push(fleet);
  decide = (id, type) => fleet.drivers!.decide(id, type);
  const [a, b] = fleet.clonedCardStations(0)!;
  const put = (id: string, body: object) => collector.api(`/api/v1/stations/${id}/metadata`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await put(a.id, { site: 'berlin', latitude: 52.52, longitude: 13.405 })).status).toBe(200);
  expect((await put(b.id, { site: 'munich', latitude: 48.137, longitude: 11.575 })).status).toBe(200);
  await fleet.start();
  await fleet.whenAllAccepted();
  void fleet.runClonedCard(0, 20);
  const found = await eventually(async () => {
    const r = await getJson(collector, '/api/v1/incidents?status=open');
    const rules = r.body.items.map((i: { rule: string }) => i.rule).sort();
    expect(rules).toEqual(['concurrent_sessions', 'impossible_travel']);
    return r.body.items;
  }, 20_000);
  const uid = fleet.drivers!.cloned[0]!;
  for (const i of found) expect(i.token).toMatchObject({ masked: `****${uid.slice(-4)}`, hash: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(JSON.stringify(found)).not.toContain(uid);
});

test('the routes are in the OpenAPI document and answer 503 without DATABASE_URL', async () => {
  const doc = (await (await fetch(`${collector.apiUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/incidents', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/acknowledge', '/api/v1/incidents/{id}/resolve']));
  const bare = await startTestCollector();
  try {
    const r = await getJson(bare, '/api/v1/incidents');
    expect(r.status).toBe(503);
    expect(r.body.message).toContain('DATABASE_URL');
  } finally {
    await bare.stop();
  }
});
