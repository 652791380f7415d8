/**
 * A token's sessions and incidents end to end: a real collector with the token registry, the worker as
 * a child process (its `sessions` and `misuse` journal consumers), strict ocpp-rpc stations of both
 * versions. A registered card charges at a 1.6 and a 2.0.1 station; `/sessions?token=` lists both with
 * their energy, account and masked token; a blocked card tried three times makes an incident that
 * `/incidents?token=` finds by the keyed hash both processes share, and no other token's filter does.
 */
import type { RPCClient } from 'ocpp-rpc';
import { createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';
import { stationClient } from '../harness/station-client';
import { WorkerChild } from '../harness/worker-child';

const CARD = '04C1D2E3F4A5B6';
const BLOCKED = '04B10C4E';
const HASH_SECRET = 'shared-between-collector-and-worker';
let collector: TestCollector;
let worker: WorkerChild;
let url: string;
const clients: RPCClient[] = [];

beforeAll(async () => {
  url = await createTestDatabase('collector_sessions');
  collector = await startTestCollector({ DATABASE_URL: url, MISUSE_TOKEN_HASH_SECRET: HASH_SECRET });
  worker = await WorkerChild.create('worker-sessions', {
    REDIS_PREFIX: collector.config.redis.prefix,
    DATABASE_URL: url,
    WORKER_ID: 'worker-sessions',
    MISUSE_TOKEN_HASH_SECRET: HASH_SECRET,
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    WORKER_LOCAL_LIST_SCAN_SEC: '0',
    LOG_LEVEL: 'warn',
  });
  await worker.start();
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  await worker?.kill();
  await collector?.stop();
  await dropTestDatabase(url);
});

async function station(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RPCClient> {
  expect((await collector.api(`/api/v1/stations/${id}/metadata`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'Depot' }) })).status).toBe(200);
  const cp = stationClient(collector.ocppUrl, id, protocol);
  clients.push(cp);
  await cp.connect();
  if (protocol === 'ocpp1.6') await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  else await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } });
  return cp;
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const register = (wh: number) => ({ value: wh, measurand: 'Energy.Active.Import.Register' });

test('a card’s sessions at a 1.6 and a 2.0.1 station, and its incidents, found by its registry id', async () => {
  const account = (await postJson(collector, '/api/v1/accounts', { kind: 'person', name: 'Dana Driver' })).body;
  const card = await postJson(collector, '/api/v1/tokens', { type: 'ISO14443', uid: CARD, accountId: account.id });
  expect(card.status).toBe(201);
  const blocked = await postJson(collector, '/api/v1/tokens', { type: 'ISO14443', uid: BLOCKED, status: 'Blocked' });
  expect(blocked.status).toBe(201);

  // 1.6: an idTag without a type, read in lower case; 500 → 1,700 Wh.
  const old = await station('SES-16', 'ocpp1.6');
  const start = (await old.call('StartTransaction', { connectorId: 1, idTag: CARD.toLowerCase(), meterStart: 500, timestamp: iso(600_000) })) as Json;
  expect(start.idTagInfo.status).toBe('Accepted');
  await old.call('MeterValues', { connectorId: 1, transactionId: start.transactionId, meterValue: [{ timestamp: iso(300_000), sampledValue: [{ value: '900', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
  await old.call('StopTransaction', { transactionId: start.transactionId, idTag: CARD, meterStop: 1700, timestamp: iso(60_000), reason: 'Local' });

  // 2.0.1: the token after the cable; 10 → 12.5 kWh read in Wh.
  const neu = await station('SES-201', 'ocpp2.0.1');
  const tx = { transactionId: 'ses-201-tx-1' };
  const evse = { id: 1, connectorId: 1 };
  await neu.call('TransactionEvent', { eventType: 'Started', timestamp: iso(500_000), triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: tx, evse, meterValue: [{ timestamp: iso(500_000), sampledValue: [register(10_000)] }] });
  const authorized = (await neu.call('TransactionEvent', { eventType: 'Updated', timestamp: iso(490_000), triggerReason: 'Authorized', seqNo: 1, transactionInfo: tx, idToken: { idToken: CARD, type: 'ISO14443' } })) as Json;
  expect(authorized.idTokenInfo.status).toBe('Accepted');
  await neu.call('TransactionEvent', { eventType: 'Ended', timestamp: iso(30_000), triggerReason: 'StopAuthorized', seqNo: 2, transactionInfo: { ...tx, stoppedReason: 'Local' }, meterValue: [{ timestamp: iso(30_000), sampledValue: [register(12_500)] }] });

  const page = await eventually(async () => {
    const r = await getJson(collector, `/api/v1/sessions?token=${card.body.id}`);
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.items.every((s: Json) => !s.active)).toBe(true);
    return r.body;
  }, 30_000);
  const [s201, s16] = page.items;
  expect(s201).toMatchObject({ stationId: 'SES-201', transactionId: 'ses-201-tx-1', site: 'Depot', energyWh: 2500, stoppedReason: 'Local', accountId: account.id, token: { ref: card.body.id, type: 'ISO14443', masked: '****A5B6' } });
  expect(s16).toMatchObject({ stationId: 'SES-16', transactionId: String(start.transactionId), energyWh: 1200, meterStartWh: 500, meterStopWh: 1700, accountId: account.id, token: { ref: card.body.id } });
  expect(JSON.stringify(page).toUpperCase()).not.toContain(CARD);
  expect((await getJson(collector, `/api/v1/sessions/${s16.id}`)).body).toEqual(s16);
  expect((await getJson(collector, `/api/v1/sessions?account=${account.id}&station=SES-16`)).body.total).toBe(1);
  expect((await getJson(collector, `/api/v1/sessions?token=${blocked.body.id}`)).body).toEqual({ total: 0, items: [] });
  expect((await getJson(collector, '/api/v1/sessions/424242')).status).toBe(404);
  const bad = await getJson(collector, '/api/v1/sessions?token=0%27%20OR%201=1');
  expect(bad.status).toBe(400);
  expect(bad.body.message).toMatch(/token/);

  // The blocked card tried three times: blocked_token_retry, found by the card's id and only by it.
  for (let i = 0; i < 3; i++) expect(((await old.call('Authorize', { idTag: BLOCKED })) as Json).idTagInfo.status).toBe('Blocked');
  const incidents = await eventually(async () => {
    const r = await getJson(collector, `/api/v1/incidents?token=${blocked.body.id}`);
    expect(r.body.total).toBe(1);
    return r.body;
  }, 30_000);
  expect(incidents.items[0]).toMatchObject({ rule: 'blocked_token_retry', stationId: 'SES-16', token: { masked: '****0C4E' } });
  expect((await getJson(collector, `/api/v1/incidents?token=${card.body.id}`)).body).toEqual({ total: 0, items: [] });
  expect((await getJson(collector, '/api/v1/incidents?token=987654')).status).toBe(404);
}, 120_000);
