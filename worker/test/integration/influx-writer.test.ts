/**
 * INFLUX_WRITER=worker: the worker, a real child process, consumes the journal into the harness's
 * InfluxDB. Events appended the way a collector appends them (versioned batches with station context)
 * reach InfluxDB tagged with their site, the worker acknowledges them in the `influx` group, the
 * journal is trimmed, and its metrics report the consumer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { ChargeEvent } from '@chargewatch/model';
import { RedisJournal } from '@chargewatch/platform';
import { ManagedProcess, eventually, freePort, influxQuery } from '@chargewatch/tools';

const REPO = join(__dirname, '../../..');
const prefix = `cwinflux${randomBytes(4).toString('hex')}:`;
const database = `cw_worker_${randomBytes(4).toString('hex')}`;
let redis: Redis;
let child: ManagedProcess;
let metricsUrl: string;

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}`;
  child = new ManagedProcess('worker-influx', process.execPath, ['--import', 'tsx', join(__dirname, '../harness/worker-process.ts')], mkdtempSync(join(tmpdir(), 'cw-worker-')), {
    ...process.env,
    TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.dev.json'),
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(port),
    INFLUX_WRITER: 'worker',
    INFLUX_URL: process.env.TEST_INFLUX_URL,
    INFLUX_API: 'v1',
    INFLUX_DATABASE: database,
    INFLUX_FLUSH_INTERVAL_MS: '50',
    WORKER_ID: 'worker-influx',
  });
  await eventually(async () => {
    if (!child.running) throw new Error(`worker exited: ${readFileSync(child.logFile, 'utf8')}`);
    expect((await fetch(`${metricsUrl}/healthz`)).ok).toBe(true);
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await child?.kill();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

it('writes journaled events to InfluxDB with their station context, acknowledges and trims them', async () => {
  const journal = new RedisJournal(redis, prefix, 1000, { stationContext: (id) => (id === 'CP-W1' ? { site: 'depot' } : undefined) });
  const t = Date.now() - 60_000;
  const events = Array.from({ length: 50 }, (_x, i) => ({
    type: 'station.heartbeat',
    stationId: i % 2 ? 'CP-W1' : 'CP-W2',
    time: t + i,
    receivedAt: t + i,
  })) as ChargeEvent[];
  await Promise.all([journal.append(events.slice(0, 20)), journal.append(events.slice(20))]);
  await eventually(async () => {
    const rows = await influxQuery(process.env.TEST_INFLUX_URL!, database, 'SELECT * FROM /.*/ WHERE time > now() - 1h');
    expect(rows).toHaveLength(50);
    expect(rows.filter((r) => r.site === 'depot')).toHaveLength(25);
  }, 30_000);
  await eventually(async () => expect((await journal.backlog()).entries).toBe(0), 10_000);
  expect(await journal.groups()).toEqual(['influx']);
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  expect(text).toMatch(/chargewatch_journal_consumer_handled_total\{consumer="influx"\} [1-9]/);
  expect(text).toMatch(/chargewatch_influx_points_written_total 50\b/);
}, 60_000);
