/**
 * The part of docs/benchmarks.md that compares the two InfluxDB writer placements (INFLUX_WRITER) of
 * the "every sink live" scenario: a side-by-side table and a paragraph reading it. The paragraph is
 * written from the figures, so every run's report says what that run measured.
 */
import type { Correctness } from './drain';
import { OTHER_CPU, type LoadResults } from './load';
import { P, TARGETS } from './setup';

export interface PlacementFigures {
  load: LoadResults;
  correctness: Correctness;
  /** Throughput against bare ocpp-rpc in the same run. */
  ratio: number;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const cores = (p: PlacementFigures, proc: string) => p.load.cores[proc] ?? NaN;

/** CPU time a process spent per answered call in the closed loop, µs. */
export function cpuPerCallUs(p: PlacementFigures, proc: string): number {
  return (cores(p, proc) * 1e6) / p.load.throughput.rate;
}

/** The bare server's label in `cores` (main.ts). */
export const BARE_SERVER = 'ocpp-rpc server';

/**
 * Bare server's CPU per call ÷ the collector's, closed loop: the throughput ratio the collector would
 * reach if each had a core of its own. On a shared machine the measured ratio also carries how much of
 * the cores the collector got; this one carries only the work per call.
 */
export function cpuBoundRatio(bare: LoadResults, p: PlacementFigures): number {
  const bareUs = ((bare.cores[BARE_SERVER] ?? NaN) * 1e6) / bare.throughput.rate;
  return bareUs / cpuPerCallUs(p, 'collector');
}

const pct = (a: number, b: number) => (100 * (a - b)) / b;

function change(x: number, y: number, more: string, less: string): string {
  const d = pct(y, x);
  if (!Number.isFinite(d)) return 'n/a';
  if (Math.abs(d) < 2) return `about the same (${d >= 0 ? '+' : ''}${fmt(d, 1)} %)`;
  return `${fmt(Math.abs(d), 0)} % ${d > 0 ? more : less}`;
}

type Row = [string, string, string, string];
const pf = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
const ENERGY = 'Energy.Active.Import.Register';

/** The target of figures 5 and 5′: calls in doubt (no answer when the phase ended) may have been stored too. */
export const COUNT_TARGET = 'equal (all measurands; + calls in doubt)';

/** Acked → stored energy samples; the calls in doubt are named when they made a difference. */
export function countCell(k: Correctness): string {
  const acked = k.acked[ENERGY] ?? 0;
  const stored = k.stored[ENERGY] ?? 0;
  return acked === stored ? `${fmt(acked)} = ${fmt(stored)}` : `${fmt(acked)} → ${fmt(stored)} (${fmt(k.inDoubt)} calls in doubt)`;
}

/** The (b′) rows of the figures table, each placed after its (b) counterpart; none without (b′). */
export function workerRows(w: PlacementFigures | undefined, after: 'throughput' | 'ratio' | 'latency' | 'correctness'): Row[] {
  if (!w) return [];
  const l = w.load;
  switch (after) {
    case 'throughput':
      return [[`(b′) same with INFLUX_WRITER=worker (+ worker process), ${fmt(P.connections)} conns`, `${fmt(l.throughput.rate)} msg/s`, 'reference', '']];
    case 'ratio':
      return [['1′. throughput ratio b′/a', fmt(w.ratio, 2), '≥ 0.5', pf(w.ratio >= TARGETS.ratio)]];
    case 'latency':
      return [[`2′. (b′) latency at ${fmt(l.paced.offered)} msg/s offered${P.pacedRate === undefined ? ` (${TARGETS.pacedFraction} × a)` : ''}, p50 / p99`, `${fmt(l.paced.p50, 2)} / ${fmt(l.paced.p99, 2)} ms`, 'p99 < 50 ms', pf(l.paced.p99 < TARGETS.p99Ms)]];
    case 'correctness': {
      const k = w.correctness;
      return [['5′. (b′) acked energy samples = InfluxDB count', countCell(k), COUNT_TARGET, pf(k.ok)]];
    }
  }
}

/** The side-by-side table: (b) INFLUX_WRITER=collector, (b′) INFLUX_WRITER=worker. */
export function placementTable(c: PlacementFigures, w: PlacementFigures): string[] {
  const both = (f: (p: PlacementFigures) => string): string => `${f(c)} | ${f(w)}`;
  const core = (proc: string) => (p: PlacementFigures) => (p.load.cores[proc] === undefined ? '—' : fmt(p.load.cores[proc]!, 2));
  const drain = (p: PlacementFigures) => `${fmt(p.correctness.waitedMs / 1000, 1)} s${p.correctness.ok ? '' : ` (${p.correctness.outcome}, **FAIL**)`}`;
  return [
    `| every sink live, ${fmt(P.connections)} conns | (b) INFLUX_WRITER=collector | (b′) INFLUX_WRITER=worker |`,
    '|---|---|---|',
    `| closed-loop throughput | ${both((p) => `${fmt(p.load.throughput.rate)} msg/s`)} |`,
    `| ratio against bare ocpp-rpc (a), same run | ${both((p) => fmt(p.ratio, 2))} |`,
    `| closed-loop latency p50 / p99 | ${both((p) => `${fmt(p.load.throughput.p50, 2)} / ${fmt(p.load.throughput.p99, 2)} ms`)} |`,
    `| latency at ${fmt(c.load.paced.offered)} msg/s offered, p50 / p99 (answered rate) | ${both((p) => `${fmt(p.load.paced.p50, 2)} / ${fmt(p.load.paced.p99, 2)} ms (${fmt(p.load.paced.achieved)} msg/s)`)} |`,
    `| collector CPU, cores (µs per call) | ${both((p) => `${core('collector')(p)} (${fmt(cpuPerCallUs(p, 'collector'))} µs)`)} |`,
    `| worker CPU, cores (µs per call) | ${both((p) => (p.load.cores.worker === undefined ? '—' : `${core('worker')(p)} (${fmt(cpuPerCallUs(p, 'worker'))} µs)`))} |`,
    `| influxd / redis-server CPU, cores | ${both((p) => `${core('influxd')(p)} / ${core('redis-server')(p)}`)} |`,
    `| ${OTHER_CPU} (not the benchmark), cores | ${both(core(OTHER_CPU))} |`,
    `| journal entries the \`influx\` group had not handled when the load stopped | ${both((p) => (p.correctness.lagAtStop === undefined ? 'n/a' : fmt(p.correctness.lagAtStop)))} |`,
    `| InfluxDB complete after the load stopped | ${both(drain)} |`,
    `| acked samples = InfluxDB count (all measurands) | ${both((p) => (p.correctness.ok ? 'pass' : '**FAIL**'))} |`,
  ];
}

function drained(p: PlacementFigures, short = false): string {
  const t = `${fmt(p.correctness.waitedMs / 1000, 1)} s`;
  if (p.correctness.ok) return short ? t : `InfluxDB held every acknowledged sample ${t} later`;
  return short ? `incomplete after ${t}` : `InfluxDB was still incomplete when the wait ended after ${t}`;
}

/** Cores every measured process and the rest of the machine used together in a placement's closed loop. */
export function machineCores(p: PlacementFigures): number {
  return Object.values(p.load.cores).reduce((a, b) => a + b, 0);
}

/** What the two columns say, from this run's figures, on a machine of `machineCoreCount` cores. */
export function placementSummary(c: PlacementFigures, w: PlacementFigures, machineCoreCount: number): string {
  const usC = cpuPerCallUs(c, 'collector');
  const usW = cpuPerCallUs(w, 'collector');
  const workerUs = cpuPerCallUs(w, 'worker');
  const freer = usW < usC;
  const s: string[] = [];
  s.push(
    `With the writer in the worker (b′) the collector spent ${fmt(usW)} µs of CPU per answered call against ${fmt(usC)} µs with the writer in-process (b): ` +
      (freer
        ? `${fmt(Math.abs(pct(usW, usC)))} % less, so INFLUX_WRITER=worker leaves the collector's event loop freer for protocol work.`
        : `no saving in this run, so moving the writer did not free the collector's event loop here.`),
  );
  s.push(
    `Throughput was ${change(c.load.throughput.rate, w.load.throughput.rate, 'higher', 'lower')} (ratio ${fmt(c.ratio, 2)} → ${fmt(w.ratio, 2)} against bare ocpp-rpc), ` +
      `and the paced p99 went from ${fmt(c.load.paced.p99, 2)} to ${fmt(w.load.paced.p99, 2)} ms.`,
  );
  const total = usW + workerUs;
  s.push(
    `The cost: a second process that used ${fmt(cores(w, 'worker'), 2)} cores (${fmt(workerUs)} µs per call; collector and worker together ${fmt(total)} µs per call, ${change(usC, total, 'more', 'less')} than the collector alone), ` +
      `on this ${machineCoreCount}-core machine competing with the collector, the load generator and InfluxDB; ` +
      `and a further hop before data is queryable: when the load stopped the \`influx\` group was ${w.correctness.lagAtStop === undefined ? 'n/a' : fmt(w.correctness.lagAtStop)} journal entries behind (${c.correctness.lagAtStop === undefined ? 'n/a' : fmt(c.correctness.lagAtStop)} in-process), ` +
      `and ${drained(w)} (${drained(c, true)} in-process).`,
  );
  const busy = machineCores(w);
  if (cores(w, 'collector') < 0.9 && busy >= 0.9 * machineCoreCount) {
    s.push(
      `In (b′) the collector used less than one core (${fmt(cores(w, 'collector'), 2)}) while the machine was busy (${fmt(busy, 2)} of ${machineCoreCount} cores with everything else): the closed loop was bound by the shared cores, not by the collector's event loop, so where the worker has cores of its own the gap would likely be wider.`,
    );
  }
  const otherC = cores(c, OTHER_CPU);
  const otherW = cores(w, OTHER_CPU);
  if (Math.abs(otherW - otherC) >= 0.15) {
    s.push(
      `Other work on the machine differed between the two runs (${fmt(otherC, 2)} → ${fmt(otherW, 2)} cores outside the benchmark), so the throughput and latency comparison is less sure in this run than the CPU per call.`,
    );
  }
  if (!w.correctness.ok) s.push(`**InfluxDB did not hold every acknowledged sample of (b′) in this run (${w.correctness.outcome}).**`);
  return s.join(' ');
}
