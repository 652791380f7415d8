/** Rendering of the InfluxDB outage scenario (outage.ts): rows for the main table and a section of docs/benchmarks.md. */
import { fmt } from './report-placements';
import { OUTAGE, OUTAGE_TARGET_MIN, type OutageResults } from './outage';

const pf = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

export function outageRows(o: OutageResults | undefined): Array<[string, string, string, string]> {
  if (!o) return [];
  const g = o.growth;
  const c = o.correctness;
  const acked = c.acked['Energy.Active.Import.Register'] ?? 0;
  const stored = c.stored['Energy.Active.Import.Register'] ?? 0;
  return [
    [`7. InfluxDB outage ${fmt(o.settings.outageMs / 60_000, 1)} min at ${fmt(o.settings.rate)} msg/s: journal growth`, `${fmt(g.entriesPerMin)} entries/min, ${fmt(g.memoryMBPerMin, 1)} MB/min Redis`, `${OUTAGE_TARGET_MIN} min within the bound`, pf(g.minutesToBound >= OUTAGE_TARGET_MIN)],
    [`    extrapolated to ${OUTAGE_TARGET_MIN} min / bound absorbs`, `${fmt(g.at15Min.entries)} entries, ${fmt(g.at15Min.memoryMB)} MB / ${fmt(g.minutesToBound)} min`, '', ''],
    ['    calls refused during the outage', fmt(o.calls.refused), '0', pf(o.calls.refused === 0)],
    ['    backlog drained after restart', `${fmt(o.drain.ms / 1000, 1)} s at ${fmt(o.drain.writerEntriesPerSec)} entries/s ≈ ${fmt(o.drain.writerPointsPerSec)} points/s`, 'drained', pf(o.drain.drained)],
    ['    acked / stored energy samples', `${fmt(acked)} / ${fmt(stored)}`, 'nothing lost', pf(c.ok)],
  ];
}

export function outageMarkdown(o: OutageResults | undefined): string[] {
  if (!o) return [];
  const g = o.growth;
  const d = o.drain;
  const c = o.correctness;
  return [
    '## InfluxDB outage (issue 13, target 7)',
    '',
    `A collector with INFLUX_WRITER=worker and its worker on the benchmark's Redis, against an InfluxDB of their own; ${fmt(o.settings.connections)} connections offering ${fmt(o.settings.rate)} MeterValues/s (${Object.keys(c.acked).length} measurands, 9 sampled values each) — the steady state of ~${fmt(o.settings.stations)} stations sending every 50 s. Baseline ${fmt(o.settings.baselineMs / 1000)} s with InfluxDB up (lag ≤ ${fmt(o.baseline.lag)} entries, ${fmt(o.baseline.achieved)} msg/s acknowledged), then InfluxDB stopped for ${fmt(o.settings.outageMs / 1000)} s, sampled every ${OUTAGE.sampleMs / 1000} s; then restarted on the same data directory and port with the load still running.`,
    '',
    `The target's ${OUTAGE_TARGET_MIN} minutes are extrapolated linearly from the measured per-minute growth (least-squares slope over the samples); run it in full with BENCH_OUTAGE_MS=900000.`,
    '',
    '| s into the outage | XLEN journal | `influx` group lag | Redis used_memory MiB |',
    '| --- | --- | --- | --- |',
    ...o.samples.map((s) => `| ${fmt(s.t / 1000)} | ${fmt(s.xlen)} | ${fmt(s.lag)} | ${fmt(s.usedMemory / 2 ** 20, 1)} |`),
    '',
    `- Growth: ${fmt(g.entriesPerMin)} entries/min of lag (XLEN ${fmt(g.xlenPerMin)}/min), ${fmt(g.memoryMBPerMin, 2)} MiB/min of Redis memory; ${fmt(g.pointsPerEntry, 1)} points per entry.`,
    `- At ${OUTAGE_TARGET_MIN} min: ~${fmt(g.at15Min.entries)} entries, ~${fmt(g.at15Min.memoryMB)} MiB used_memory. The JOURNAL_MAX_ENTRIES default (${fmt(OUTAGE.journalMaxEntries)}) absorbs ${fmt(g.minutesToBound)} min at this rate before stations get CALLERRORs; Redis would then hold ~${fmt(g.memoryMBAtBound / 1024, 1)} GiB of journal at the measured memory per entry.`,
    `- Drain: InfluxDB answered ${fmt(d.restartMs / 1000, 1)} s after the restart with ${fmt(d.lagAtRestart)} entries behind; ${d.drained ? 'back to the baseline lag' : '**not** back to the baseline lag'} after ${fmt(d.ms / 1000, 1)} s — net ${fmt(d.netEntriesPerSec)} entries/s, the writer ${fmt(d.writerEntriesPerSec)} entries/s ≈ ${fmt(d.writerPointsPerSec)} points/s while new load kept arriving.`,
    `- Calls: ${fmt(o.calls.sent)} sent, ${fmt(o.calls.acked)} acknowledged, ${fmt(o.calls.refused)} refused, ${fmt(o.calls.unanswered)} unanswered. InfluxDB holds ${Object.entries(c.stored).map(([m, n]) => `${m} ${fmt(n)}/${fmt(c.acked[m] ?? 0)}`).join(', ')} (stored/acked) after ${fmt(c.waitedMs / 1000, 1)} s (${c.outcome}) → ${c.ok ? 'nothing lost' : '**MISMATCH**'}.`,
    '',
  ];
}
