/**
 * Load generators: the same generator drives both servers; work is split over `P.loadgens` processes.
 * runLoads measures the servers under test, interleaved: closed-loop throughput, then latency at a paced rate.
 */
import { readFileSync } from 'node:fs';
import { Histogram, type HistogramData } from './histogram';
import type { BenchChild } from './ipc';
import { P, TARGETS, log, sleep } from './setup';

export type Hist = { buckets: HistogramData; count: number; max: number };
export interface ThroughputResult { connections: number; inWindow: number; windowMs: number; acked: number; refused: number; lost: number; unanswered: number; latency: Hist }
export interface PacedResult { connections: number; sent: number; acked: number; refused: number; late: number; unanswered: number; durationMs: number; elapsedMs: number; fromDue: Hist; fromSend: Hist }
export interface PrepareResult { booted: number; failed: number; ms: number; errors: Record<string, number> }
export interface StormResult { stations: number; booted: number; failed: number; retries: number; ms: number; timeToBoot: Hist; errors: Record<string, number>; deferredHandshakes?: number; pendingBoots?: number }

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

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms); NaN once it is gone. */
export function cpuSeconds(pid: number): number {
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

/** One server under test in an interleaved run: its connections, and the processes whose CPU is read. */
export interface LoadTarget {
  label: string;
  url: string;
  /** Station ids `${prefix}${n}`, distinct per target. */
  prefix: string;
  pids: Record<string, number>;
  /** Runs right after the target's last slice, before the next target's (e.g. the wait for its sinks). */
  afterLast?: (r: LoadResults) => Promise<void>;
}

/** `totalMs` in `n` slices of whole milliseconds; the remainder goes to the last. */
export function sliceWindows(totalMs: number, n: number): number[] {
  const k = Math.max(1, Math.floor(n));
  const each = Math.floor(totalMs / k);
  return Array.from({ length: k }, (_, i) => (i === k - 1 ? totalMs - each * (k - 1) : each));
}

/** The order of the targets in round `round`: forwards, then backwards, so no target is always first after a pause. */
export function roundOrder<T>(targets: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...targets] : [...targets].reverse();
}

/** Time-weighted mean of per-slice core figures: total CPU seconds over total seconds. */
export function combineCores(parts: Array<{ cores: Record<string, number>; secs: number }>): Record<string, number> {
  const secs = parts.reduce((a, p) => a + p.secs, 0);
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.cores)) out[k] = (out[k] ?? 0) + (v * p.secs) / secs;
  return out;
}

/** Closed-loop and paced slices of one target, summed into the figures of one continuous run. */
export function combineLoad(tp: ThroughputResult[], pc: PacedResult[], cores: Record<string, number>, pacedElapsedMs: number, offered = P.pacedRate ?? NaN): LoadResults {
  const tpLat = Histogram.merge(tp.map((r) => r.latency));
  const windowMs = tp.reduce((a, r) => a + r.windowMs, 0) / Math.max(1, P.loadgens);
  const sum = (k: 'acked' | 'refused' | 'lost' | 'unanswered') => tp.reduce((a, r) => a + r[k], 0);
  const due = Histogram.merge(pc.map((r) => r.fromDue));
  const snd = Histogram.merge(pc.map((r) => r.fromSend));
  const pacedAcked = pc.reduce((a, r) => a + r.acked, 0);
  return {
    cores,
    throughput: { rate: tp.reduce((a, r) => a + r.inWindow, 0) / (windowMs / 1000), p50: tpLat.quantile(0.5), p99: tpLat.quantile(0.99), acked: sum('acked'), refused: sum('refused'), lost: sum('lost'), unanswered: sum('unanswered') },
    paced: {
      offered,
      achieved: pacedAcked / (pacedElapsedMs / 1000),
      p50: due.quantile(0.5),
      p99: due.quantile(0.99),
      p999: due.quantile(0.999),
      max: due.max,
      sendP99: snd.quantile(0.99),
      late: pc.reduce((a, r) => a + r.late, 0),
      refused: pc.reduce((a, r) => a + r.refused, 0),
      acked: pacedAcked,
    },
    ackedMeter: sum('acked') + pacedAcked,
    inDoubt: sum('unanswered') + sum('lost') + pc.reduce((a, r) => a + r.unanswered, 0),
  };
}

/** The paced phase's offered rate: BENCH_PACED_RATE when set, else TARGETS.pacedFraction × the bare throughput (whole msg/s, at least 1). */
export function pacedRateFor(bareRate: number): number {
  return P.pacedRate ?? Math.max(1, Math.round(TARGETS.pacedFraction * bareRate));
}

/**
 * Measures every target with the same generator, interleaved: the closed loop and then the paced phase
 * each run in P.slices slices, target after target, so load that other work puts on the machine falls
 * on all of them alike rather than on whichever ran while it lasted. A single slice is one continuous
 * run per target.
 */
export async function runLoads(gen: Generators, targets: LoadTarget[]): Promise<LoadResults[]> {
  const groups = targets.map((t) => `${t.label}-load`);
  for (const [i, t] of targets.entries()) {
    const prep = await gen.all<PrepareResult>({ cmd: 'prepare', group: groups[i], url: t.url, prefix: t.prefix, first: 0, count: P.connections, localAddrs: P.localAddrs, concurrency: 100, timeoutMs: 15_000 }, 60_000);
    const failed = prep.reduce((a, r) => a + r.failed, 0);
    if (failed) throw new Error(`${t.label}: ${failed} of ${P.connections} connections failed to boot: ${JSON.stringify(prep.map((r) => r.errors))}`);
  }
  const tpWindows = sliceWindows(P.throughputMs, P.slices);
  const pcWindows = sliceWindows(P.pacedMs, P.slices);
  const idx = targets.map((_, i) => i);
  const tp = targets.map(() => [] as ThroughputResult[]);
  const coreParts = targets.map(() => [] as Array<{ cores: Record<string, number>; secs: number }>);
  log(`${targets.map((t) => t.label).join(', ')}: ${P.connections} connections each; closed loop in ${tpWindows.length} slice(s) of ${tpWindows[0]! / 1000} s, target after target`);
  for (const [round, windowMs] of tpWindows.entries()) {
    for (const i of roundOrder(idx, round)) {
      // The first slice warms the server up; later ones only refill the pipe.
      const warmupMs = round === 0 ? P.warmupMs : Math.min(1000, P.warmupMs);
      const t0 = Date.now();
      const { result, cores } = await coresUsed(targets[i]!.pids, () =>
        gen.all<ThroughputResult>({ cmd: 'throughput', group: groups[i], warmupMs, durationMs: windowMs }, warmupMs + windowMs + 30_000),
      );
      coreParts[i]!.push({ cores, secs: (Date.now() - t0) / 1000 });
      tp[i]!.push(...result);
    }
  }
  for (const [i, t] of targets.entries()) {
    const cores = combineCores(coreParts[i]!);
    const rate = tp[i]!.reduce((a, r) => a + r.inWindow, 0) / (P.throughputMs / 1000);
    log(`${t.label}: ${Math.round(rate)} msg/s; cores: ${Object.entries(cores).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  await sleep(1000);
  // Target 2 is set against the bare server (the first target) measured a moment ago, not a fixed rate, so
  // it means the same on a fast machine and on a slow one.
  const bareRate = tp[0]!.reduce((a, r) => a + r.inWindow, 0) / (P.throughputMs / 1000);
  const pacedRate = pacedRateFor(bareRate);
  log(`paced ${pacedRate} msg/s${P.pacedRate === undefined ? ` (${TARGETS.pacedFraction} × ${targets[0]!.label} ${Math.round(bareRate)} msg/s)` : ''} in ${pcWindows.length} slice(s) of 1+${pcWindows[0]! / 1000} s, target after target`);
  const pc = targets.map(() => [] as PacedResult[]);
  const pcElapsed = targets.map(() => 0);
  const results: LoadResults[] = new Array(targets.length);
  for (const [round, windowMs] of pcWindows.entries()) {
    for (const i of roundOrder(idx, round)) {
      const part = await gen.all<PacedResult>({ cmd: 'paced', group: groups[i], rate: pacedRate, warmupMs: 1000, durationMs: windowMs }, windowMs + 60_000);
      pc[i]!.push(...part);
      pcElapsed[i]! += Math.max(...part.map((r) => r.elapsedMs));
      if (round < pcWindows.length - 1) continue;
      const t = targets[i]!;
      await gen.all({ cmd: 'close', group: groups[i], terminate: false }, 60_000);
      const r = (results[i] = combineLoad(tp[i]!, pc[i]!, combineCores(coreParts[i]!), pcElapsed[i]!, pacedRate));
      log(`${t.label}: closed loop p50 ${r.throughput.p50.toFixed(2)} ms, p99 ${r.throughput.p99.toFixed(2)} ms; paced p50 ${r.paced.p50.toFixed(2)} ms, p99 ${r.paced.p99.toFixed(2)} ms, max ${r.paced.max.toFixed(1)} ms, achieved ${Math.round(r.paced.achieved)} msg/s`);
      await t.afterLast?.(r);
    }
  }
  return results;
}
