/**
 * Load generators: the same generator drives both servers; work is split over `P.loadgens` processes.
 * runLoad measures one server: closed-loop throughput, then latency at a paced rate.
 */
import { readFileSync } from 'node:fs';
import { Histogram, type HistogramData } from './histogram';
import type { BenchChild } from './ipc';
import { P, log, sleep } from './setup';

export type Hist = { buckets: HistogramData; count: number; max: number };
export interface ThroughputResult { connections: number; inWindow: number; windowMs: number; acked: number; refused: number; lost: number; unanswered: number; latency: Hist }
export interface PacedResult { connections: number; sent: number; acked: number; refused: number; late: number; unanswered: number; durationMs: number; elapsedMs: number; fromDue: Hist; fromSend: Hist }
export interface PrepareResult { booted: number; failed: number; ms: number; errors: Record<string, number> }
export interface StormResult { stations: number; booted: number; failed: number; retries: number; ms: number; timeToBoot: Hist; errors: Record<string, number> }

export class Generators {
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

export interface LoadResults {
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

/** CPU seconds the whole machine has been busy (user, nice, system, irq, softirq, steal), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / 100;
  } catch {
    return NaN;
  }
}

/** The row of `cores` for CPU the machine spent outside the measured processes and this orchestrator. */
export const OTHER_CPU = 'other processes on the machine';

/**
 * Cores each process used during `run` (the machine has os.cpus().length of them), plus OTHER_CPU: work
 * on the machine that is not the benchmark's (other jobs share these cores), so a reader can tell a slow
 * phase from a busy machine.
 */
async function coresUsed<T>(pids: Record<string, number>, run: () => Promise<T>): Promise<{ result: T; cores: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const busy0 = machineBusySeconds();
  const self0 = process.cpuUsage();
  const t0 = Date.now();
  const result = await run();
  const secs = (Date.now() - t0) / 1000;
  const cores = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (cpuSeconds(pid) - before[k]!) / secs]));
  const self = process.cpuUsage(self0);
  const ours = Object.values(cores).reduce((a, b) => a + b, 0) + (self.user + self.system) / 1e6 / secs;
  const other = (machineBusySeconds() - busy0) / secs - ours;
  if (Object.keys(pids).length && Number.isFinite(other)) cores[OTHER_CPU] = Math.max(0, other);
  return { result, cores };
}

export async function runLoad(gen: Generators, url: string, prefix: string, label: string, pids: Record<string, number> = {}): Promise<LoadResults> {
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
