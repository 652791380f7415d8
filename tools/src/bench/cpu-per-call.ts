/**
 * CPU per answered call, for before/after comparisons of the collector's hot path on a shared machine:
 * `node tools/dist/bench/cpu-per-call.js` (after `npm run build`).
 *
 * Wall-clock throughput on two cores shared with other jobs moves by ±40 % between runs; CPU seconds a
 * process spends per call at a fixed offered rate below its capacity move far less, because the work
 * per call does not depend on how long the process waited for a core. The bare ocpp-rpc server is
 * measured the same way in alternating rounds, so "collector µs / bare µs" also cancels a slower machine.
 *
 * Knobs: CPC_RATE (2000 msg/s), CPC_MS (10 s per round), CPC_ROUNDS (3), CPC_CONNECTIONS (100),
 * CPC_WRITER (worker: the collector only appends to the journal, as in docker-compose.yml),
 * CPC_PROFILE_DIR (set: the collector of the last round runs with --cpu-prof into that directory),
 * CPC_NODE_ARGS (node flags for this build's collector, not the baseline's: with CPC_BASELINE set to
 * this same build, a before/after of a flag such as --max-semi-space-size),
 * CPC_BASELINE (another build's cli/bin/chargewatch.js, e.g. a `git archive` of the commit before a
 * change built in /tmp: measured in the same rounds, in alternating order, for a before/after).
 * Each collector round also reports the Redis commands it caused per call, by command (INFO
 * commandstats over the measured window).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfluxDB, startPrometheus, startRedis } from '../devstack/services';
import { startCollectorChild } from './collector-child';
import { BenchChild } from './ipc';
import { Generators, cpuSeconds, type PacedResult, type PrepareResult } from './load';
import { topSelfTime } from './profile';
import { RedisCommandCounter } from './redis-commands';
import { ROOT, cleanupAll, cleanups, log } from './setup';

const env = process.env;
const RATE = Number(env.CPC_RATE ?? 2000);
const MS = Number(env.CPC_MS ?? 10_000);
const ROUNDS = Number(env.CPC_ROUNDS ?? 3);
const CONNECTIONS = Number(env.CPC_CONNECTIONS ?? 100);
const WRITER = env.CPC_WRITER === 'collector' ? 'collector' : 'worker';
const NODE_ARGS = (env.CPC_NODE_ARGS ?? '').split(' ').filter(Boolean);
const localAddrs = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`);


/** Boots the connections, warms the server up at the rate, then measures CPU over one paced window. */
async function measure(gen: Generators, group: string, url: string, prefix: string, pid: number, redisCommands?: RedisCommandCounter): Promise<{ usPerCall: number; calls: number; p99: number; redisPerCall?: string }> {
  const prep = await gen.all<PrepareResult>({ cmd: 'prepare', group, url, prefix, first: 0, count: CONNECTIONS, localAddrs, concurrency: 100, timeoutMs: 15_000 }, 60_000);
  if (prep.some((p) => p.failed)) throw new Error(`${group}: connections failed ${JSON.stringify(prep.map((p) => p.errors))}`);
  await gen.all<PacedResult>({ cmd: 'paced', group, rate: RATE, warmupMs: 0, durationMs: 3000 }, 60_000);
  const c0 = cpuSeconds(pid);
  const before = await redisCommands?.read();
  const r = await gen.all<PacedResult>({ cmd: 'paced', group, rate: RATE, warmupMs: 0, durationMs: MS }, MS + 60_000);
  const cpu = cpuSeconds(pid) - c0;
  const after = await redisCommands?.read();
  await gen.all({ cmd: 'close', group, terminate: false }, 60_000);
  const calls = r.reduce((a, x) => a + x.acked + x.refused, 0);
  const refused = r.reduce((a, x) => a + x.refused, 0);
  if (refused) throw new Error(`${group}: ${refused} calls refused`);
  const { Histogram } = await import('./histogram');
  const p99 = Histogram.merge(r.map((x) => x.fromDue)).quantile(0.99);
  const redisPerCall = before && after ? RedisCommandCounter.perCall(before, after, calls) : undefined;
  return { usPerCall: (cpu * 1e6) / calls, calls, p99, ...(redisPerCall ? { redisPerCall } : {}) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-cpc-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const runId = Math.random().toString(16).slice(2, 8);
  const [redis, influx, prometheus] = await Promise.all([startRedis(dir, { appendOnly: true, fsync: 'always' }), startInfluxDB(dir), startPrometheus(dir, { scrapeIntervalSec: 1 })]);
  cleanups.push(() => redis.stop(), () => influx.stop(), () => prometheus.stop());
  const svc = { redis, influx, prometheus };
  const g = new BenchChild('loadgen-0', join(__dirname, 'loadgen.js'));
  cleanups.push(() => g.stop());
  const gen = new Generators([g]);
  const bareChild = new BenchChild('bare-server', join(__dirname, 'bare-server.js'));
  cleanups.push(() => bareChild.stop());
  const bare = await bareChild.request<{ port: number }>({ cmd: 'start' }, 10_000);
  const redisCommands = new RedisCommandCounter(redis.url);
  cleanups.push(() => redisCommands.close());
  const rows: Array<{ round: number; bare: number; collector: number; baseline?: number; p99: number }> = [];
  const collectorRun = async (name: string, bin: string | undefined, profile: boolean) => {
    const nodeArgs = [...(bin ? [] : NODE_ARGS), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${env.CPC_PROFILE_DIR}`] : [])];
    const c = await startCollectorChild(name, dir, svc, runId, { influxWriter: WRITER, ...(bin ? { bin } : {}), ...(nodeArgs.length ? { nodeArgs } : {}) });
    try {
      return await measure(gen, name, c.ocppUrl, `cpc-${runId}-${name}-`, c.proc.child.pid!, redisCommands);
    } finally {
      await c.stop();
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    const b = await measure(gen, `bare${round}`, `ws://127.0.0.1:${bare.port}/ocpp`, `bare-${runId}-${round}-`, bareChild.pid);
    const last = round === ROUNDS - 1 && !!env.CPC_PROFILE_DIR;
    // With a baseline the two builds alternate which goes first, so a change in the machine's load
    // falls on both alike.
    const base = env.CPC_BASELINE && round % 2 === 1 ? await collectorRun(`base${round}`, env.CPC_BASELINE, false) : undefined;
    const m = await collectorRun(`cpc${round}`, undefined, last);
    const base2 = env.CPC_BASELINE && round % 2 === 0 ? await collectorRun(`base${round}`, env.CPC_BASELINE, false) : undefined;
    const baseline = (base ?? base2)?.usPerCall;
    rows.push({ round, bare: b.usPerCall, collector: m.usPerCall, p99: m.p99, ...(baseline !== undefined ? { baseline } : {}) });
    log(`round ${round + 1}: bare ${b.usPerCall.toFixed(1)} µs/call, collector ${m.usPerCall.toFixed(1)} µs/call (${m.calls} calls, p99 ${m.p99.toFixed(1)} ms; Redis commands per call ${m.redisPerCall ?? '?'})${baseline !== undefined ? `, baseline build ${baseline.toFixed(1)} µs/call` : ''}${last ? ' [profiled]' : ''}`);
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const unprofiled = env.CPC_PROFILE_DIR && rows.length > 1 ? rows.slice(0, -1) : rows;
  const bm = med(unprofiled.map((r) => r.bare));
  const cm = med(unprofiled.map((r) => r.collector));
  process.stdout.write(`\nINFLUX_WRITER=${WRITER}, ${RATE} msg/s, ${CONNECTIONS} connections, ${MS / 1000} s × ${unprofiled.length} round(s): median bare ${bm.toFixed(1)} µs/call, collector ${cm.toFixed(1)} µs/call, ratio ${(cm / bm).toFixed(2)}${env.CPC_BASELINE ? `; baseline build ${med(rows.map((r) => r.baseline!)).toFixed(1)} µs/call (all rounds; per round collector/baseline ${rows.map((r) => (r.collector / r.baseline!).toFixed(2)).join(', ')})` : ''}\n`);
  if (env.CPC_PROFILE_DIR) {
    const file = readdirSync(env.CPC_PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
    if (file) {
      const top = topSelfTime(JSON.parse(readFileSync(join(env.CPC_PROFILE_DIR, file), 'utf8')), 30, ROOT);
      process.stdout.write(`\nprofile ${file}:\n${top.map((e) => `${e.selfPct.toFixed(1).padStart(5)} %  ${e.functionName}  ${e.location}`).join('\n')}\n`);
    }
  }
}

main()
  .catch((err) => {
    process.stderr.write(`cpu-per-call failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
