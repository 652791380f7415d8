/**
 * A firmware campaign end to end (issue "Firmware", done-when): 120 simulated stations of one model,
 * half OCPP 1.6 and half 2.0.1, on four sites; a real collector with PostgreSQL, and the worker as a
 * child process (campaign ticks, the `firmware` journal consumer, timeouts). Failures are injected in
 * the simulator per station: none in the canary, two in wave 1 (within the 10 % budget), four in wave
 * 2 (over it), so the canary passes, wave 1 passes, wave 2 trips its gate and the campaign pauses by
 * itself. After an operator's resume it goes on; the worker is killed with SIGKILL while wave 3 is
 * being sent and restarted; the campaign completes. Then: the verified count equals the stations whose
 * boot reports the target version, and no station was sent its update twice.
 */
import { PROFILES, SimulatedStation, createTestDatabase, dropTestDatabase, eventually, type FirmwareOutcome } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';
import { WorkerChild } from '../harness/worker-child';

const PER_VERSION = 60;
const TARGET = '9.9.9';
const profile = PROFILES[0]!;
let collector: TestCollector;
let worker: WorkerChild;
let url: string;
const stations: SimulatedStation[] = [];
/** Station id → the outcome its (first) update has; set once the campaign's waves are known. */
const outcome = new Map<string, FirmwareOutcome>();

const ids = [...Array.from({ length: PER_VERSION }, (_, i) => `FWC16-${String(i).padStart(3, '0')}`), ...Array.from({ length: PER_VERSION }, (_, i) => `FWC201-${String(i).padStart(3, '0')}`)];
const siteOf = (id: string) => `site-${Number(id.slice(-3)) % 4}`;

beforeAll(async () => {
  url = await createTestDatabase('firmware_campaign');
  collector = await startTestCollector({
    DATABASE_URL: url,
    OCPP_CALL_TIMEOUT_SEC: '10',
    // Every simulated station connects from 127.0.0.1.
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
  });
  worker = await WorkerChild.create('worker-firmware', {
    REDIS_PREFIX: collector.config.redis.prefix,
    DATABASE_URL: url,
    WORKER_ID: 'worker-firmware',
    WORKER_CAMPAIGN_TICK_SEC: '1',
    WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC: '2',
    WORKER_FIRMWARE_METRICS_INTERVAL_SEC: '2',
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    LOG_LEVEL: 'warn',
  });
  await worker.start();
  await Promise.all(
    ids.map(async (id, i) => {
      const s = new SimulatedStation({
        identity: { stationId: id, protocol: id.startsWith('FWC16') ? 'ocpp1.6' : 'ocpp2.0.1', profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: `SN${String(i).padStart(8, '0')}`, meterSerialNumber: `M${i}`, connectors: 1, seed: 100 + i },
        url: collector.ocppUrl,
        speed: 50,
        meterIntervalSec: 600,
        autoSessions: false,
        faultProbability: 0,
        disconnectProbability: 0,
        firmwareOutcome: () => outcome.get(id) ?? 'success',
      });
      stations.push(s);
      await s.start();
      await s.whenAccepted();
      const put = await collector.api(`/api/v1/stations/${id}/metadata`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ site: siteOf(id), timeZone: 'Europe/Berlin' }) });
      expect(put.status).toBe(200);
    }),
  );
}, 180_000);

afterAll(async () => {
  await Promise.all(stations.map((s) => s.stop()));
  await worker?.kill();
  await collector?.stop();
  await dropTestDatabase(url);
});

const campaign = async (id: string) => (await getJson(collector, `/api/v1/firmware/campaigns/${id}`)).body;
const report = async (id: string) => (await getJson(collector, `/api/v1/firmware/campaigns/${id}/report`)).body.items as Json[];

it('runs canary and waves, pauses itself on a failed gate, survives a worker kill and completes', async () => {
  const rel = await postJson(collector, '/api/v1/firmware/releases', { vendor: profile.vendor, model: profile.model, version: TARGET, location: `https://fw.example.com/fw-${TARGET}.bin` });
  expect(rel.status).toBe(201);
  const body = {
    name: 'roll out 9.9.9',
    releaseId: rel.body.id,
    cohort: { vendors: [profile.vendor], models: [profile.model] },
    plan: { canary: { count: 6 }, waves: { percent: 25 }, gate: { minVerifiedPercent: 90, withinSec: 300, maxFailedPercent: 10 }, maxPerSite: 2 },
  };
  const preview = await postJson(collector, '/api/v1/firmware/campaigns/preview', body);
  expect(preview.status).toBe(200);
  expect(preview.body).toMatchObject({ selected: 120, waves: [{ size: 6 }, { size: 30 }, { size: 30 }, { size: 30 }, { size: 24 }] });

  const created = await postJson(collector, '/api/v1/firmware/campaigns', body);
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  // Failures by wave, decided before any of those waves is sent (the canary is clean).
  const plan = await report(id);
  const wave = (w: number) => plan.filter((r) => r.wave === w).map((r) => r.stationId as string);
  const [w1a, w1b] = wave(1);
  outcome.set(w1a!, 'downloadFailed');
  outcome.set(w1b!, 'oldVersionAfterReboot');
  for (const s of wave(2).slice(0, 4)) outcome.set(s, 'installFailed');
  // Both OCPP versions are in the waves.
  expect(new Set(wave(1).concat(wave(2)).map((s) => s.slice(0, 5)))).toEqual(new Set(['FWC16', 'FWC20']));

  // Canary and wave 1 pass; wave 2's four failures (13 %) trip its gate: the campaign pauses itself.
  await eventually(async () => expect(await campaign(id)).toMatchObject({ campaign: { status: 'paused', pauseReason: 'gate_failed', currentWave: 2 } }), 150_000, 1000);
  const paused = await campaign(id);
  expect(paused.waves[0].tally).toMatchObject({ size: 6, verified: 6, failed: 0 });
  expect(paused.waves[1].tally).toMatchObject({ size: 30, failed: 2 });
  expect(paused.waves[3].tally).toMatchObject({ pending: 30, updating: 0 });
  const failures = Object.fromEntries((await report(id)).filter((r) => r.state === 'failed').map((r) => [r.stationId, r.failureReason]));
  expect(failures).toMatchObject({ [w1a!]: 'DownloadFailed', [w1b!]: 'old_version' });

  // Paused means paused: nothing of wave 3 is sent.
  await new Promise((r) => setTimeout(r, 3000));
  expect((await campaign(id)).waves[3].tally.pending).toBe(30);

  const resumed = await collector.api(`/api/v1/firmware/campaigns/${id}/resume`, { method: 'POST', headers: { 'x-grafana-user': 'noc-anna', 'x-chargewatch-role': 'editor' } });
  expect(resumed.status).toBe(200);

  // Kill the worker while wave 3 is being sent, then bring it back.
  await eventually(async () => {
    const c = await campaign(id);
    expect(c.campaign.currentWave).toBe(3);
    expect(c.waves[3].tally.updating + c.waves[3].tally.verified).toBeGreaterThan(0);
    expect(c.waves[3].tally.pending).toBeGreaterThan(0);
  }, 120_000, 250);
  await worker.kill();
  await worker.start();

  await eventually(async () => expect((await campaign(id)).campaign.status).toBe('completed'), 240_000, 1000);

  const rows = await report(id);
  const verified = rows.filter((r) => r.state === 'verified').map((r) => r.stationId as string).sort();
  expect(verified).toHaveLength(120 - 6);
  // The verified count is the count of stations whose boot reports the target version.
  const onTarget: string[] = [];
  for (const s of ids) if ((await getJson(collector, `/api/v1/stations/${s}`)).body.firmwareVersion === TARGET) onTarget.push(s);
  expect(onTarget.sort()).toEqual(verified);
  // Exactly one update command per station, whatever the kill interrupted.
  for (const s of ids) {
    const cmds = (await getJson(collector, `/api/v1/stations/${s}/commands?limit=50`)).body.items as Json[];
    expect({ s, n: cmds.filter((c) => c.name === 'UpdateFirmware').length }).toEqual({ s, n: 1 });
  }
  const story = (await campaign(id)).events.map((e: Json) => `${e.kind}:${e.actor}`);
  expect(story).toEqual(expect.arrayContaining(['paused:system:firmware-campaign', 'resumed:noc-anna', 'completed:system:firmware-campaign']));
  expect(story.filter((k: string) => k.startsWith('wave_started'))).toHaveLength(4);
}, 600_000);
