/**
 * `chargewatch worker` as a real child process on the harness's Redis: it serves /metrics, its
 * housekeeping schedulers actually close a stale transaction (journaled like a collector's close) and
 * prune a never-booted station (announced on the `pruned` channel), and SIGTERM ends it with exit 0
 * within a few seconds.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { ChargeEvent } from '@chargewatch/model';
import { RedisKeys, bullPrefix } from '@chargewatch/model';
import { StationStore } from '@chargewatch/platform';
import { ManagedProcess, eventually, freePort } from '@chargewatch/tools';

const REPO = join(__dirname, '../../..');
const HOUR = 3_600_000;
const prefix = `cwworker${randomBytes(4).toString('hex')}:`;
let redis: Redis;
let subscriber: Redis;
let store: StationStore;
let child: ManagedProcess;
let metricsUrl: string;
const pruned: string[] = [];

/** A station that opened a transaction two hours ago and has said nothing since. */
async function staleTransaction(stationId: string, transactionId: string): Promise<void> {
  const t = Date.now() - 2 * HOUR;
  const at = { stationId, time: t, receivedAt: t };
  await store.apply([
    { ...at, type: 'connection.opened', remoteAddress: '10.0.0.1', protocol: 'ocpp1.6', collectorId: 'gone', replaced: false },
    { ...at, type: 'station.booted', vendor: 'Acme', model: 'AC22', registration: 'Accepted' },
    { ...at, type: 'transaction.started', evseId: 1, connectorId: 1, transactionId, idToken: { id: 'RFID-1', type: 'ISO14443' }, meterStartWh: 1000, offline: false },
  ] as ChargeEvent[]);
}

/** A station that connected two hours ago, never booted and left. */
async function ghost(stationId: string): Promise<void> {
  const t = Date.now() - 2 * HOUR;
  const at = { stationId, time: t, receivedAt: t };
  await store.apply([
    { ...at, type: 'connection.opened', remoteAddress: '10.0.0.9', protocol: 'ocpp1.6', collectorId: 'gone', replaced: false },
    { ...at, type: 'connection.closed', code: 1000, reason: '', collectorId: 'gone' },
  ] as ChargeEvent[]);
}

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  subscriber = redis.duplicate();
  await subscriber.subscribe(new RedisKeys(prefix).prunedChannel());
  subscriber.on('message', (_c, id: string) => pruned.push(id));
  store = new StationStore(redis, prefix);
  // Before the worker starts: its first scheduled runs find them.
  await staleTransaction('CP-STALE', 'tx-stale');
  await ghost('GHOST-1');
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}`;
  child = new ManagedProcess('worker', process.execPath, ['--import', 'tsx', join(__dirname, '../harness/worker-process.ts')], mkdtempSync(join(tmpdir(), 'cw-worker-')), {
    ...process.env,
    TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.dev.json'),
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(port),
    WORKER_STALE_SWEEP_INTERVAL_SEC: '1',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '1',
    TX_STALE_AFTER_SEC: '600',
    REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: '600',
    WORKER_ID: 'worker-under-test',
    LOG_LEVEL: 'info',
  });
  await eventually(async () => {
    if (!child.running) throw new Error(`worker exited: ${readFileSync(child.logFile, 'utf8')}`);
    expect((await fetch(`${metricsUrl}/healthz`)).ok).toBe(true);
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await child?.kill();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await subscriber.quit();
  await redis.quit();
});

describe('chargewatch worker', () => {
  it('closes a stale transaction on its schedule, as a collector close, and journals it', async () => {
    await eventually(async () => expect((await store.get('CP-STALE'))!.transactions).toEqual([]), 20_000);
    expect((await store.findEndedTransaction('CP-STALE', 'tx-stale'))!.ended).toMatchObject({ stoppedReason: 'StaleNoActivity', closedBy: 'collector' });
    // The close went into the journal as InfluxDB lines, like every event.
    const entries = await redis.xrange(`${prefix}journal`, '-', '+');
    expect(JSON.stringify(entries)).toContain('tx-stale');
  });

  it('prunes a never-booted station on its schedule and tells the collectors', async () => {
    await eventually(async () => expect(await store.exists('GHOST-1')).toBe(false), 20_000);
    await eventually(async () => expect(pruned).toContain('GHOST-1'));
    expect(await store.exists('CP-STALE')).toBe(true);
  });

  it('serves its metrics: completed jobs per queue and name, queue sizes, no job ids', async () => {
    await eventually(async () => {
      const text = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(text).toMatch(/chargewatch_worker_jobs_total\{queue="housekeeping",name="stale-transaction-sweep",outcome="completed"\} [1-9]/);
      expect(text).toMatch(/chargewatch_worker_jobs_total\{queue="housekeeping",name="registry-prune",outcome="completed"\} [1-9]/);
      expect(text).toMatch(/chargewatch_worker_job_duration_seconds_count\{queue="housekeeping",name="stale-transaction-sweep"\} [1-9]/);
      for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(text).toMatch(new RegExp(`chargewatch_worker_queue_jobs\\{queue="housekeeping",state="${state}"\\} \\d+`));
      expect(text).toContain('# TYPE chargewatch_worker_jobs_stalled_total counter');
      expect(text).not.toMatch(/jobId|job_id/);
    });
  });

  it('keeps its queue under the deployment prefix, with one scheduler per task', async () => {
    const schedulers = await redis.zrange(`${bullPrefix(prefix)}:housekeeping:repeat`, 0, -1);
    expect(schedulers.sort()).toEqual(['registry-prune', 'stale-transaction-sweep']);
  });

  it('exits 0 within a few seconds of SIGTERM', async () => {
    const t0 = Date.now();
    child.signal('SIGTERM');
    const code = await child.waitExit();
    expect({ code, log: code === 0 ? '' : readFileSync(child.logFile, 'utf8') }).toEqual({ code: 0, log: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(readFileSync(child.logFile, 'utf8')).toContain('worker stopped');
  });
});
