/**
 * Local authorization lists end to end (issue "Access control", item 4): a real collector with
 * PostgreSQL, the worker as a child process (access queue, scan every second, 1 s debounce), and
 * simulated stations of both versions with small limits. Each case is checked against the station's
 * own list (the simulator's `localList`) and what it received, and against the stored state:
 * Full at first sync, split by SendLocalListMaxLength (1.6) and ItemsPerMessage/BytesPerMessage
 * (2.0.1); a Differential after a token change; VersionMismatch on a Differential followed by a Full;
 * capacity with Accepted and oldest tokens first; a station without a list; a station offline during
 * a sync, synced when it reconnects; drift found by GetLocalListVersion; no id over 20 characters on 1.6.
 */
import { PROFILES, SimulatedStation, createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { createDatabasePool } from '@chargewatch/platform';
import type { Pool } from 'pg';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';
import { WorkerChild } from '../harness/worker-child';
import { metric } from '../harness/metrics';

const profile = PROFILES[0]!;
let collector: TestCollector;
let worker: WorkerChild;
let url: string;
let pool: Pool;
const stations = new Map<string, SimulatedStation>();

const uid = (n: number) => `04AB${String(n).padStart(10, '0')}`;
const LONG_ID = 'CENTRAL-TOKEN-0123456789ABCDEF'; // 30 characters: 2.0.1 only
const tokenIds: string[] = [];

async function token(body: Json): Promise<string> {
  const res = await postJson(collector, '/api/v1/tokens', body);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function start(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', localList: Partial<SimulatedStation['localList']['limits']> = {}): Promise<SimulatedStation> {
  const put = await collector.api(`/api/v1/stations/${id}/metadata`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: 'S1', timeZone: 'UTC' }) });
  expect(put.status).toBe(200);
  const s = new SimulatedStation({
    identity: { stationId: id, protocol, profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: `SN-${id}`, meterSerialNumber: `M-${id}`, connectors: 1, seed: stations.size + 7 },
    url: collector.ocppUrl,
    speed: 20,
    meterIntervalSec: 600,
    heartbeatIntervalSec: 600,
    autoSessions: false,
    faultProbability: 0,
    disconnectProbability: 0,
    localList,
  });
  stations.set(id, s);
  await s.start();
  await s.whenAccepted();
  return s;
}

const row = async (id: string) => (await pool.query('SELECT * FROM local_lists WHERE station_id = $1', [id])).rows[0] as Json | undefined;
const held = (s: SimulatedStation) => new Map(s.localList.entries);
const inSync = (id: string) => eventually(async () => expect(await row(id)).toMatchObject({ state: 'in_sync' }), 60_000, 250);

beforeAll(async () => {
  url = await createTestDatabase('local_lists');
  pool = createDatabasePool(url, { warn: () => undefined } as never);
  collector = await startTestCollector({ DATABASE_URL: url, OCPP_CALL_TIMEOUT_SEC: '10', OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0', OCPP_CONNECT_RATE_PER_ADDRESS: '0', OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0' });
  // Tokens before the worker starts: the first syncs are Fulls of all of them.
  for (let n = 1; n <= 12; n++) tokenIds.push(await token({ type: 'ISO14443', uid: uid(n), groupId: n === 1 ? 'FLEET-1' : undefined, validUntil: n === 2 ? '2099-01-01T00:00:00Z' : undefined }));
  await token({ type: 'ISO14443', uid: uid(20), status: 'Blocked' });
  await token({ type: 'ISO14443', uid: uid(21), validUntil: '2020-01-01T00:00:00Z' });
  await token({ type: 'ISO14443', uid: uid(22), allowedSites: ['S2'] });
  await token({ type: 'ISO14443', uid: uid(23), allowedHours: [{ start: '00:00', end: '00:01' }] });
  await token({ type: 'Central', uid: LONG_ID });
  worker = await WorkerChild.create('worker-local-lists', {
    REDIS_PREFIX: collector.config.redis.prefix,
    DATABASE_URL: url,
    WORKER_ID: 'worker-local-lists',
    WORKER_LOCAL_LIST_SCAN_SEC: '1',
    LOCAL_LIST_DEBOUNCE_SEC: '1',
    LOCAL_LIST_RETRY_BASE_SEC: '1',
    LOCAL_LIST_CHECK_INTERVAL_SEC: '10',
    LOCAL_LIST_COMMAND_WAIT_SEC: '10',
    WORKER_CAMPAIGN_TICK_SEC: '0',
    WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC: '0',
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    LOG_LEVEL: 'warn',
  });
  await worker.start();
  await Promise.all([
    start('LL16', 'ocpp1.6', { itemsPerMessage: 5 }),
    start('LL201', 'ocpp2.0.1', { itemsPerMessage: 50, bytesPerMessage: 700 }),
    start('CAP16', 'ocpp1.6', { maxLength: 5 }),
    start('NONE16', 'ocpp1.6', { supported: false }),
    start('NONE201', 'ocpp2.0.1', { supported: false }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([...stations.values()].map((s) => s.stop()));
  await worker?.kill();
  await collector?.stop();
  await pool?.end();
  await dropTestDatabase(url);
});

const ACCEPTED_16 = Array.from({ length: 12 }, (_, i) => uid(i + 1));

it('sends a Full at first sync, split by the 1.6 and 2.0.1 limits, with what the registry allows there', async () => {
  await Promise.all([inSync('LL16'), inSync('LL201')]);
  const s16 = stations.get('LL16')!;
  const s201 = stations.get('LL201')!;
  // 12 Accepted + 1 Blocked; expired, other site, allowed hours left out; the 30-character id only on 2.0.1.
  expect(held(s16)).toEqual(new Map([...ACCEPTED_16.map((u) => [u, 'Accepted'] as const), [uid(20), 'Blocked']]));
  expect(held(s201)).toEqual(new Map([...ACCEPTED_16.map((u) => [u, 'Accepted'] as const), [LONG_ID, 'Accepted'], [uid(20), 'Blocked']]));
  // 13 entries at 5 per request: one Full, then two Differentials, versions counting up.
  expect(s16.localList.received.map((r) => [r.updateType, r.entries, r.status])).toEqual([
    ['Full', 5, 'Accepted'],
    ['Differential', 5, 'Accepted'],
    ['Differential', 3, 'Accepted'],
  ]);
  expect(s201.localList.received.length).toBeGreaterThan(1);
  expect(s201.localList.received[0]!.updateType).toBe('Full');
  for (const r of s201.localList.received) expect([r.bytes <= 700, r.status]).toEqual([true, 'Accepted']);
  expect(await row('LL16')).toMatchObject({ version: s16.localList.version, entry_count: 13, needs_full: false, max_entries: 1000, items_per_message: 5 });
  expect(await row('LL201')).toMatchObject({ version: s201.localList.version, entry_count: 14, items_per_message: 50, bytes_per_message: 700, max_entries: 1000 });
  const skipped16 = (await row('LL16'))!.skipped;
  // The token of another site is not even read (the registry's query is per station).
  expect(skipped16).toEqual({ expired: 1, allowed_hours: 1, id_too_long: 1 });
});

it('keeps Accepted and the oldest tokens when over capacity', async () => {
  await inSync('CAP16');
  expect(held(stations.get('CAP16')!)).toEqual(new Map(ACCEPTED_16.slice(0, 5).map((u) => [u, 'Accepted'] as const)));
  expect((await row('CAP16'))!.skipped).toMatchObject({ over_capacity: 8 });
});

it('marks stations without a local list unsupported and sends them nothing', async () => {
  await eventually(async () => {
    expect(await row('NONE16')).toMatchObject({ state: 'unsupported' });
    expect(await row('NONE201')).toMatchObject({ state: 'unsupported' });
  }, 30_000, 250);
  expect(stations.get('NONE16')!.localList.received).toEqual([]);
  expect(stations.get('NONE201')!.localList.received).toEqual([]);
});

it('sends a Differential after a token change, on both versions', async () => {
  const s16 = stations.get('LL16')!;
  const s201 = stations.get('LL201')!;
  const before = [s16.localList.received.length, s201.localList.received.length] as const;
  const blocked = await postJson(collector, `/api/v1/tokens/${tokenIds[2]}/block`, {});
  expect(blocked.status).toBe(200);
  const removed = await collector.api(`/api/v1/tokens/${tokenIds[3]}`, { method: 'DELETE' });
  expect(removed.status).toBe(204);
  await token({ type: 'ISO14443', uid: uid(30) });
  await eventually(async () => {
    for (const s of [s16, s201]) {
      const l = held(s);
      expect([l.get(uid(3)), l.has(uid(4)), l.get(uid(30))]).toEqual(['Blocked', false, 'Accepted']);
    }
  }, 30_000, 250);
  for (const [s, n] of [[s16, before[0]], [s201, before[1]]] as const) {
    const sent = s.localList.received.slice(n);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.updateType === 'Differential' && r.status === 'Accepted')).toBe(true);
  }
  await Promise.all([inSync('LL16'), inSync('LL201')]);
});

it('answers a VersionMismatch on a Differential with a Full', async () => {
  const s16 = stations.get('LL16')!;
  const before = s16.localList.received.length;
  s16.localList.answerNext.push('VersionMismatch');
  await token({ type: 'ISO14443', uid: uid(31) });
  await eventually(async () => expect(held(s16).get(uid(31))).toBe('Accepted'), 30_000, 250);
  const sent = s16.localList.received.slice(before).map((r) => [r.updateType, r.status]);
  expect(sent[0]).toEqual(['Differential', 'VersionMismatch']);
  expect(sent[1]).toEqual(['Full', 'Accepted']);
  await inSync('LL16');
  expect((await row('LL16'))!.version).toBe(s16.localList.version);
});

it('leaves a station offline during a sync pending, and syncs it when it reconnects', async () => {
  const s = await start('OFF201', 'ocpp2.0.1');
  await inSync('OFF201');
  await s.forceDisconnect(1e6);
  await eventually(async () => expect((await getJson(collector, '/api/v1/stations/OFF201')).body.online).toBe(false), 20_000, 250);
  await token({ type: 'ISO14443', uid: uid(32) });
  await eventually(async () => expect(await row('OFF201')).toMatchObject({ state: 'pending', last_outcome: 'offline' }), 30_000, 250);
  expect(held(s).has(uid(32))).toBe(false);
  await s.reconnectNow();
  await eventually(async () => expect(held(s).get(uid(32))).toBe('Accepted'), 30_000, 250);
  await inSync('OFF201');
});

it('shows the state in the API and resyncs on request', async () => {
  const s16 = stations.get('LL16')!;
  const one = await getJson(collector, '/api/v1/stations/LL16/local-list');
  expect(one.status).toBe(200);
  expect(one.body).toMatchObject({ stationId: 'LL16', protocol: 'ocpp1.6', state: 'in_sync', version: s16.localList.version, entryCount: s16.localList.entries.size, limits: { maxEntries: 1000, itemsPerMessage: 5 } });
  expect(JSON.stringify(one.body)).not.toContain(uid(1));
  const unsupported = await getJson(collector, '/api/v1/local-lists?state=unsupported');
  expect(unsupported.body.items.map((i: Json) => i.stationId).sort()).toEqual(['NONE16', 'NONE201']);
  expect((await getJson(collector, '/api/v1/stations/NOPE/local-list')).status).toBe(404);

  const before = s16.localList.received.length;
  const viewer = await collector.api('/api/v1/stations/LL16/local-list/sync', { method: 'POST', headers: { 'content-type': 'application/json', 'x-chargewatch-role': 'viewer' }, body: '{}' });
  expect(viewer.status).toBe(403);
  const asked = await postJson(collector, '/api/v1/stations/LL16/local-list/sync', { full: true });
  expect(asked.status).toBe(202);
  await eventually(async () => expect(s16.localList.received.slice(before).map((r) => r.updateType)[0]).toBe('Full'), 30_000, 250);
  await inSync('LL16');

  // Metrics: stations by state (bounded labels), outcomes of the worker's steps.
  await eventually(async () => expect(await metric(worker, 'chargewatch_local_list_stations', { state: 'unsupported' })).toBe(2), 10_000, 250);
  expect(await metric(worker, 'chargewatch_local_list_syncs_total', { kind: 'full', outcome: 'accepted' })).toBeGreaterThan(0);
  expect(await metric(worker, 'chargewatch_local_list_syncs_total', { kind: 'differential', outcome: 'version_mismatch' })).toBe(1);
});

it('finds drift with GetLocalListVersion and restores the list with a Full', async () => {
  const s201 = stations.get('LL201')!;
  const want = held(s201);
  // The station lost its list (a factory reset).
  s201.localList.entries.clear();
  s201.localList.version = 0;
  const before = s201.localList.received.length;
  await eventually(async () => expect(held(s201)).toEqual(want), 60_000, 500);
  expect(s201.localList.received[before]!.updateType).toBe('Full');
  await inSync('LL201');
}, 90_000);
