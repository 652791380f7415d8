/**
 * Firmware end to end: the API, a real collector with PostgreSQL, simulated stations of each form, and
 * the `firmware` journal consumer (the worker's FirmwareTracker, run here in-process on the collector's
 * journal). A 1.6 core station, a 1.6 Security Whitepaper station that refuses plain UpdateFirmware, and
 * a 2.0.1 station each end verified at the boot with the target version; a failing download keeps its
 * reason; the API refuses bad input with a message, and answers 503 without DATABASE_URL.
 */
import Redis from 'ioredis';
import { PROFILES, SimulatedStation, createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { FirmwareTracker, FirmwareUpdates, JournalConsumer, createDatabasePool, silentLogger } from '@chargewatch/platform';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
let collector: TestCollector;
let url: string;
let pool: ReturnType<typeof createDatabasePool>;
let consumer: JournalConsumer;
let consumerRedis: Redis;
const stations: SimulatedStation[] = [];

beforeAll(async () => {
  url = await createTestDatabase('collector_firmware');
  collector = await startTestCollector({ DATABASE_URL: url, OCPP_CALL_TIMEOUT_SEC: '5' });
  pool = createDatabasePool(url, silentLogger);
  consumerRedis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  consumer = new JournalConsumer({ redis: consumerRedis, journal: collector.journal, handler: new FirmwareTracker({ updates: new FirmwareUpdates(pool), logger: silentLogger }), consumer: 'test', logger: silentLogger });
  await consumer.start();
});

afterAll(async () => {
  await Promise.all(stations.map((s) => s.stop()));
  await consumer.stop();
  consumerRedis.disconnect();
  await collector.stop();
  await pool.end();
  await dropTestDatabase(url);
});

async function simulated(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', extra: Partial<ConstructorParameters<typeof SimulatedStation>[0]> = {}) {
  const profile = PROFILES[protocol === 'ocpp1.6' ? 0 : 2]!;
  const s = new SimulatedStation({
    identity: { stationId: id, protocol, profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: 'SN00000001', meterSerialNumber: 'M1', connectors: 1, seed: 11 },
    url: collector.ocppUrl,
    speed: 50,
    meterIntervalSec: 600,
    autoSessions: false,
    faultProbability: 0,
    disconnectProbability: 0,
    ...extra,
  });
  stations.push(s);
  await s.start();
  await s.whenAccepted();
  await s.flush();
  return { s, profile };
}

async function release(profile: (typeof PROFILES)[number], version: string, extra: Json = {}) {
  const res = await postJson(collector, '/api/v1/firmware/releases', { vendor: profile.vendor, model: profile.model, version, location: `https://fw.example.com/fw-${version}.bin`, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

const start = (stationId: string, body: Json) => postJson(collector, `/api/v1/stations/${stationId}/firmware/update?wait=10`, body);
const update = async (id: string) => (await getJson(collector, `/api/v1/firmware/updates/${id}`)).body;

describe.each([
  ['1.6 core', 'FW16', 'ocpp1.6', {}, false, '8.1.1'],
  ['1.6 signed only', 'FWWP', 'ocpp1.6', { signedFirmwareOnly: true }, true, '8.1.2'],
  ['2.0.1', 'FW201', 'ocpp2.0.1', {}, true, '8.1.3'],
] as const)('%s station', (_name, id, protocol, extra, signed, version) => {
  it('updates to the target and is verified at the boot with the new version', async () => {
    const { profile } = await simulated(id, protocol, extra);
    // The simulator runs the version its file name says (tools/src/simulator/profiles.ts firmwareFromLocation).
    const rel = await release(profile, version, signed ? { signingCertificate: PEM, signature: 'c2ln' } : {});
    const res = await start(id, { releaseId: rel.id });
    expect(res.status).toBe(201);
    expect(res.location).toBe(`/api/v1/firmware/updates/${res.body.id}`);
    expect(res.body).toMatchObject({ state: expect.stringMatching(/accepted|downloading|downloaded/), form: signed ? 'signed' : 'plain', protocol });
    if (id === 'FWWP') expect(res.body.timeline.some((e: Json) => /refused the plain form/.test(e.note ?? ''))).toBe(true);
    await eventually(async () => expect(await update(res.body.id)).toMatchObject({ state: 'verified', reportedVersion: rel.version }), 30_000);
    const done = await update(res.body.id);
    expect(done.timeline.map((e: Json) => e.event)).toContain('boot');
    if (protocol !== 'ocpp1.6' || signed) expect(done.requestId).toBe(Number(done.id));

    const station = (await getJson(collector, `/api/v1/stations/${id}/firmware`)).body;
    expect(station.current).toMatchObject({ stationId: id, version: rel.version, target: 'none' });
    expect(station.versions[0]).toMatchObject({ version: rel.version });
    expect(station.updates[0]).toMatchObject({ id: done.id, state: 'verified' });
    const periods = (await getJson(collector, `/api/v1/firmware/maintenance?station=${id}`)).body;
    expect(periods.items).toHaveLength(1);
    expect(periods.items[0]).toMatchObject({ updateId: done.id, reason: 'firmware_update', endedAt: expect.any(String) });
  }, 60_000);
});

it('the signed-only station is remembered as taking the signed form', async () => {
  const { rows } = await pool.query("SELECT form FROM station_firmware_forms WHERE station_id = 'FWWP'");
  expect(rows).toEqual([{ form: 'signed' }]);
});

it('a failing download keeps its reason; a second open update is refused; targets and drift', async () => {
  const { profile } = await simulated('FWFAIL', 'ocpp1.6');
  const bad = await release(profile, '9.9.9-fail', { location: 'https://fw.example.com/fail/fw-9.9.9.bin' });
  const res = await start('FWFAIL', { releaseId: bad.id });
  expect(res.status).toBe(201);
  const again = await start('FWFAIL', { releaseId: bad.id });
  expect(again.status).toBe(409);
  expect(again.body.message).toMatch(/open firmware update/);
  await eventually(async () => expect(await update(res.body.id)).toMatchObject({ state: 'failed', failureReason: 'DownloadFailed' }), 30_000);

  const put = await collector.api(`/api/v1/firmware/targets/${encodeURIComponent(profile.vendor)}/${encodeURIComponent(profile.model)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ releaseId: bad.id }),
  });
  expect(put.status).toBe(200);
  const drift = (await getJson(collector, `/api/v1/firmware/drift?vendor=${encodeURIComponent(profile.vendor)}`)).body;
  expect(drift.items.map((s: Json) => s.stationId)).toContain('FWFAIL');
  const inventory = (await getJson(collector, '/api/v1/firmware/inventory')).body;
  expect(inventory.groups.find((g: Json) => g.vendor === profile.vendor && g.target === 'off')).toBeDefined();
  const del = await collector.api(`/api/v1/firmware/releases/${bad.id}`, { method: 'DELETE' });
  expect(del.status).toBe(409);
  const audit = (await getJson(collector, '/api/v1/audit?action=firmware')).body;
  expect(audit.items.map((e: Json) => e.action)).toContain('firmware.update.start');
  const targetsAudit = (await getJson(collector, '/api/v1/audit?action=firmware.targets')).body;
  expect(targetsAudit.items[0]).toMatchObject({ action: 'firmware.targets.put', result: '200' });
}, 60_000);

it('refuses bad input with a message', async () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['/api/v1/firmware/releases', { vendor: 'V', model: 'M', version: '1', location: 'file:///etc/passwd' }, /location must be a http/],
    ['/api/v1/firmware/releases', { vendor: 'V'.repeat(21), model: 'M', version: '1', location: 'https://x.example/a' }, /vendor/],
    ['/api/v1/firmware/releases', { vendor: 'V', model: 'M', version: '1', location: 'https://x.example/a', signature: 'c2ln' }, /both or neither/],
    ['/api/v1/firmware/releases', { vendor: 'V', model: 'M', version: '1', location: 'https://x.example/a', versionMatch: { mode: 'regex' } }, /mode/],
    ['/api/v1/firmware/releases', { vendor: 'V', model: 'M', version: '1', location: 'https://x.example/a', extra: true }, /additional properties|unknown field/],
    ['/api/v1/stations/FW16/firmware/update', { releaseId: 'abc' }, /releaseId|pattern/],
    ['/api/v1/stations/FW16/firmware/update', {}, /releaseId/],
  ];
  for (const [path, body, message] of cases) {
    const res = await postJson(collector, path, body);
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(res.body.message).toMatch(message);
  }
  expect((await start('NOPE', { releaseId: '1' })).status).toBe(404);
  expect((await start('FW16', { releaseId: '999999' })).status).toBe(404);
  expect((await getJson(collector, '/api/v1/firmware/updates/999999')).status).toBe(404);
  expect((await getJson(collector, '/api/v1/firmware/maintenance?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
  const viewer = await collector.api('/api/v1/firmware/releases', { method: 'POST', headers: { 'content-type': 'application/json', 'x-chargewatch-role': 'viewer' }, body: '{}' });
  expect(viewer.status).toBe(403);
});

it('answers 503 with a message without DATABASE_URL', async () => {
  const bare = await startTestCollector();
  try {
    const res = await getJson(bare, '/api/v1/firmware/releases');
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/DATABASE_URL/);
    const doc = (await (await fetch(`${bare.apiUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/v1/firmware/releases', '/api/v1/firmware/releases/{id}', '/api/v1/firmware/targets/{vendor}/{model}', '/api/v1/stations/{id}/firmware/update', '/api/v1/firmware/maintenance']) expect(doc.paths[p]).toBeDefined();
  } finally {
    await bare.stop();
  }
});
