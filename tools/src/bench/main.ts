/**
 * `npm run bench`: measures the collector against a bare ocpp-rpc server with the same load generator on
 * the same machine, then writes docs/benchmarks.md and prints the same table.
 *
 * Processes: this orchestrator; load generator children (raw ws clients); the bare server child; the
 * real collector (`chargewatch collector`) as a child with Redis, InfluxDB 1.x and a Prometheus scraping
 * its /metrics every second. Every child and service is stopped at the end, also on error or Ctrl-C.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, release } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BenchChild } from './ipc';
import { Histogram, type HistogramData } from './histogram';
import { SAMPLES_PER_FRAME } from './frames';
import { freePort, waitFor } from '../devstack/ports';
import { ManagedProcess } from '../devstack/process';
import { startInfluxDB, startPrometheus, startRedis, type PrometheusService, type Service } from '../devstack/services';
import { topSelfTime, type ProfileEntry } from './profile';

const LOADAVG_AT_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const ROOT = resolve(__dirname, '..', '..', '..');
const BIN = join(ROOT, 'cli', 'bin', 'chargewatch.js');

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const P = {
  loadgens: num('BENCH_LOADGENS', 1),
  connections: num('BENCH_CONNECTIONS', 200),
  warmupMs: num('BENCH_WARMUP_MS', 2000),
  throughputMs: num('BENCH_THROUGHPUT_MS', 15_000),
  pacedRate: num('BENCH_PACED_RATE', 5000),
  pacedMs: num('BENCH_PACED_MS', 10_000),
  idleConnections: num('BENCH_IDLE_CONNECTIONS', 10_000),
  stormTimeoutMs: num('BENCH_STORM_TIMEOUT_MS', 60_000),
  profileMs: num('BENCH_PROFILE_MS', 8000),
  localAddrs: Array.from({ length: num('BENCH_SOURCE_ADDRESSES', 16) }, (_, i) => `127.0.0.${i + 1}`),
};
const TARGETS = { ratio: 0.5, p99Ms: 50, rssPerConnKB: 30 };

type Hist = { buckets: HistogramData; count: number; max: number };
interface ThroughputResult { connections: number; inWindow: number; windowMs: number; acked: number; refused: number; lost: number; unanswered: number; latency: Hist }
interface PacedResult { connections: number; sent: number; acked: number; refused: number; late: number; unanswered: number; durationMs: number; elapsedMs: number; fromDue: Hist; fromSend: Hist }
interface PrepareResult { booted: number; failed: number; ms: number; errors: Record<string, number> }
interface StormResult { stations: number; booted: number; failed: number; retries: number; ms: number; timeToBoot: Hist; errors: Record<string, number> }

const log = (msg: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// Process bookkeeping: everything started is registered here and stopped in reverse order.

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      await fn().catch((err) => log(`cleanup: ${String(err)}`));
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping children and services`);
    void cleanupAll().then(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Load generators: the same generator drives both servers; work is split over `P.loadgens` processes.

class Generators {
  constructor(readonly children: BenchChild[]) {}

  /** Runs the task on every generator with its share of `count` (station ids stay disjoint). */
  all<T>(task: Record<string, unknown> & { count?: number; first?: number; rate?: number }, timeoutMs: number): Promise<T[]> {
    const n = this.children.length;
    return Promise.all(
      this.children.map((c, i) => {
        const t: Record<string, unknown> = { ...task };
        if (task.count !== undefined) {
          const share = Math.floor(task.count / n) + (i < task.count % n ? 1 : 0);
          const before = Array.from({ length: i }, (_, j) => Math.floor(task.count! / n) + (j < task.count! % n ? 1 : 0)).reduce((a, b) => a + b, 0);
          t.count = share;
          t.first = (task.first ?? 0) + before;
        }
        if (task.rate !== undefined) t.rate = task.rate / n;
        return c.request<T>(t, timeoutMs);
      }),
    );
  }
}

interface LoadResults {
  throughput: { rate: number; p50: number; p99: number; acked: number; refused: number; lost: number; unanswered: number };
  paced: { offered: number; achieved: number; p50: number; p99: number; p999: number; max: number; sendP99: number; late: number; refused: number; acked: number };
  ackedMeter: number;
  /** Calls sent but neither answered nor refused when the phase ended (stored or not: unknown). */
  inDoubt: number;
  /** Cores used per process during the closed-loop phase. */
  cores: Record<string, number>;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Cores each process used during `run` (the machine has os.cpus().length of them). */
async function coresUsed<T>(pids: Record<string, number>, run: () => Promise<T>): Promise<{ result: T; cores: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const t0 = Date.now();
  const result = await run();
  const secs = (Date.now() - t0) / 1000;
  const cores = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (cpuSeconds(pid) - before[k]!) / secs]));
  return { result, cores };
}

async function runLoad(gen: Generators, url: string, prefix: string, label: string, pids: Record<string, number> = {}): Promise<LoadResults> {
  const group = `${label}-load`;
  const prep = await gen.all<PrepareResult>({ cmd: 'prepare', group, url, prefix, first: 0, count: P.connections, localAddrs: P.localAddrs, concurrency: 100, timeoutMs: 15_000 }, 60_000);
  const failed = prep.reduce((a, r) => a + r.failed, 0);
  if (failed) throw new Error(`${label}: ${failed} of ${P.connections} connections failed to boot: ${JSON.stringify(prep.map((r) => r.errors))}`);
  log(`${label}: ${P.connections} connections booted; closed loop for ${P.warmupMs / 1000}+${P.throughputMs / 1000} s`);
  const { result: tp, cores } = await coresUsed(pids, () =>
    gen.all<ThroughputResult>({ cmd: 'throughput', group, warmupMs: P.warmupMs, durationMs: P.throughputMs }, P.warmupMs + P.throughputMs + 30_000),
  );
  if (Object.keys(cores).length) log(`${label}: cores used during the closed loop: ${Object.entries(cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  const tpLat = Histogram.merge(tp.map((r) => r.latency));
  const rate = tp.reduce((a, r) => a + r.inWindow, 0) / (P.throughputMs / 1000);
  const sum = (k: 'acked' | 'refused' | 'lost' | 'unanswered') => tp.reduce((a, r) => a + r[k], 0);
  log(`${label}: ${Math.round(rate)} msg/s (p50 ${tpLat.quantile(0.5).toFixed(2)} ms, p99 ${tpLat.quantile(0.99).toFixed(2)} ms, refused ${sum('refused')})`);
  await sleep(1000);
  log(`${label}: paced ${P.pacedRate} msg/s for 1+${P.pacedMs / 1000} s`);
  const pc = await gen.all<PacedResult>({ cmd: 'paced', group, rate: P.pacedRate, warmupMs: 1000, durationMs: P.pacedMs }, P.pacedMs + 60_000);
  const due = Histogram.merge(pc.map((r) => r.fromDue));
  const snd = Histogram.merge(pc.map((r) => r.fromSend));
  const pacedAcked = pc.reduce((a, r) => a + r.acked, 0);
  const paced = {
    offered: P.pacedRate,
    achieved: pacedAcked / (Math.max(...pc.map((r) => r.elapsedMs)) / 1000),
    p50: due.quantile(0.5),
    p99: due.quantile(0.99),
    p999: due.quantile(0.999),
    max: due.max,
    sendP99: snd.quantile(0.99),
    late: pc.reduce((a, r) => a + r.late, 0),
    refused: pc.reduce((a, r) => a + r.refused, 0),
    acked: pacedAcked,
  };
  log(`${label}: paced p50 ${paced.p50.toFixed(2)} ms, p99 ${paced.p99.toFixed(2)} ms, max ${paced.max.toFixed(1)} ms, achieved ${Math.round(paced.achieved)} msg/s`);
  await gen.all({ cmd: 'close', group, terminate: false }, 60_000);
  return {
    cores,
    throughput: { rate, p50: tpLat.quantile(0.5), p99: tpLat.quantile(0.99), acked: sum('acked'), refused: sum('refused'), lost: sum('lost'), unanswered: sum('unanswered') },
    paced,
    ackedMeter: sum('acked') + pacedAcked,
    inDoubt: sum('unanswered') + sum('lost') + pc.reduce((a, r) => a + r.unanswered, 0),
  };
}

// ---------------------------------------------------------------------------------------------------
// The collector under test.

interface Collector {
  proc: ManagedProcess;
  ocppUrl: string;
  apiUrl: string;
  apiTarget: string;
  database: string;
  stop(): Promise<void>;
}

async function startCollectorChild(
  name: string,
  dir: string,
  svc: { redis: Service; influx: Service; prometheus: PrometheusService },
  runId: string,
  nodeArgs: string[] = [],
): Promise<Collector> {
  const ocppPort = await freePort();
  const apiPort = await freePort();
  const database = `cw_bench_${runId}_${name}`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ocppPort),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_AUTH: 'off',
    REDIS_URL: svc.redis.url,
    REDIS_PREFIX: `cwb${runId}${name}:`,
    INFLUX_URL: svc.influx.url,
    INFLUX_DATABASE: database,
    COLLECTOR_ID: `bench-${runId}-${name}`,
    LOG_LEVEL: process.env.BENCH_COLLECTOR_LOG_LEVEL ?? 'warn',
    // The load comes from 16 loopback addresses; the per-address flood limits are for the internet.
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
  };
  delete childEnv.NODE_OPTIONS;
  const proc = new ManagedProcess(`collector-${name}`, process.execPath, [...nodeArgs, BIN, 'collector'], dir, childEnv);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // Generous grace: a clean stop writes out the journal, and --cpu-prof writes its file only on exit.
  const stop = () => proc.stop(60_000);
  cleanups.push(stop);
  await waitFor(`collector ${name}`, async () => {
    if (!proc.running) throw new Error(`collector exited; see ${proc.logFile}`);
    return (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(1000) })).ok;
  });
  svc.prometheus.setTargets([`127.0.0.1:${apiPort}`], { bench: name });
  return { proc, ocppUrl: `ws://127.0.0.1:${ocppPort}/ocpp`, apiUrl, apiTarget: `127.0.0.1:${apiPort}`, database, stop };
}

function rssKB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Median of a few readings 500 ms apart, so one GC or allocation burst does not decide the figure. */
async function steadyRssKB(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssKB(pid));
    await sleep(500);
  }
  return xs.sort((a, b) => a - b)[2]!;
}

async function influxQuery(influxUrl: string, db: string, q: string): Promise<any> {
  const res = await fetch(`${influxUrl}/query?${new URLSearchParams({ db, q })}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`InfluxQL ${q}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function countsByMeasurand(influxUrl: string, db: string): Promise<Record<string, number>> {
  const body = await influxQuery(influxUrl, db, 'SELECT count(value) FROM meter GROUP BY measurand');
  const out: Record<string, number> = {};
  for (const s of body.results?.[0]?.series ?? []) out[s.tags.measurand] = s.values[0][1];
  return out;
}

async function promQuery(url: string, q: string): Promise<number | undefined> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`, { signal: AbortSignal.timeout(5000) });
  const body: any = await res.json();
  const v = body?.data?.result?.[0]?.value?.[1];
  return v === undefined ? undefined : Number(v);
}

// ---------------------------------------------------------------------------------------------------

interface Results {
  date: string;
  machine: { cpu: string; cores: number; ramGiB: number; node: string; os: string; kernel: string; loadavgAtStart: string };
  params: typeof P;
  bare: LoadResults;
  collector: LoadResults;
  ratio: number;
  correctness: { acked: Record<string, number>; stored: Record<string, number>; ok: boolean; refused: number; inDoubt: number; waitedMs: number };
  scrapes: { count?: number; maxDurationMs?: number; up?: number };
  idle: { connections: number; booted: number; rssBeforeKB: number; rssAfterKB: number; perConnKB: number; openMs: number };
  storm: StormResult & { p50: number; p99: number };
  profile?: { file: string; top: ProfileEntry[]; rate: number };
  coresBare: Record<string, number>;
  coresCollector: Record<string, number>;
  wallMs: number;
}

function machine(): Results['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return {
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: /PRETTY_NAME="([^"]*)"/.exec(osRelease)?.[1] ?? 'Linux',
    kernel: release(),
    loadavgAtStart: LOADAVG_AT_START,
  };
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

  // (a) bare ocpp-rpc server
  const bareChild = new BenchChild('bare-server', join(__dirname, 'bare-server.js'));
  cleanups.push(() => bareChild.stop());
  const bare = await bareChild.request<{ port: number }>({ cmd: 'start' }, 10_000);
  const genPids = Object.fromEntries(gens.map((g, i) => [`load generator ${i + 1}`, g.pid]));
  const bareResults = await runLoad(gen, `ws://127.0.0.1:${bare.port}/ocpp`, `bare-${runId}-`, 'bare', { 'ocpp-rpc server': bareChild.pid, ...genPids });
  await bareChild.stop();

  // (b) the collector with every sink live: throughput, latency, correctness
  const c1 = await startCollectorChild('load', dir, svc, runId);
  log(`collector (load) pid ${c1.proc.child.pid}, ${c1.ocppUrl}`);
  await sleep(2000);
  const colResults = await runLoad(gen, c1.ocppUrl, `cwb-${runId}-L`, 'collector', {
    collector: c1.proc.child.pid!,
    influxd: influx.process.child.pid!,
    'redis-server': redis.process.child.pid!,
    prometheus: prometheus.process.child.pid!,
    ...genPids,
  });
  const scrapes = {
    count: await promQuery(prometheus.url, `count_over_time(up{instance="${c1.apiTarget}"}[10m])`),
    up: await promQuery(prometheus.url, `min_over_time(up{instance="${c1.apiTarget}"}[10m])`),
    maxDurationMs: ((await promQuery(prometheus.url, `max_over_time(scrape_duration_seconds{instance="${c1.apiTarget}"}[10m])`)) ?? NaN) * 1000,
  };
  log(`prometheus: ${scrapes.count} scrapes of the collector, min up ${scrapes.up}, max scrape ${scrapes.maxDurationMs.toFixed(1)} ms`);

  const acked: Record<string, number> = {};
  for (const [m, n] of Object.entries(SAMPLES_PER_FRAME)) acked[m] = n * colResults.ackedMeter;
  const waitStart = Date.now();
  let stored: Record<string, number> = {};
  let lastEnergy = -1;
  let stableSince = Date.now();
  // Wait for the sink to flush: until the count matches, or has not moved for 5 s (bounded to 60 s).
  while (Date.now() - waitStart < 60_000) {
    stored = await countsByMeasurand(influx.url, c1.database);
    const e = stored['Energy.Active.Import.Register'] ?? 0;
    if (e === acked['Energy.Active.Import.Register']) break;
    if (e !== lastEnergy) {
      lastEnergy = e;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 5000) break;
    await sleep(500);
  }
  stored = await countsByMeasurand(influx.url, c1.database);
  const energyRow = await influxQuery(influx.url, c1.database, `SELECT count(value) FROM meter WHERE measurand='Energy.Active.Import.Register'`);
  const energyStored = energyRow.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
  const correctness = {
    acked,
    stored,
    ok: energyStored === acked['Energy.Active.Import.Register'] && Object.keys(acked).every((m) => stored[m] === acked[m]),
    refused: colResults.throughput.refused + colResults.paced.refused,
    inDoubt: colResults.inDoubt,
    waitedMs: Date.now() - waitStart,
  };
  log(`correctness: acked ${acked['Energy.Active.Import.Register']} energy samples, InfluxDB holds ${energyStored} → ${correctness.ok ? 'OK' : 'MISMATCH'}`);
  await c1.stop();

  // (b) fresh collector: RSS per idle connection, then a reconnect storm
  const c2 = await startCollectorChild('idle', dir, svc, runId);
  const pid2 = c2.proc.child.pid!;
  await sleep(3000);
  const rssBefore = await steadyRssKB(pid2);
  log(`collector (idle) pid ${pid2}: RSS ${rssBefore} kB; opening ${P.idleConnections} connections`);
  const idlePrefix = `cwb-${runId}-I`;
  const idle = await gen.all<PrepareResult>(
    { cmd: 'prepare', group: 'idle', url: c2.ocppUrl, prefix: idlePrefix, first: 0, count: P.idleConnections, localAddrs: P.localAddrs, concurrency: 256, timeoutMs: 30_000 },
    180_000,
  );
  const idleBooted = idle.reduce((a, r) => a + r.booted, 0);
  const openMs = Math.max(...idle.map((r) => r.ms));
  log(`idle: ${idleBooted} booted in ${(openMs / 1000).toFixed(1)} s${idleBooted < P.idleConnections ? ` (errors ${JSON.stringify(idle.map((r) => r.errors))})` : ''}`);
  await sleep(4000);
  const rssAfter = await steadyRssKB(pid2);
  const perConnKB = (rssAfter - rssBefore) / Math.max(1, idleBooted);
  log(`idle: RSS ${rssAfter} kB → ${perConnKB.toFixed(1)} KB per connection`);

  // Network drop: every socket dies at once, then every station comes back at once.
  await gen.all({ cmd: 'close', group: 'idle', terminate: true }, 60_000);
  await sleep(3000);
  log(`storm: ${P.idleConnections} stations reconnect and boot at once`);
  const stormParts = await gen.all<StormResult>(
    { cmd: 'storm', group: 'storm', url: c2.ocppUrl, prefix: idlePrefix, first: 0, count: P.idleConnections, localAddrs: P.localAddrs, timeoutMs: P.stormTimeoutMs, maxAttempts: 5 },
    P.stormTimeoutMs + 60_000,
  );
  const stormHist = Histogram.merge(stormParts.map((r) => r.timeToBoot));
  const storm = {
    stations: stormParts.reduce((a, r) => a + r.stations, 0),
    booted: stormParts.reduce((a, r) => a + r.booted, 0),
    failed: stormParts.reduce((a, r) => a + r.failed, 0),
    retries: stormParts.reduce((a, r) => a + r.retries, 0),
    ms: Math.max(...stormParts.map((r) => r.ms)),
    timeToBoot: stormHist.toJSON(),
    errors: Object.assign({}, ...stormParts.map((r) => r.errors)),
    p50: stormHist.quantile(0.5),
    p99: stormHist.quantile(0.99),
  };
  log(`storm: ${storm.booted}/${storm.stations} booted in ${(storm.ms / 1000).toFixed(2)} s (p50 ${(storm.p50 / 1000).toFixed(2)} s, retries ${storm.retries})`);
  await gen.all({ cmd: 'close', group: 'storm', terminate: false }, 120_000);
  await c2.stop();

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
    correctness,
    scrapes,
    idle: { connections: P.idleConnections, booted: idleBooted, rssBeforeKB: rssBefore, rssAfterKB: rssAfter, perConnKB, openMs },
    storm,
    wallMs: 0,
  };

  // A missed target: profile the collector under the same closed-loop load.
  const missed = ratio < TARGETS.ratio || !(colResults.paced.p99 < TARGETS.p99Ms) || perConnKB > TARGETS.rssPerConnKB;
  if (missed && P.profileMs > 0) {
    const profDir = join(dir, 'cpuprofile');
    const c3 = await startCollectorChild('prof', dir, svc, runId, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
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

// ---------------------------------------------------------------------------------------------------

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function render(r: Results): { table: string; markdown: string } {
  const pf = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
  const c = r.collector;
  const b = r.bare;
  const rows: Array<[string, string, string, string]> = [
    ['(a) bare ocpp-rpc, closed loop, 200 conns', `${fmt(b.throughput.rate)} msg/s`, 'reference', ''],
    ['(b) collector, all sinks live, closed loop, 200 conns', `${fmt(c.throughput.rate)} msg/s`, 'reference', ''],
    ['1. throughput ratio b/a', fmt(r.ratio, 2), '≥ 0.5', pf(r.ratio >= TARGETS.ratio)],
    [`2. (b) latency at ${fmt(c.paced.offered)} msg/s offered, p50 / p99`, `${fmt(c.paced.p50, 2)} / ${fmt(c.paced.p99, 2)} ms`, 'p99 < 50 ms', pf(c.paced.p99 < TARGETS.p99Ms)],
    [`   (b) same, p99.9 / max; achieved rate`, `${fmt(c.paced.p999, 1)} / ${fmt(c.paced.max, 1)} ms; ${fmt(c.paced.achieved)} msg/s`, '', ''],
    [`   (a) latency at ${fmt(b.paced.offered)} msg/s offered, p50 / p99`, `${fmt(b.paced.p50, 2)} / ${fmt(b.paced.p99, 2)} ms`, 'reference', ''],
    [`3. (b) RSS per idle connection (${fmt(r.idle.booted)} conns)`, `${fmt(r.idle.perConnKB, 1)} KB`, '≤ 30 KB', pf(r.idle.perConnKB <= TARGETS.rssPerConnKB && r.idle.booted === r.idle.connections)],
    [`   RSS before → after`, `${fmt(r.idle.rssBeforeKB / 1024, 1)} → ${fmt(r.idle.rssAfterKB / 1024, 1)} MiB`, '', ''],
    [`4. (b) reconnect storm, ${fmt(r.storm.stations)} stations`, `${fmt(r.storm.ms / 1000, 2)} s (${fmt(r.storm.booted)} booted, ${fmt(r.storm.retries)} retries)`, 'all booted', pf(r.storm.booted === r.storm.stations)],
    [`   time to boot reply p50 / p99`, `${fmt(r.storm.p50 / 1000, 2)} / ${fmt(r.storm.p99 / 1000, 2)} s`, '', ''],
    ['5. acked energy samples = InfluxDB count', `${fmt(r.correctness.acked['Energy.Active.Import.Register'] ?? 0)} = ${fmt(r.correctness.stored['Energy.Active.Import.Register'] ?? 0)}`, 'equal (all measurands)', pf(r.correctness.ok)],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.replace(/\*/g, '').length), ['Figure', 'Measured', 'Target', 'Result'][i]!.length));
  const line = (cells: string[]) => cells.map((x, i) => x.replace(/\*/g, '').padEnd(w[i]!)).join('  ');
  const table = [line(['Figure', 'Measured', 'Target', 'Result']), line(w.map((n) => '-'.repeat(n))), ...rows.map((row) => line(row))].join('\n');

  const m = r.machine;
  const md: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`scripts/bench.mjs` → `collector/src/bench/`). Do not edit by hand: the next run overwrites this file.',
    '',
    `- Date: ${r.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.os}, Linux ${m.kernel}; Node ${m.node}`,
    `- Load generator: ${r.params.loadgens} process(es) on the same machine; run wall time ${fmt(r.wallMs / 1000)} s; load average when the run started: ${m.loadavgAtStart} (other work on the machine shares its cores)`,
    '',
    '| Figure | Measured | Target | Result |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Details',
    '',
    `- Closed loop (a): p50 ${fmt(b.throughput.p50, 2)} ms, p99 ${fmt(b.throughput.p99, 2)} ms; (b): p50 ${fmt(c.throughput.p50, 2)} ms, p99 ${fmt(c.throughput.p99, 2)} ms; CALLERRORs from the collector: ${fmt(c.throughput.refused)} closed loop, ${fmt(c.paced.refused)} paced.`,
    `- Paced (b): ${fmt(c.paced.acked)} calls answered; latency counted from each call's scheduled time (p99 from the actual send: ${fmt(c.paced.sendP99, 2)} ms); calls that were due while the previous one was still unanswered: ${fmt(c.paced.late)}; answered rate over the phase including the drain of any queue: ${fmt(c.paced.achieved)} msg/s.`,
    `- Prometheus scraped the collector's /metrics ${r.scrapes.count ?? 'n/a'} times during the load run (min \`up\` ${r.scrapes.up ?? 'n/a'}), longest scrape ${fmt(r.scrapes.maxDurationMs ?? NaN, 1)} ms.`,
    `- Idle connections opened (256 handshakes in flight) in ${fmt(r.idle.openMs / 1000, 1)} s.`,
    `- Storm errors before retries succeeded: ${Object.keys(r.storm.errors).length ? Object.entries(r.storm.errors).map(([k, v]) => `${k} × ${v}`).join('; ') : 'none'}.`,
    `- Calls in doubt (sent, no answer when the phase ended): ${fmt(r.correctness.inDoubt)}; the sink flushed ${fmt(r.correctness.waitedMs / 1000, 1)} s after the load stopped.`,
    `- InfluxDB counts per measurand (acked → stored): ${Object.keys(r.correctness.acked).map((k) => `${k} ${fmt(r.correctness.acked[k]!)} → ${fmt(r.correctness.stored[k] ?? 0)}`).join('; ')}.`,
    '',
  ];
  if (r.profile) {
    md.push(
      '## CPU profile of the collector (a target was missed)',
      '',
      `Collector started with \`--cpu-prof\`, closed-loop load as in (b) for ${fmt(r.params.profileMs / 1000)} s (${fmt(r.profile.rate)} msg/s under the profiler). Top self time:`,
      '',
      '| Self % | Self ms | Function | Location |',
      '|---|---|---|---|',
      ...r.profile.top.map((e) => `| ${fmt(e.selfPct, 1)} | ${fmt(e.selfMs)} | \`${e.functionName}\` | ${e.location} |`),
      '',
      `Raw profile: \`${basename(r.profile.file)}\` in the system's temporary directory, outside the repository (open it in Chrome DevTools → Performance).`,
      '',
    );
  }
  md.push(
    'Why targets are missed, and what changed before and after each fix: [performance-notes.md](performance-notes.md).',
    '',
    '## Where the two cores go',
    '',
    'CPU used per process during the closed-loop phase (1.00 = one full core):',
    '',
    '| process | (a) bare | (b) collector |',
    '| --- | --- | --- |',
    ...[...new Set([...Object.keys(r.coresBare), ...Object.keys(r.coresCollector)])].map(
      (k) => `| ${k} | ${r.coresBare[k] === undefined ? '' : fmt(r.coresBare[k]!, 2)} | ${r.coresCollector[k] === undefined ? '' : fmt(r.coresCollector[k]!, 2)} |`,
    ),
    '',
  );
  md.push(
    '## How measured',
    '',
    '- One run of `npm run bench` measures both servers with the same load generator: raw `ws` clients (subprotocol `ocpp1.6`, no ocpp-rpc client) in a separate child process, each connection sending a BootNotification and then MeterValues frames built from pre-encoded pieces: 9 sampled values (energy register that only grows, power, current and voltage on three phases, SoC), a distinct message id per call and the current time as timestamp (strictly increasing per station, so no two readings of one station share a millisecond and InfluxDB keeps every point). Each connection keeps exactly one call outstanding, as OCPP-J requires, so the server sets the pace.',
    `- (a) is a bare ocpp-rpc \`RPCServer\` in its own child process with no-op handlers, configured like the collector (strictMode, ocpp1.6 + ocpp2.0.1, callConcurrency 1, maxPayload 64 KiB). (b) is \`node cli/bin/chargewatch.js collector\` as a child process (LOG_LEVEL=warn) with real Redis, InfluxDB 1.6 (v1 /write, default batch 5000 lines / 500 ms) and a Prometheus scraping /metrics every 1 s, all started by the benchmark on free loopback ports. All traffic stays on 127.0.0.0/8; connections are spread over source addresses ${r.params.localAddrs[0]}–${r.params.localAddrs[r.params.localAddrs.length - 1]}.`,
    `- Throughput: ${fmt(r.params.connections)} connections, closed loop, ${fmt(r.params.warmupMs / 1000)} s warm-up then answers counted over ${fmt(r.params.throughputMs / 1000)} s.`,
    `- Latency: the same connections, open loop at ${fmt(r.params.pacedRate)} msg/s spread evenly over connections and time (each connection sends every ${fmt((1000 * r.params.connections) / r.params.pacedRate)} ms with its own phase), 1 s warm-up then ${fmt(r.params.pacedMs / 1000)} s measured; latency is from the scheduled send time to the answer, in 1 %-wide histogram buckets.`,
    `- RSS: a fresh collector; VmRSS from /proc/<pid>/status (median of 5 readings 0.5 s apart) before and 4 s after ${fmt(r.params.idleConnections)} connections that each booted once; (after − before) / connections.`,
    '- Reconnect storm: all those sockets are then dropped at once (TCP reset), and after 3 s every station connects and sends BootNotification in the same instant; time from the first connect to the last BootNotification answer. A station whose attempt fails retries after 1–2 s (at most 5 attempts).',
    '- Correctness: MeterValues answered with CALLRESULT are counted per measurand by the generator (collector throughput + latency phases, unique station ids and a fresh database per run); after the run the benchmark waits for the sink to flush and compares with `SELECT count(value) FROM meter WHERE measurand=…` in InfluxQL.',
    `- Redis runs as recommended for production: AOF with \`appendfsync ${process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always'}\` (set BENCH_REDIS_FSYNC=everysec to compare). Every acknowledged call is first group-committed to the Redis journal, so (b) includes an fsync per commit; the per-address connection limits are disabled because the load comes from 16 loopback addresses.`,
    '- Figures are for this machine only, with the generator, the server and the services sharing its cores; compare ratios, not absolutes.',
    '',
  );
  return { table, markdown: md.join('\n') };
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanupAll();
  });
