/**
 * The campaign tick against real PostgreSQL (migrations 0003/0004) and Redis (station state written by
 * the real StationStore): the canary goes first and spreads over sites, a passed gate starts the next
 * wave, a failed one pauses the campaign and resuming passes it, a station that does not come back
 * pauses it, offline stations wait, a tick cut short after sending is finished by the next without a
 * second send, and two ticks of one campaign never interleave. Updates are started by a recording
 * stand-in for the firmware service; their outcomes are written as the firmware tracker writes them.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Pool } from 'pg';
import { planWaves, selectCohort, type CampaignPlan, type CohortCandidate } from '@chargewatch/model';
import { CampaignStore, StationStore, createDatabasePool, migrateDatabase, silentLogger, type AuditEntry } from '@chargewatch/platform';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { tickCampaign, type CampaignTickDeps } from '../../src/campaigns/campaign-tick';

let url: string;
let pool: Pool;
let redis: Redis;
let prefix: string;
let store: StationStore;
let campaigns: CampaignStore;
let releaseId: string;
let started: string[];
let crashAfterInsert: Set<string>;
let audited: AuditEntry[];

const plan: CampaignPlan = { canary: { count: 2 }, waves: { count: 3 }, gate: { minVerifiedPercent: 100, withinSec: 3600, maxFailedPercent: 34 }, maxPerSite: 2 };

beforeAll(async () => {
  url = await createTestDatabase('campaign_tick');
  await migrateDatabase(url, silentLogger);
  pool = createDatabasePool(url, silentLogger);
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  const { rows } = await pool.query(`INSERT INTO firmware_releases (vendor, model, version, location, created_by) VALUES ('ACME', 'AC22', '2.0', 'https://fw.example/acme-2.0.bin', 'test') RETURNING id`);
  releaseId = String(rows[0].id);
});

afterAll(async () => {
  await pool.end();
  await redis.quit();
  await dropTestDatabase(url);
});

beforeEach(() => {
  prefix = `test:campaign:${randomUUID()}:`;
  store = new StationStore(redis, prefix);
  campaigns = new CampaignStore(pool);
  started = [];
  crashAfterInsert = new Set();
  audited = [];
});

async function connect(stationId: string, at = Date.now()) {
  await store.apply([{ type: 'connection.opened', stationId, time: at, receivedAt: at, remoteAddress: '127.0.0.1', protocol: 'ocpp1.6', collectorId: 'A', replaced: false }]);
}

async function disconnect(stationId: string, at = Date.now()) {
  await store.apply([{ type: 'connection.closed', stationId, time: at, receivedAt: at, code: 1006, reason: '', collectorId: 'A' }]);
}

/** What the firmware service does first: the update row, named for the campaign, then the command. */
const deps = (): CampaignTickDeps => ({
  campaigns,
  store,
  logger: silentLogger,
  audit: { record: async (e) => void audited.push(e), list: async () => ({ total: 0, items: [] }) },
  startUpdate: async ({ stationId, releaseId: rel, campaignId }) => {
    const { rows } = await pool.query(
      `INSERT INTO firmware_updates (station_id, release_id, campaign_id, form, state, requested_at, requested_by, stage_at) VALUES ($1, $2, $3, 'plain', 'requested', now(), 'system', now()) RETURNING id`,
      [stationId, rel, campaignId],
    );
    if (crashAfterInsert.delete(stationId)) throw new Error('worker died after sending');
    started.push(stationId);
    return { updateId: String(rows[0].id) };
  },
});

async function finish(campaignId: string, stationId: string, outcome: 'verified' | 'InstallationFailed' | 'no_return') {
  const failed = outcome !== 'verified';
  await pool.query(
    `UPDATE firmware_updates SET state = $3, failure_reason = $4, finished_at = now() WHERE campaign_id = $1 AND station_id = $2 AND finished_at IS NULL`,
    [campaignId, stationId, failed ? 'failed' : 'verified', failed ? outcome : null],
  );
}

async function createCampaign(ids: string[], sites: (id: string) => string): Promise<string> {
  const candidates: CohortCandidate[] = ids.map((id) => ({ id, site: sites(id), vendor: 'ACME', model: 'AC22', version: '1.0', tags: {} }));
  const sel = selectCohort(candidates, {}, { vendor: 'ACME', model: 'AC22', isTarget: (v) => v === '2.0' });
  const waves = planWaves(sel.selected, plan).map((w) => w.map((id) => ({ id, site: sites(id) })));
  const c = await campaigns.create({ name: `test ${prefix}`, releaseId, cohort: {}, plan, waves, actor: 'ann' });
  // Campaigns and updates of earlier tests in this database are over.
  await pool.query(`UPDATE firmware_campaigns SET status = 'cancelled', finished_at = now() WHERE id <> $1 AND status IN ('running', 'paused')`, [c.id]);
  await pool.query(`UPDATE firmware_updates SET state = 'cancelled', finished_at = now() WHERE finished_at IS NULL`);
  return c.id;
}

const stateOf = async (id: string) => Object.fromEntries((await campaigns.stations(id)).map((s) => [s.stationId, s.state]));

describe('campaign tick', () => {
  const ids = ['CP-1', 'CP-2', 'CP-3', 'CP-4', 'CP-5', 'CP-6', 'CP-7', 'CP-8'];
  const site = (id: string) => (Number(id.slice(3)) % 2 ? 'north' : 'south');

  it('runs canary and waves through their gates, pausing on a failed gate and resuming past it', async () => {
    for (const id of ids) await connect(id);
    const id = await createCampaign(ids, site);
    const d = deps();

    expect((await tickCampaign(d, id)).steps).toEqual(['dispatch']);
    expect(started.sort()).toEqual(['CP-1', 'CP-2']);
    expect((await tickCampaign(d, id)).steps).toEqual([]);

    await finish(id, 'CP-1', 'verified');
    await finish(id, 'CP-2', 'verified');
    expect((await tickCampaign(d, id)).steps).toEqual(['advance', 'dispatch']);
    expect((await campaigns.get(id))!.currentWave).toBe(1);
    const wave1 = started.slice(2);
    expect(wave1).toHaveLength(3);

    // Two of three failed: over the 34% budget.
    await finish(id, wave1[0], 'InstallationFailed');
    await finish(id, wave1[1], 'InstallationFailed');
    expect((await tickCampaign(d, id)).steps).toEqual(['pause']);
    const paused = (await campaigns.get(id))!;
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'gate_failed', pauseDetail: expect.stringMatching(/wave 1: 2 of 3 failed/) });
    expect((await tickCampaign(d, id)).steps).toEqual([]);

    await campaigns.resume(id, 'bob');
    await finish(id, wave1[2], 'verified');
    expect((await tickCampaign(d, id)).steps).toEqual(['advance', 'dispatch']);
    const wave2 = started.slice(5);
    expect(wave2).toHaveLength(3);
    for (const s of wave2) await finish(id, s, 'verified');
    expect((await tickCampaign(d, id)).steps).toEqual(['complete']);
    expect(await campaigns.get(id)).toMatchObject({ status: 'completed', finishedAt: expect.any(Date) });

    // Each station was sent exactly one update.
    expect(started.sort()).toEqual(ids);
    const states = await stateOf(id);
    expect(Object.values(states).filter((s) => s === 'verified')).toHaveLength(6);
    const kinds = (await campaigns.events(id)).map((e) => `${e.kind}:${e.actor}`);
    expect(audited.map((e) => `${e.action} ${e.actor.kind}`)).toEqual(['firmware.campaign.wave_started system', 'firmware.campaign.paused system', 'firmware.campaign.wave_started system', 'firmware.campaign.completed system']);
    expect(kinds).toEqual(['created:ann', 'dispatched:system:firmware-campaign', 'wave_started:system:firmware-campaign', 'dispatched:system:firmware-campaign', 'paused:system:firmware-campaign', 'resumed:bob', 'wave_started:system:firmware-campaign', 'dispatched:system:firmware-campaign', 'completed:system:firmware-campaign']);
  });

  it('pauses when a station does not come back, and waits for offline stations', async () => {
    for (const id of ids) await connect(id);
    await disconnect('CP-2');
    const id = await createCampaign(ids, site);
    const d = deps();
    await tickCampaign(d, id);
    expect(started).toEqual(['CP-1']);
    expect((await campaigns.stations(id)).find((s) => s.stationId === 'CP-2')).toMatchObject({ state: 'pending', deferredReason: 'offline' });
    await finish(id, 'CP-1', 'no_return');
    expect((await tickCampaign(d, id)).steps).toEqual(['pause']);
    expect(await campaigns.get(id)).toMatchObject({ pauseReason: 'no_return', pauseDetail: expect.stringContaining('CP-1') });
    await campaigns.resume(id, 'bob');
    await connect('CP-2');
    expect((await tickCampaign(d, id)).steps).toEqual(['dispatch']);
    expect(started).toEqual(['CP-1', 'CP-2']);
  });

  it('finishes a tick that died after sending without sending again', async () => {
    for (const id of ids) await connect(id);
    const id = await createCampaign(ids, site);
    crashAfterInsert.add('CP-1');
    await tickCampaign(deps(), id);
    expect(started).toEqual(['CP-2']);
    // The next tick finds CP-1's update and adopts it instead of starting another.
    expect((await tickCampaign(deps(), id)).steps).toEqual([]);
    expect(started).toEqual(['CP-2']);
    expect(await stateOf(id)).toMatchObject({ 'CP-1': 'updating', 'CP-2': 'updating' });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM firmware_updates WHERE campaign_id = $1', [id]);
    expect(rows[0].n).toBe(2);
  });

  it('lets one tick of a campaign run at a time', async () => {
    for (const id of ids) await connect(id);
    const id = await createCampaign(ids, site);
    const [a, b] = await Promise.all([tickCampaign(deps(), id), tickCampaign(deps(), id)]);
    expect([a.steps, b.steps].sort()).toEqual([[], ['dispatch']]);
    expect(started.sort()).toEqual(['CP-1', 'CP-2']);
  });

  it('cancels: unsent stations are dropped and nothing more is sent', async () => {
    for (const id of ids) await connect(id);
    const id = await createCampaign(ids, site);
    await tickCampaign(deps(), id);
    await campaigns.cancel(id, 'ann');
    expect((await tickCampaign(deps(), id)).steps).toEqual([]);
    const states = Object.values(await stateOf(id));
    expect(states.filter((s) => s === 'cancelled')).toHaveLength(6);
    await expect(campaigns.resume(id, 'ann')).rejects.toThrow(/cancelled/);
  });
});
