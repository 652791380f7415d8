/**
 * `node tools/dist/bench/idle-main.js`: target 3 alone. RSS per idle connection (10,000 by default,
 * BENCH_IDLE_CONNECTIONS) on the bare ocpp-rpc server and on the collector in the same run, in rounds
 * that alternate the order, with the memory split (mem-probe.ts: heap used, external, array buffers, rest
 * of RSS) before and after a forced GC. IDLE_BIN replaces this build; IDLE_BASELINE=<other build>/cli/bin/chargewatch.js adds a second
 * collector build (a `git archive` built in /tmp) to every round; IDLE_NODE_ARGS / IDLE_BASELINE_NODE_ARGS
 * and IDLE_ENV / IDLE_BASELINE_ENV (JSON) set node flags and settings per build, so IDLE_BASELINE may be
 * this build with other flags. IDLE_SNAPSHOT_DIR writes heap snapshots (heap-summary.ts compares them);
 * IDLE_STORM=1 then runs the whole idle + reconnect-storm scenario of `npm run bench` (idle-storm.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startInfluxDB, startPrometheus, startRedis, type PrometheusService, type Service } from '../devstack/services';
import { startCollectorChild, steadyRssKB } from './collector-child';
import { runIdleStorm } from './idle-storm';
import { BenchChild } from './ipc';
import { Generators, cpuSeconds, type PrepareResult } from './load';
import { MEM_PROBE_NODE_ARGS, readMemProbe, type Probe, type ProbeReading } from './mem-probe-read';
import { P, cleanupAll, cleanups, loadavgNow, log, sleep } from './setup';

const N = P.idleConnections > 0 ? P.idleConnections : 10_000;
const ROUNDS = Number(process.env.IDLE_ROUNDS ?? 2);
/** IDLE_SETTLE_MS: a further RSS reading this long after the first, before any forced GC (V8's memory reducer). */
const SETTLE_MS = Number(process.env.IDLE_SETTLE_MS ?? 0);

/** One server's idle figures: steady RSS (median of 5, kB) without and after a forced GC, and the probes. */
interface Sample {
  label: string;
  round: number;
  booted: number;
  openMs: number;
  /** CPU seconds of the server while the stations opened, and in the 4 s idle after. */
  cpu: { open: number; idle: number };
  rssKB: { before: number; after: number; settled?: number; beforeGc: number; afterGc: number };
  probe: { before: Probe; after: Probe };
  loadavg: string;
}

const probeArgs = MEM_PROBE_NODE_ARGS;
const splitArgs = (s: string | undefined) => (s ? s.split(/\s+/).filter(Boolean) : []);
const jsonEnv = (s: string | undefined): NodeJS.ProcessEnv => (s ? JSON.parse(s) : {});

/** Opens N idle stations on `url` from the generators and takes the readings of `pid` around it. */
async function measure(gen: Generators, label: string, round: number, pid: number, url: string, probeOut: string, runId: string): Promise<Sample> {
  await sleep(3000);
  const before = await steadyRssKB(pid);
  const probeBefore = await readMemProbe(pid, probeOut);
  const beforeGc = await steadyRssKB(pid);
  const group = `idle-${label}-${round}`;
  const cpu0 = cpuSeconds(pid);
  const parts = await gen.all<PrepareResult>(
    { cmd: 'prepare', group, url, prefix: `cwi-${runId}-${label}-${round}-`, first: 0, count: N, localAddrs: P.localAddrs, concurrency: 256, timeoutMs: 30_000 },
    240_000,
  );
  const booted = parts.reduce((a, r) => a + r.booted, 0);
  const openMs = Math.max(...parts.map((r) => r.ms));
  const cpu1 = cpuSeconds(pid);
  await sleep(4000);
  const cpu = { open: cpu1 - cpu0, idle: cpuSeconds(pid) - cpu1 };
  const after = await steadyRssKB(pid);
  const settled = SETTLE_MS > 0 ? await sleep(SETTLE_MS).then(() => steadyRssKB(pid)) : undefined;
  const probeAfter = await readMemProbe(pid, probeOut);
  const afterGc = await steadyRssKB(pid);
  await gen.all({ cmd: 'close', group, terminate: true }, 60_000);
  const s: Sample = { label, round, booted, openMs, cpu, rssKB: { before, after, settled, beforeGc, afterGc }, probe: { before: probeBefore, after: probeAfter }, loadavg: loadavgNow() };
  log(`${label} round ${round}: ${booted} booted in ${(openMs / 1000).toFixed(1)} s (CPU ${cpu.open.toFixed(1)} s, idle 4 s ${cpu.idle.toFixed(2)} s); ${fmt(perConn(s).rss)} KB/conn, ${fmt(perConn(s).rssGc)} KB after GC; load ${s.loadavg}`);
  return s;
}

/** Per connection, KB (1,024 bytes, as /proc reports): growth from before to after the stations. */
function perConn(s: Sample) {
  const n = Math.max(1, s.booted);
  const d = (f: (p: ProbeReading) => number) => (f(s.probe.after.after) - f(s.probe.before.after)) / 1024 / n;
  const dNoGc = (f: (p: ProbeReading) => number) => (f(s.probe.after.before) - f(s.probe.before.before)) / 1024 / n;
  const rest = (p: ProbeReading) => p.rss - p.heapTotal - p.external;
  return {
    rss: (s.rssKB.after - s.rssKB.before) / n,
    rssSettled: s.rssKB.settled === undefined ? NaN : (s.rssKB.settled - s.rssKB.before) / n,
    rssGc: (s.rssKB.afterGc - s.rssKB.beforeGc) / n,
    heapUsedNoGc: dNoGc((p) => p.heapUsed),
    heapTotalNoGc: dNoGc((p) => p.heapTotal),
    heapUsed: d((p) => p.heapUsed),
    heapTotal: d((p) => p.heapTotal),
    external: d((p) => p.external - p.arrayBuffers),
    arrayBuffers: d((p) => p.arrayBuffers),
    rest: d(rest),
    oldSpace: d((p) => p.spaces.old_space?.used ?? 0),
    newSpace: d((p) => p.spaces.new_space?.used ?? 0),
  };
}

const fmt = (x: number) => x.toFixed(1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function table(samples: Sample[]): string {
  const labels = [...new Set(samples.map((s) => s.label))];
  const cols = ['rss', 'rssSettled', 'rssGc', 'heapUsedNoGc', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'rest', 'oldSpace', 'newSpace'] as const;
  const head = `| server (median of ${ROUNDS} rounds, KB per connection) | RSS | RSS ${SETTLE_MS / 1000} s later | RSS after GC | heap used, no GC | heap used after GC | heap total | external (not array buffers) | array buffers | rest of RSS | old space used | new space used |`;
  const rows = labels.map((l) => {
    const mine = samples.filter((s) => s.label === l).map(perConn);
    return `| ${l} | ${cols.map((c) => fmt(median(mine.map((m) => m[c])))).join(' | ')} |`;
  });
  return [head, `|${' --- |'.repeat(cols.length + 1)}`, ...rows].join('\n');
}

async function startBare(probeOut: string): Promise<{ child: BenchChild; url: string }> {
  process.env.CW_MEM_PROBE_OUT = probeOut;
  const child = new BenchChild('bare-server', join(__dirname, 'bare-server.js'), probeArgs);
  delete process.env.CW_MEM_PROBE_OUT;
  cleanups.push(() => child.stop());
  const { port } = await child.request<{ port: number }>({ cmd: 'start' }, 10_000);
  return { child, url: `ws://127.0.0.1:${port}/ocpp` };
}

async function main(): Promise<void> {
  const runId = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'cw-idle-'));
  if (!process.env.BENCH_KEEP_DIR) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const fsync = process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always';
  const [redis, influx, prometheus] = await Promise.all([startRedis(dir, { appendOnly: true, fsync }), startInfluxDB(dir), startPrometheus(dir, { scrapeIntervalSec: 1 })]);
  cleanups.push(() => redis.stop(), () => influx.stop(), () => prometheus.stop());
  const svc: { redis: Service; influx: Service; prometheus: PrometheusService } = { redis, influx, prometheus };
  const gens = Array.from({ length: P.loadgens }, (_, i) => new BenchChild(`loadgen-${i}`, join(__dirname, 'loadgen.js')));
  for (const g of gens) cleanups.push(() => g.stop());
  const gen = new Generators(gens);
  await gen.all({ cmd: 'ping' }, 10_000);
  const snapshotDir = process.env.IDLE_SNAPSHOT_DIR;
  const probeEnv = (out: string): NodeJS.ProcessEnv => ({ CW_MEM_PROBE_OUT: out, ...(snapshotDir ? { CW_MEM_PROBE_SNAPSHOT: snapshotDir } : {}) });
  const builds = [
    { label: 'collector', bin: process.env.IDLE_BIN as string | undefined, nodeArgs: splitArgs(process.env.IDLE_NODE_ARGS), env: jsonEnv(process.env.IDLE_ENV) },
    ...(process.env.IDLE_BASELINE
      ? [{ label: 'baseline', bin: process.env.IDLE_BASELINE, nodeArgs: splitArgs(process.env.IDLE_BASELINE_NODE_ARGS), env: jsonEnv(process.env.IDLE_BASELINE_ENV) }]
      : []),
  ];
  log(`run ${runId}: ${N} idle connections, ${ROUNDS} rounds, bare + ${builds.map((b) => `${b.label} ${b.bin ?? '(this build)'} ${b.nodeArgs.join(' ')} ${JSON.stringify(b.env)}`).join(', ')}; load ${loadavgNow()}`);
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? builds : [...builds].reverse();
    const bareOut = join(dir, `probe-bare-${round}.json`);
    if (snapshotDir) process.env.CW_MEM_PROBE_SNAPSHOT = snapshotDir;
    const bare = await startBare(bareOut);
    delete process.env.CW_MEM_PROBE_SNAPSHOT;
    samples.push(await measure(gen, 'bare', round, bare.child.pid, bare.url, bareOut, runId));
    await bare.child.stop();
    for (const b of order) {
      const out = join(dir, `probe-${b.label}-${round}.json`);
      const c = await startCollectorChild(`idle${b.label}${round}`, dir, svc, runId, { bin: b.bin, nodeArgs: [...probeArgs, ...b.nodeArgs], env: { ...probeEnv(out), ...b.env } });
      samples.push(await measure(gen, b.label, round, c.proc.child.pid!, c.ocppUrl, out, runId));
      await c.stop();
    }
  }
  const report = table(samples);
  const outFile = process.env.BENCH_IDLE_OUT ?? join(tmpdir(), 'chargewatch-idle.json');
  writeFileSync(outFile, JSON.stringify({ runId, connections: N, builds, samples, perConnection: samples.map((s) => ({ label: s.label, round: s.round, ...perConn(s) })) }, null, 2));
  process.stdout.write(`\n${report}\n\nload average at the end: ${loadavgNow()}\n`);
  if (process.env.IDLE_STORM === '1') {
    for (const b of builds) {
      const r = await runIdleStorm(gen, dir, svc, runId, { name: `storm${b.label}`, bin: b.bin, nodeArgs: b.nodeArgs, env: b.env });
      const errors = JSON.stringify(r.storm.errors);
      process.stdout.write(`\n${b.label}, idle + storm (idle-storm.ts): ${fmt(r.idle.perConnKB)} KB per connection; storm ${r.storm.booted}/${r.storm.stations} booted in ${(r.storm.ms / 1000).toFixed(1)} s, p50 / p99 ${(r.storm.p50 / 1000).toFixed(2)} / ${(r.storm.p99 / 1000).toFixed(2)} s, retries ${r.storm.retries}, errors ${errors}; load ${loadavgNow()}\n`);
    }
  }
  log(`results: ${outFile}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanupAll().then(() => process.exit(130)));
main()
  .catch((err) => {
    process.stderr.write(`idle bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
