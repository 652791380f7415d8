/**
 * Cancelling a campaign with `?recall=true`: a 2.0.1 station still downloading the campaign's image is
 * sent a new request for the version it runs, answers AcceptedCanceled and stays on its version (the
 * campaign's update ends `superseded`); a 1.6 core station, whose UpdateFirmware cannot be called
 * back, is reported and left alone. Real collector with PostgreSQL, the worker as a child process,
 * simulated stations with slow downloads.
 */
import { PROFILES, SimulatedStation, createTestDatabase, dropTestDatabase, eventually } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';
import { WorkerChild } from '../harness/worker-child';

const profile = PROFILES[0]!;
const current = profile.firmwareVersions[0]!;
let collector: TestCollector;
let worker: WorkerChild;
let url: string;
const stations: SimulatedStation[] = [];

beforeAll(async () => {
  url = await createTestDatabase('firmware_recall');
  collector = await startTestCollector({ DATABASE_URL: url, OCPP_CALL_TIMEOUT_SEC: '10' });
  worker = await WorkerChild.create('worker-recall', {
    REDIS_PREFIX: collector.config.redis.prefix,
    DATABASE_URL: url,
    WORKER_ID: 'worker-recall',
    WORKER_CAMPAIGN_TICK_SEC: '1',
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    LOG_LEVEL: 'warn',
  });
  await worker.start();
  for (const [id, protocol] of [['RC201', 'ocpp2.0.1'], ['RC16', 'ocpp1.6']] as const) {
    const s = new SimulatedStation({
      identity: { stationId: id, protocol, profile, firmwareVersion: current, serialNumber: `SN-${id}`, meterSerialNumber: `M-${id}`, connectors: 1, seed: 7 },
      url: collector.ocppUrl,
      speed: 10,
      meterIntervalSec: 600,
      autoSessions: false,
      faultProbability: 0,
      disconnectProbability: 0,
      // The campaign's image downloads slowly; the recall's (request 2) goes through normally.
      firmwareOutcome: (request) => (request === 1 ? 'slowDownload' : 'success'),
    });
    stations.push(s);
    await s.start();
    await s.whenAccepted();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(stations.map((s) => s.stop()));
  await worker?.kill();
  await collector?.stop();
  await dropTestDatabase(url);
});

const release = async (version: string) => (await postJson(collector, '/api/v1/firmware/releases', { vendor: profile.vendor, model: profile.model, version, location: `https://fw.example.com/fw-${version}.bin` })).body;
const update = async (id: string) => (await getJson(collector, `/api/v1/firmware/updates/${id}`)).body;

it('calls back the 2.0.1 station\'s pending update and reports the 1.6 one it cannot', async () => {
  await release(current);
  const target = await release('9.9.9');
  const created = await postJson(collector, '/api/v1/firmware/campaigns', {
    name: 'to be recalled',
    releaseId: target.id,
    cohort: { stations: ['RC201', 'RC16'] },
    plan: { canary: { count: 2 }, waves: { count: 2 }, gate: { minVerifiedPercent: 100, withinSec: 3600, maxFailedPercent: 0 }, maxPerSite: 5 },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  // Both stations are downloading the campaign's image.
  const sent = await eventually(async () => {
    const rows = (await getJson(collector, `/api/v1/firmware/campaigns/${id}/report`)).body.items as Json[];
    expect(rows.map((r) => r.state)).toEqual(['updating', 'updating']);
    const updates = await Promise.all(rows.map((r) => update(r.updateId)));
    for (const u of updates) expect(u.state).toBe('downloading');
    return Object.fromEntries(rows.map((r) => [r.stationId, r.updateId as string]));
  }, 60_000, 500);

  const cancel = await collector.api(`/api/v1/firmware/campaigns/${id}/cancel?recall=true`, { method: 'POST' });
  expect(cancel.status).toBe(200);
  const body = (await cancel.json()) as Json;
  expect(body.status).toBe('cancelled');
  const byStation = Object.fromEntries((body.recall as Json[]).map((r) => [r.stationId, r]));
  expect(byStation.RC201).toMatchObject({ outcome: 'recalled', updateId: expect.any(String) });
  expect(byStation.RC16).toMatchObject({ outcome: 'not_possible', reason: expect.stringMatching(/1\.6 UpdateFirmware cannot be called back/) });

  expect(await update(sent.RC201!)).toMatchObject({ state: 'failed', failureReason: 'superseded' });
  // The new request cancels the pending one on the station; it installs the version it runs.
  await eventually(async () => expect(await update(byStation.RC201.updateId)).toMatchObject({ state: 'verified', reportedVersion: current }), 120_000, 1000);
  expect((await getJson(collector, '/api/v1/stations/RC201')).body.firmwareVersion).toBe(current);
  const events = (await getJson(collector, `/api/v1/firmware/campaigns/${id}`)).body.events.map((e: Json) => e.kind);
  expect(events).toEqual(expect.arrayContaining(['cancelled', 'recalled']));
}, 300_000);
