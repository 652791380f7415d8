/**
 * Scale on one host (issue 13, targets 3, 4 and 6): `chargewatch collector` with COLLECTOR_PROCESSES=N.
 *
 * 1. Idle: BENCH_SCALE_STATIONS stations (100,000) open and boot against N processes behind one port,
 *    from enough load generator processes (each under BENCH_SCALE_PER_LOADGEN sockets, below the
 *    20,000 file descriptors a process may hold here) and loopback source addresses. RSS per station is
 *    the growth of the sum of the collector processes' RSS; the load generators' CPU is reported.
 * 2. Storm: every socket dies at once (terminate) and every station reconnects and boots at once. The
 *    collector shapes it (HTTP 503 with Retry-After, BootNotification Pending); the load generator
 *    follows both, as stations do, and counts everything else as an error.
 * 3. Throughput by process count (BENCH_SCALE_STEPS): the closed loop of the main bench against 1, 2, …
 *    processes, with Redis commands/s (INFO total_commands_processed), InfluxDB points/s (/debug/vars
 *    write.pointReq) and the CPU of every process, to name the next bottleneck.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, waitFor } from '../devstack/ports';
import { ManagedProcess } from '../devstack/process';
import type { Service } from '../devstack/services';
import { BenchChild } from './ipc';
import { Histogram } from './histogram';
import { Generators, type PrepareResult, type StormResult, type ThroughputResult } from './load';
import { BIN, cleanups, log, P, sleep, TARGETS } from './setup';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
export const SCALE = {
  enabled: env.BENCH_SCALE !== '0',
  stations: num('BENCH_SCALE_STATIONS', TARGETS.scaleStations),
  processes: num('BENCH_SCALE_PROCESSES', 7),
  perLoadgen: num('BENCH_SCALE_PER_LOADGEN', 16_000),
  addresses: num('BENCH_SCALE_ADDRESSES', 32),
  stormMs: num('BENCH_SCALE_STORM_MS', 60_000),
  steps: (env.BENCH_SCALE_STEPS ?? '1,2,4').split(',').filter(Boolean).map(Number).filter((n) => n > 0),
  throughputMs: num('BENCH_SCALE_THROUGHPUT_MS', 10_000),
  connections: num('BENCH_SCALE_CONNECTIONS', P.connections),
  /** Node flags for the collector processes (cluster passes the supervisor's to its workers), e.g. V8 heap sizes. */
  nodeArgs: (env.BENCH_SCALE_NODE_ARGS ?? '').split(' ').filter(Boolean),
  storm: env.BENCH_SCALE_STORM !== '0',
};
export const SCALE_TARGETS = { rssPerStationKB: TARGETS.scaleRssPerStationKB, stormMs: TARGETS.scaleStormMs };

export interface ScaleStep {
  processes: number;
  rate: number;
  refused: number;
  redisOpsPerSec: number;
  influxPointsPerSec: number;
  cores: { collectors: number; redis: number; influxdb: number; loadgens: number; machine: number };
}

export interface ScaleResults {
  settings: typeof SCALE;
  loadgens: number;
  idle: { booted: number; failed: number; openMs: number; rssBeforeKB: number; rssAfterKB: number; perStationKB: number; perProcessKB: number[]; loadgenCoresOpen: number; loadgenCoresIdle: number; errors: Record<string, number> };
  storm?: StormResult & { p50: number; p99: number; deferredHandshakes: number; pendingBoots: number; loadgenCores: number; collectorCores: number };
  steps: ScaleStep[];
}

interface MultiCollector {
  proc: ManagedProcess;
  ocppUrl: string;
  apiUrls: string[];
  workerPids(): number[];
  stop(): Promise<void>;
}

/** `chargewatch collector` with COLLECTOR_PROCESSES=n, API ports base … base+n−1. */
async function startMulti(name: string, n: number, dir: string, redis: Service, influx: Service, runId: string): Promise<MultiCollector> {
  const ocppPort = await freePort();
  let apiBase = 0;
  for (;;) {
    apiBase = await freePort();
    // The next n−1 ports are very likely free on a loopback-only bench host; a clash shows as a start failure.
    if (apiBase + n < 65000) break;
  }
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    COLLECTOR_PROCESSES: String(n),
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ocppPort),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiBase),
    API_AUTH: 'off',
    REDIS_URL: redis.url,
    REDIS_PREFIX: `cwb${runId}${name}:`,
    INFLUX_URL: influx.url,
    INFLUX_DATABASE: `cw_bench_${runId}_${name}`,
    INFLUX_WRITER: 'collector',
    COLLECTOR_ID: `bench-${runId}-${name}`,
    LOG_LEVEL: process.env.BENCH_COLLECTOR_LOG_LEVEL ?? 'warn',
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
  };
  delete childEnv.NODE_OPTIONS;
  const proc = new ManagedProcess(`collector-${name}`, process.execPath, [...SCALE.nodeArgs, BIN, 'collector'], dir, childEnv);
  const apiUrls = Array.from({ length: n }, (_, i) => `http://127.0.0.1:${apiBase + i}`);
  const stop = () => proc.stop(120_000);
  cleanups.push(stop);
  await waitFor(
    `collector ${name} (${n} processes)`,
    async () => {
      if (!proc.running) throw new Error(`collector exited; see ${proc.logFile}`);
      for (const u of apiUrls) if (!(await fetch(`${u}/healthz`, { signal: AbortSignal.timeout(1000) })).ok) return false;
      return true;
    },
    120_000,
  );
  const workerPids = () => {
    // One process runs the collector itself; with more, the primary only supervises its workers.
    if (n === 1) return [proc.child.pid!];
    try {
      return execFileSync('pgrep', ['-P', String(proc.child.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return { proc, ocppUrl: `ws://127.0.0.1:${ocppPort}/ocpp`, apiUrls, workerPids, stop };
}

function rssKB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Median of five readings 0.5 s apart, per process. */
async function steadyRss(pids: number[]): Promise<number[]> {
  const reads: number[][] = pids.map(() => []);
  for (let k = 0; k < 5; k++) {
    pids.forEach((p, i) => reads[i]!.push(rssKB(p)));
    await sleep(500);
  }
  return reads.map((xs) => xs.sort((a, b) => a - b)[2]!);
}

function cpuSec(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function machineBusySec(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
}

/** Cores each group of processes used while `fn` ran. */
async function measureCores<T>(groups: Record<string, () => number[]>, fn: () => Promise<T>): Promise<{ result: T; cores: Record<string, number>; secs: number }> {
  const sum = (pids: number[]) => pids.reduce((a, p) => a + cpuSec(p), 0);
  const pidsAtStart = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, g()]));
  const before = Object.fromEntries(Object.entries(pidsAtStart).map(([k, pids]) => [k, sum(pids)]));
  const m0 = machineBusySec();
  const t0 = Date.now();
  const result = await fn();
  const secs = (Date.now() - t0) / 1000;
  const cores = Object.fromEntries(Object.entries(pidsAtStart).map(([k, pids]) => [k, (sum(pids) - before[k]!) / secs]));
  cores.machine = (machineBusySec() - m0) / secs;
  return { result, cores, secs };
}

async function influxPointReq(url: string): Promise<number> {
  const vars: any = await (await fetch(`${url}/debug/vars`, { signal: AbortSignal.timeout(5000) })).json();
  return Number(vars?.write?.values?.pointReq ?? 0);
}

export async function runScaleBench(dir: string, svc: { redis: Service; influx: Service }, runId: string): Promise<ScaleResults> {
  const S = SCALE;
  const nGen = Math.max(2, Math.ceil(S.stations / S.perLoadgen));
  const addrs = Array.from({ length: S.addresses }, (_, i) => `127.0.0.${i + 1}`);
  const children = Array.from({ length: nGen }, (_, i) => new BenchChild(`scale-loadgen-${i}`, join(__dirname, 'loadgen.js')));
  for (const c of children) cleanups.push(() => c.stop());
  const gen = new Generators(children);
  await gen.all({ cmd: 'ping' }, 10_000);
  const genPids = () => children.map((c) => c.pid);

  // 1. idle
  const c = await startMulti('scale', S.processes, dir, svc.redis, svc.influx, runId);
  await sleep(3000);
  const before = await steadyRss(c.workerPids());
  log(`scale: ${S.processes} collector processes (RSS ${before.join(', ')} kB); ${S.stations} stations from ${nGen} load generators over ${S.addresses} addresses`);
  const prefix = `cwb-${runId}-S`;
  const opened = await measureCores({ loadgens: genPids }, () =>
    gen.all<PrepareResult>({ cmd: 'prepare', group: 'scale', url: c.ocppUrl, prefix, first: 0, count: S.stations, localAddrs: addrs, concurrency: 128, timeoutMs: 60_000 }, 900_000),
  );
  const booted = opened.result.reduce((a, r) => a + r.booted, 0);
  const openMs = Math.max(...opened.result.map((r) => r.ms));
  log(`scale idle: ${booted} booted in ${(openMs / 1000).toFixed(1)} s (load generators ${opened.cores.loadgens!.toFixed(2)} cores)`);
  const idleCpu = await measureCores({ loadgens: genPids }, () => sleep(8000));
  const after = await steadyRss(c.workerPids());
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const perStationKB = (sum(after) - sum(before)) / Math.max(1, booted);
  log(`scale idle: RSS ${sum(before)} → ${sum(after)} kB: ${perStationKB.toFixed(1)} KB per station`);
  const idle = {
    booted,
    failed: opened.result.reduce((a, r) => a + r.failed, 0),
    openMs,
    rssBeforeKB: sum(before),
    rssAfterKB: sum(after),
    perStationKB,
    perProcessKB: after,
    loadgenCoresOpen: opened.cores.loadgens!,
    loadgenCoresIdle: idleCpu.cores.loadgens!,
    errors: Object.assign({}, ...opened.result.map((r) => r.errors)),
  };

  // 2. storm: a network drop, then everyone at once (BENCH_SCALE_STORM=0 skips it)
  let storm: ScaleResults['storm'];
  if (!S.storm) await gen.all({ cmd: 'close', group: 'scale', terminate: false }, 300_000);
  else {
    await gen.all({ cmd: 'close', group: 'scale', terminate: true }, 300_000);
    await sleep(5000);
    log(`scale storm: ${S.stations} stations reconnect and boot at once`);
    const stormRun = await measureCores({ loadgens: genPids, collectors: c.workerPids }, () =>
      gen.all<StormResult & { deferredHandshakes: number; pendingBoots: number }>(
        { cmd: 'storm', group: 'scale-storm', url: c.ocppUrl, prefix, first: 0, count: S.stations, localAddrs: addrs, timeoutMs: S.stormMs, maxAttempts: 5 },
        S.stormMs + 120_000,
      ),
    );
    const parts = stormRun.result;
    const hist = Histogram.merge(parts.map((r) => r.timeToBoot));
    storm = {
      stations: sum(parts.map((r) => r.stations)),
      booted: sum(parts.map((r) => r.booted)),
      failed: sum(parts.map((r) => r.failed)),
      retries: sum(parts.map((r) => r.retries)),
      deferredHandshakes: sum(parts.map((r) => r.deferredHandshakes ?? 0)),
      pendingBoots: sum(parts.map((r) => r.pendingBoots ?? 0)),
      ms: Math.max(...parts.map((r) => r.ms)),
      timeToBoot: hist.toJSON(),
      errors: Object.assign({}, ...parts.map((r) => r.errors)),
      p50: hist.quantile(0.5),
      p99: hist.quantile(0.99),
      loadgenCores: stormRun.cores.loadgens!,
      collectorCores: stormRun.cores.collectors!,
    };
    log(`scale storm: ${storm.booted}/${storm.stations} booted in ${(storm.ms / 1000).toFixed(1)} s; errors ${JSON.stringify(storm.errors)}; 503s ${storm.deferredHandshakes}, Pending ${storm.pendingBoots}`);
    await gen.all({ cmd: 'close', group: 'scale-storm', terminate: false }, 300_000);
  }
  await c.stop();

  // 3. throughput by process count
  const redis = new Redis(svc.redis.url, { maxRetriesPerRequest: 2 });
  const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
  const steps: ScaleStep[] = [];
  try {
    for (const n of S.steps) {
      const m = await startMulti(`tp${n}`, n, dir, svc.redis, svc.influx, runId);
      const group = `tp${n}`;
      await gen.all({ cmd: 'prepare', group, url: m.ocppUrl, prefix: `cwb-${runId}-T${n}-`, first: 0, count: S.connections, localAddrs: addrs, concurrency: 64, timeoutMs: 30_000 }, 120_000);
      const [r0, p0] = [await commands(), await influxPointReq(svc.influx.url)];
      const run = await measureCores({ collectors: m.workerPids, redis: () => [svc.redis.process.child.pid!], influxdb: () => [svc.influx.process.child.pid!], loadgens: genPids }, () =>
        gen.all<ThroughputResult>({ cmd: 'throughput', group, warmupMs: 0, durationMs: S.throughputMs }, S.throughputMs + 60_000),
      );
      const [r1, p1] = [await commands(), await influxPointReq(svc.influx.url)];
      const step: ScaleStep = {
        processes: n,
        rate: sum(run.result.map((r) => r.inWindow)) / (S.throughputMs / 1000),
        refused: sum(run.result.map((r) => r.refused)),
        redisOpsPerSec: (r1 - r0) / run.secs,
        influxPointsPerSec: (p1 - p0) / run.secs,
        cores: { collectors: run.cores.collectors!, redis: run.cores.redis!, influxdb: run.cores.influxdb!, loadgens: run.cores.loadgens!, machine: run.cores.machine! },
      };
      steps.push(step);
      log(`scale throughput, ${n} process(es): ${step.rate.toFixed(0)} msg/s; Redis ${step.redisOpsPerSec.toFixed(0)} cmd/s; InfluxDB ${step.influxPointsPerSec.toFixed(0)} points/s; cores ${JSON.stringify(step.cores)}`);
      await gen.all({ cmd: 'close', group, terminate: false }, 60_000);
      await m.stop();
    }
  } finally {
    await redis.quit().catch(() => undefined);
  }
  for (const ch of children) await ch.stop();
  return { settings: S, loadgens: nGen, idle, storm, steps };
}
