/**
 * `node tools/dist/bench/fleet-index-turns.js [dir-of-another-fleet-index.js ...]`: the API's fleet
 * index in this process at BENCH_API_STATIONS stations (seeded as api-scale.ts does), without HTTP:
 * the index load and the pages and summaries the API scenario asks for, each phase with its wall time,
 * CPU time and the longest event-loop delay seen meanwhile (platform loop-delay.ts). With directories
 * of other builds of fleet-index.js (e.g. the previous commit's, transpiled), runs them in turn on the
 * same Redis, alternating, so before and after share the machine's load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { LOOP_DELAY_METRICS, LoopDelayMetrics, StationStore } from '@chargewatch/platform';
import { startRedis } from '../devstack/services';
import { seed } from './api-scale';
import { ROOT, cleanupAll, cleanups, log } from './setup';

interface Index {
  fresh(): Promise<void>;
  invalidate(): void;
  page(f: object, sort: string, order: 'asc' | 'desc', limit: number, offset: number): Promise<{ total: number }> | { total: number };
  summary(f: object): Promise<unknown> | unknown;
}

async function phase(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<string> {
  const r = new Registry();
  const loop = new LoopDelayMetrics(r, { windowSec: 600 }).start();
  // The worst gap between two firings of a 5 ms timer, with the process CPU time used meanwhile: a
  // gap mostly without CPU is the machine's load (the process was not running), not our code.
  let worst = { gap: 0, cpu: 0 };
  let busiest = { gap: 0, cpu: 0 };
  let prevT = performance.now();
  let prevCpu = process.cpuUsage();
  const sampler = setInterval(() => {
    const t = performance.now();
    const c = process.cpuUsage();
    const cpu = (c.user - prevCpu.user + c.system - prevCpu.system) / 1000;
    if (t - prevT > worst.gap) worst = { gap: t - prevT, cpu };
    if (cpu > busiest.cpu) busiest = { gap: t - prevT, cpu };
    prevT = t;
    prevCpu = c;
  }, 5);
  const cpu0 = process.cpuUsage();
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
    // A turn between calls, as between two HTTP requests: a synchronous page would otherwise chain
    // all n calls into one turn through its resolved promise.
    await new Promise((res) => setImmediate(res));
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((res) => setTimeout(res, 30));
  const maxLoop = ((await r.getSingleMetric(LOOP_DELAY_METRICS.max)!.get()).values[0]?.value ?? NaN) * 1000;
  loop.stop();
  clearInterval(sampler);
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)]!;
  return `${label.padEnd(42)} n=${String(n).padStart(3)} median ${med.toFixed(2).padStart(8)} ms  max ${times[times.length - 1]!.toFixed(2).padStart(8)} ms  wall ${wall.toFixed(0).padStart(6)} ms  cpu ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(6)} ms  longest loop delay ${maxLoop.toFixed(1).padStart(6)} ms (5 ms timer: worst gap ${worst.gap.toFixed(0)} ms with ${worst.cpu.toFixed(0)} ms process CPU; most CPU in a gap ${busiest.cpu.toFixed(0)} ms in ${busiest.gap.toFixed(0)} ms)`;
}

async function run(impl: string, store: StationStore): Promise<string[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { FleetIndex } = require(join(impl, 'fleet-index.js')) as { FleetIndex: new (s: StationStore, o: object) => Index };
  const index = new FleetIndex(store, { refreshMs: 3_600_000, ...(process.env.BENCH_TURNS_CHUNK ? { chunk: Number(process.env.BENCH_TURNS_CHUNK) } : {}) });
  const out = [`${impl}  (load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')})`];
  out.push(await phase('index load (first fresh())', 1, () => index.fresh()));
  out.push(await phase('page, unfiltered, by id', 200, () => Promise.resolve(index.page({}, 'id', 'asc', 50, 0))));
  out.push(await phase('page, site=SiteN, by status', 200, (i) => Promise.resolve(index.page({ site: `Site${i % 200}` }, 'status', 'asc', 50, 0))));
  out.push(await phase('page, vendor=VendorN, by lastHeartbeat desc', 50, (i) => Promise.resolve(index.page({ vendor: `Vendor${i % 7}` }, 'lastHeartbeat', 'desc', 50, 0))));
  out.push(await phase('page, online=false (no facet: scan)', 50, () => Promise.resolve(index.page({ online: false }, 'status', 'asc', 50, 0))));
  out.push(await phase('summary, site=SiteN', 100, (i) => Promise.resolve(index.summary({ site: `Site${i % 200}` }))));
  out.push(await phase('summary, unfiltered', 200, () => Promise.resolve(index.summary({}))));
  // Heartbeats move a station in the lastHeartbeat orders: the refresh re-reads and re-places them.
  const n = Number(process.env.BENCH_TURNS_HEARTBEATS ?? 2000);
  for (let k = 0; k < 2; k++) {
    const now = Date.now();
    const ids = Array.from({ length: n }, (_, i) => `API-${String((i * 37 + k * 7919) % 100_000).padStart(6, '0')}`);
    for (let i = 0; i < ids.length; i += 500) await Promise.all(ids.slice(i, i + 500).map((id) => store.apply([{ type: 'station.heartbeat', stationId: id, time: now, receivedAt: now }])));
    out.push(await phase(`refresh after ${n} stations' heartbeats`, 1, async () => (index.invalidate(), index.fresh())));
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-fleet-turns-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const redis = await startRedis(dir, { appendOnly: false });
  cleanups.push(() => redis.stop());
  const prefix = 'turns:';
  log(`seeded in ${((await seed(redis.url, prefix)) / 1000).toFixed(1)} s`);
  const client = new Redis(redis.url);
  cleanups.push(async () => void (await client.quit()));
  const store = new StationStore(client, prefix);
  const impls = [join(ROOT, 'collector', 'dist', 'api'), ...process.argv.slice(2)];
  const rounds = Number(process.env.BENCH_TURNS_ROUNDS ?? 2);
  for (let round = 0; round < rounds; round++) {
    for (const impl of round % 2 ? [...impls].reverse() : impls) process.stdout.write(`${(await run(impl, store)).join('\n')}\n\n`);
  }
}

main()
  .catch((err) => {
    process.stderr.write(`fleet-index-turns failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
