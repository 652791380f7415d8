/**
 * PINs in local lists only where the operator enables it (ACCESS_SEND_PINS=on on collectors and
 * workers, with the same ACCESS_PIN_KEY): the collector seals the PIN at registration, the worker opens
 * it for the lists of the stations the token is allowed at, and stations of both versions then hold
 * the PIN as a KeyCode entry. A token whose PIN was registered while sending was off has nothing
 * sealed, so it stays out of every list — the registry never keeps a PIN it was not told to send.
 */
import { PROFILES, SimulatedStation, createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { createDatabasePool } from '@chargewatch/platform';
import type { Pool } from 'pg';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { postJson, type Json } from '../harness/api';
import { WorkerChild } from '../harness/worker-child';

const profile = PROFILES[0]!;
const PIN_SECRET = 'ab'.repeat(32);
const PIN_KEY = 'cd'.repeat(32);
const SENT_PIN = '582910';
const UNSEALED_PIN = '771204';
let sealing: TestCollector;
let hashing: TestCollector;
let worker: WorkerChild;
let url: string;
let pool: Pool;
const stations: SimulatedStation[] = [];

beforeAll(async () => {
  url = await createTestDatabase('local_list_pins');
  pool = createDatabasePool(url, { warn: () => undefined } as never);
  const base = { DATABASE_URL: url, ACCESS_PIN_SECRET: PIN_SECRET, OCPP_CALL_TIMEOUT_SEC: '10' };
  sealing = await startTestCollector({ ...base, ACCESS_SEND_PINS: 'on', ACCESS_PIN_KEY: PIN_KEY });
  // A second collector of the same deployment configured without sending: what it registers is hash only.
  hashing = await startTestCollector({ ...base, REDIS_PREFIX: sealing.config.redis.prefix, INFLUX_DATABASE: sealing.database });
  const created = async (c: TestCollector, body: Json) => {
    const res = await postJson(c, '/api/v1/tokens', body);
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain(body.pin ?? '\u0000');
  };
  await created(sealing, { type: 'KeyCode', pin: SENT_PIN });
  await created(hashing, { type: 'KeyCode', pin: UNSEALED_PIN });
  await created(sealing, { type: 'ISO14443', uid: '04AABBCC' });
  worker = await WorkerChild.create('worker-list-pins', {
    REDIS_PREFIX: sealing.config.redis.prefix,
    DATABASE_URL: url,
    WORKER_ID: 'worker-list-pins',
    ACCESS_SEND_PINS: 'on',
    ACCESS_PIN_KEY: PIN_KEY,
    WORKER_LOCAL_LIST_SCAN_SEC: '1',
    LOCAL_LIST_DEBOUNCE_SEC: '1',
    WORKER_CAMPAIGN_TICK_SEC: '0',
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    LOG_LEVEL: 'warn',
  });
  await worker.start();
  for (const [id, protocol] of [['PIN16', 'ocpp1.6'], ['PIN201', 'ocpp2.0.1']] as const) {
    const s = new SimulatedStation({
      identity: { stationId: id, protocol, profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: `SN-${id}`, meterSerialNumber: `M-${id}`, connectors: 1, seed: 3 },
      url: sealing.ocppUrl,
      speed: 20,
      meterIntervalSec: 600,
      heartbeatIntervalSec: 600,
      autoSessions: false,
      faultProbability: 0,
      disconnectProbability: 0,
    });
    stations.push(s);
    await s.start();
    await s.whenAccepted();
  }
}, 180_000);

afterAll(async () => {
  await Promise.all(stations.map((s) => s.stop()));
  await worker?.kill();
  await Promise.all([sealing?.stop(), hashing?.stop()]);
  await pool?.end();
  await dropTestDatabase(url);
});

test('the sealed PIN reaches both stations’ lists; the PIN registered without sending does not', async () => {
  for (const s of stations) {
    await eventually(async () => expect(new Map(s.localList.entries)).toEqual(new Map([['04AABBCC', 'Accepted'], [SENT_PIN, 'Accepted']])), 60_000, 250);
  }
  // The state is stored right after the station's answer: it may trail the list by a moment.
  await eventually(async () => {
    const rows = (await pool.query('SELECT station_id, state, entry_count, skipped FROM local_lists ORDER BY station_id')).rows;
    expect(rows).toEqual([
      { station_id: 'PIN16', state: 'in_sync', entry_count: 2, skipped: expect.objectContaining({ no_id: 1 }) },
      { station_id: 'PIN201', state: 'in_sync', entry_count: 2, skipped: expect.objectContaining({ no_id: 1 }) },
    ]);
  }, 30_000, 250);
  // Stored sealed (not the PIN itself), and the unsent one not at all.
  const pins = (await pool.query("SELECT pin_sealed FROM tokens WHERE type = 'KeyCode' ORDER BY id")).rows.map((r) => r.pin_sealed);
  expect(pins[0]).toMatch(/^v1\./);
  expect(pins[0]).not.toContain(SENT_PIN);
  expect(pins[1]).toBeNull();
}, 120_000);
