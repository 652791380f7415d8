/**
 * `npm run bench`: measures the collector against a bare ocpp-rpc server with the same load generator on
 * the same machine, then writes docs/benchmarks.md and prints the same table.
 *
 * Processes: this orchestrator; load generator children (raw ws clients); the bare server child; the
 * real collector (`chargewatch collector`) as a child with Redis, InfluxDB 1.x and a Prometheus scraping
 * its /metrics every second; for the INFLUX_WRITER=worker placement also `chargewatch worker` as a child
 * (BENCH_WORKER_PLACEMENT=0 skips it). Every child and service is stopped at the end, also on error or Ctrl-C.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BenchChild } from './ipc';
import { startInfluxDB, startPrometheus, startRedis } from '../devstack/services';
import { startCollectorChild } from './collector-child';
import { Generators, runLoads, type ThroughputResult } from './load';
import { runIdleStorm } from './idle-storm';
import { topSelfTime } from './profile';
import { startSinksLive } from './sinks-live';
import { machine, render, type Results } from './report';
import { BARE_SERVER } from './report-placements';
import { runAccessBench } from './access-bench';
import { SCALE, runScaleBench } from './scale';
import { runApiScaleBench } from './api-scale';
import { OUTAGE, runOutageBench } from './outage';
import { P, ROOT, TARGETS, cleanupAll, cleanups, log, sleep } from './setup';

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping children and services`);
    void cleanupAll().then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const wallStart = Date.now();
  const runId = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'cw-bench-'));
  if (!process.env.BENCH_KEEP_DIR) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  log(`run ${runId}; work dir ${dir}; ${P.loadgens} load generator process(es)`);

  const [redis, influx, prometheus] = await Promise.all([startRedis(dir, { appendOnly: true, fsync: process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always' }), startInfluxDB(dir), startPrometheus(dir, { scrapeIntervalSec: 1 })]);
  cleanups.push(() => redis.stop(), () => influx.stop(), () => prometheus.stop());
  const svc = { redis, influx, prometheus };
  log(`services: redis ${redis.url}, influxdb ${influx.url}, prometheus ${prometheus.url}`);

  const gens = Array.from({ length: P.loadgens }, (_, i) => new BenchChild(`loadgen-${i}`, join(__dirname, 'loadgen.js')));
  for (const g of gens) cleanups.push(() => g.stop());
  const gen = new Generators(gens);
  await gen.all({ cmd: 'ping' }, 10_000);

  // (a) bare ocpp-rpc server; (b) the collector with every sink live, once per InfluxDB writer placement
  // ((b′): INFLUX_WRITER=worker). All run at once and take turns under the load (load.ts, runLoads).
  const bareChild = new BenchChild('bare-server', join(__dirname, 'bare-server.js'));
  cleanups.push(() => bareChild.stop());
  const bare = await bareChild.request<{ port: number }>({ cmd: 'start' }, 10_000);
  const genPids = Object.fromEntries(gens.map((g, i) => [`load generator ${i + 1}`, g.pid]));
  const ctx = { gen, dir, svc, runId, genPids };
  const live = [await startSinksLive('collector', ctx), ...(P.workerPlacement ? [await startSinksLive('worker', ctx)] : [])];
  await sleep(2000);
  const bareTarget = { label: 'bare', url: `ws://127.0.0.1:${bare.port}/ocpp`, prefix: `bare-${runId}-`, pids: { [BARE_SERVER]: bareChild.pid, ...genPids } };
  const [bareResults, ...liveLoads] = await runLoads(gen, [bareTarget, ...live.map((l) => l.target)]);
  await bareChild.stop();
  const col = await live[0]!.finish(liveLoads[0]!);
  const colResults = col.load;
  const wrk = live[1] ? await live[1].finish(liveLoads[1]!) : undefined;

  // fresh collector: RSS per idle connection, then a reconnect storm (idle-storm.ts); skipped in --quick.
  const idleStorm = P.idleConnections > 0 ? await runIdleStorm(gen, dir, svc, runId) : undefined;
  const perConnKB = idleStorm?.idle.perConnKB ?? NaN;

  // (c) Authorize with 100,000 tokens in the registry against accept-all (access-bench.ts); BENCH_ACCESS=0 skips it.
  const access = !P.access ? undefined : await runAccessBench(dir, svc, runId);
  // Targets 3, 4 and 6 at 100,000 stations on COLLECTOR_PROCESSES (scale.ts); BENCH_SCALE=0 and --quick skip it.
  const scale = SCALE.enabled && !P.quick ? await runScaleBench(dir, svc, runId) : undefined;
  // (d) The API at BENCH_API_STATIONS stations (api-scale.ts); BENCH_API=0 and --quick skip it.
  const apiScale = process.env.BENCH_API === '0' || P.quick ? undefined : await runApiScaleBench(dir, svc, runId);
  // Target 7: a 15-minute InfluxDB outage at 100,000 stations' steady state (outage.ts); BENCH_OUTAGE=0 and --quick skip it.
  const outage = OUTAGE.enabled && !P.quick ? await runOutageBench(gen, dir, svc, runId) : undefined;

  const ratio = colResults.throughput.rate / bareResults.throughput.rate;
  const results: Results = {
    coresBare: bareResults.cores,
    coresCollector: colResults.cores,
    date: new Date().toISOString(),
    machine: machine(),
    params: P,
    bare: bareResults,
    collector: colResults,
    ratio,
    correctness: col.correctness,
    scrapes: col.scrapes,
    ...(wrk ? { workerWriter: { load: wrk.load, correctness: wrk.correctness, scrapes: wrk.scrapes, ratio: wrk.load.throughput.rate / bareResults.throughput.rate } } : {}),
    ...idleStorm,
    ...(access ? { access } : {}),
    ...(scale ? { scale } : {}),
    ...(apiScale ? { apiScale } : {}),
    ...(outage ? { outage } : {}),
    wallMs: 0,
  };

  // A missed target: profile the collector under the same closed-loop load.
  const missed = ratio < TARGETS.ratio || !(colResults.paced.p99 < TARGETS.p99Ms) || (idleStorm !== undefined && perConnKB > TARGETS.rssPerConnKB);
  if (missed && P.profileMs > 0) {
    const profDir = join(dir, 'cpuprofile');
    const c3 = await startCollectorChild('prof', dir, svc, runId, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] });
    log(`profiling collector (pid ${c3.proc.child.pid}) under closed-loop load for ${P.profileMs / 1000} s`);
    await sleep(1000);
    const group = 'prof';
    await gen.all({ cmd: 'prepare', group, url: c3.ocppUrl, prefix: `cwb-${runId}-P`, first: 0, count: P.connections, localAddrs: P.localAddrs, concurrency: 100, timeoutMs: 15_000 }, 60_000);
    const tp = await gen.all<ThroughputResult>({ cmd: 'throughput', group, warmupMs: 1000, durationMs: P.profileMs }, P.profileMs + 30_000);
    await gen.all({ cmd: 'close', group, terminate: false }, 60_000);
    await c3.stop();
    const file = existsSync(profDir) ? readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (file) {
      const keep = join(tmpdir(), `chargewatch-bench-${runId}.cpuprofile`);
      writeFileSync(keep, readFileSync(join(profDir, file)));
      results.profile = {
        file: keep,
        top: topSelfTime(JSON.parse(readFileSync(keep, 'utf8')), 15, ROOT),
        rate: tp.reduce((a, r) => a + r.inWindow, 0) / (P.profileMs / 1000),
      };
      log(`profile: ${results.profile.file}`);
    } else {
      log('profile: no .cpuprofile written');
    }
  }

  results.wallMs = Date.now() - wallStart;
  const { table, markdown } = render(results);
  writeFileSync(join(ROOT, 'docs', 'benchmarks.md'), markdown);
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2));
  process.stdout.write(`\n${table}\n\nwrote docs/benchmarks.md (wall time ${(results.wallMs / 1000).toFixed(0)} s)\n`);
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
  });
