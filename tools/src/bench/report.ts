/** The benchmark's results and their rendering: the console table and docs/benchmarks.md. */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { basename } from 'node:path';
import type { Correctness } from './drain';
import type { LoadResults } from './load';
import type { IdleStormResults } from './idle-storm';
import type { ProfileEntry } from './profile';
import { COUNT_TARGET, countCell, cpuBoundRatio, fmt, placementSummary, placementTable, workerRows, type PlacementFigures } from './report-placements';
import type { Scrapes } from './sinks-live';
import { accessMarkdown, accessRows, type AccessBenchResults } from './access-bench';
import { scaleMarkdown, scaleRows } from './report-scale';
import type { ScaleResults } from './scale';
import { apiScaleRows, type ApiScaleResults } from './api-scale';
import { outageMarkdown, outageRows } from './report-outage';
import type { OutageResults } from './outage';
import { LOADAVG_AT_START, TARGETS, type P } from './setup';

export interface Results {
  date: string;
  machine: { cpu: string; cores: number; ramGiB: number; node: string; os: string; kernel: string; loadavgAtStart: string };
  params: typeof P;
  bare: LoadResults;
  collector: LoadResults;
  ratio: number;
  correctness: Correctness;
  scrapes: Scrapes;
  /** (b′): the same scenario with INFLUX_WRITER=worker and a worker child (absent with BENCH_WORKER_PLACEMENT=0). */
  workerWriter?: PlacementFigures & { scrapes: Scrapes };
  /** Absent when the idle and storm phases were skipped (BENCH_IDLE_CONNECTIONS=0, --quick). */
  idle?: IdleStormResults['idle'];
  storm?: IdleStormResults['storm'];
  profile?: { file: string; top: ProfileEntry[]; rate: number };
  access?: AccessBenchResults;
  scale?: ScaleResults;
  apiScale?: ApiScaleResults;
  /** Target 7, InfluxDB outage (outage.ts); absent with BENCH_OUTAGE=0 or --quick. */
  outage?: OutageResults;
  coresBare: Record<string, number>;
  coresCollector: Record<string, number>;
  wallMs: number;
}

export function machine(): Results['machine'] {
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

/** " (0.4 × a)" when the paced rate was derived from the bare throughput of this run. */
const pacedOf = (r: Results) => (r.params.pacedRate === undefined ? ` (${TARGETS.pacedFraction} × a)` : '');

function idleStormRows(r: Results, pf: (ok: boolean) => string): Array<[string, string, string, string]> {
  const { idle, storm } = r;
  if (!idle || !storm) return [['3., 4. idle connections, reconnect storm', 'skipped', '', '']];
  return [
    [`3. (b) RSS per idle connection (${fmt(idle.booted)} conns)`, `${fmt(idle.perConnKB, 1)} KB`, '≤ 30 KB', pf(idle.perConnKB <= TARGETS.rssPerConnKB && idle.booted === idle.connections)],
    [`   RSS before → after`, `${fmt(idle.rssBeforeKB / 1024, 1)} → ${fmt(idle.rssAfterKB / 1024, 1)} MiB`, '', ''],
    ...(idle.perConnAfterGcKB === undefined ? [] : ([[`   same after forced full collections (what a connection keeps)`, `${fmt(idle.perConnAfterGcKB, 1)} KB`, '', '']] as Array<[string, string, string, string]>)),
    [`4. (b) reconnect storm, ${fmt(storm.stations)} stations`, `${fmt(storm.ms / 1000, 2)} s (${fmt(storm.booted)} booted, ${fmt(storm.retries)} retries)`, 'all booted', pf(storm.booted === storm.stations)],
    [`   time to boot reply p50 / p99`, `${fmt(storm.p50 / 1000, 2)} / ${fmt(storm.p99 / 1000, 2)} s`, '', ''],
  ];
}

export function render(r: Results): { table: string; markdown: string } {
  const pf = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
  const c = r.collector;
  const b = r.bare;
  const bw = r.workerWriter;
  const rows: Array<[string, string, string, string]> = [
    [`(a) bare ocpp-rpc, closed loop, ${fmt(r.params.connections)} conns`, `${fmt(b.throughput.rate)} msg/s`, 'reference', ''],
    [`(b) collector, all sinks live, closed loop, ${fmt(r.params.connections)} conns`, `${fmt(c.throughput.rate)} msg/s`, 'reference', ''],
    ...workerRows(bw, 'throughput'),
    ['1. throughput ratio b/a', fmt(r.ratio, 2), '≥ 0.5', pf(r.ratio >= TARGETS.ratio)],
    ...workerRows(bw, 'ratio'),
    [
      '   CPU per call, bare server ÷ collector: the ratio with a core each, (b)' + (bw ? ' / (b′)' : ''),
      `${fmt(cpuBoundRatio(b, { load: c, correctness: r.correctness, ratio: r.ratio }), 2)}${bw ? ` / ${fmt(cpuBoundRatio(b, bw), 2)}` : ''}`,
      '',
      '',
    ],
    [`2. (b) latency at ${fmt(c.paced.offered)} msg/s offered${pacedOf(r)}, p50 / p99`, `${fmt(c.paced.p50, 2)} / ${fmt(c.paced.p99, 2)} ms`, 'p99 < 50 ms', pf(c.paced.p99 < TARGETS.p99Ms)],
    [`   (b) same, p99.9 / max; achieved rate`, `${fmt(c.paced.p999, 1)} / ${fmt(c.paced.max, 1)} ms; ${fmt(c.paced.achieved)} msg/s`, '', ''],
    ...workerRows(bw, 'latency'),
    [`   (a) latency at ${fmt(b.paced.offered)} msg/s offered, p50 / p99`, `${fmt(b.paced.p50, 2)} / ${fmt(b.paced.p99, 2)} ms`, 'reference', ''],
    ...idleStormRows(r, pf),
    ['5. acked energy samples = InfluxDB count', countCell(r.correctness), COUNT_TARGET, pf(r.correctness.ok)],
    ...workerRows(bw, 'correctness'),
    ...accessRows(r.access),
    ...scaleRows(r.scale),
    ...apiScaleRows(r.apiScale),
    ...outageRows(r.outage),
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.replace(/\*/g, '').length), ['Figure', 'Measured', 'Target', 'Result'][i]!.length));
  const line = (cells: string[]) => cells.map((x, i) => x.replace(/\*/g, '').padEnd(w[i]!)).join('  ');
  const table = [line(['Figure', 'Measured', 'Target', 'Result']), line(w.map((n) => '-'.repeat(n))), ...rows.map((row) => line(row))].join('\n');

  const m = r.machine;
  const md: string[] = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`scripts/bench.mjs` → `tools/src/bench/`). Do not edit by hand: the next run overwrites this file.',
    '',
    ...(r.params.quick
      ? [`> **Quick run** (\`npm run bench -- --quick\`): ${fmt(r.params.connections)} connections, ${fmt(r.params.throughputMs / 1000)} s closed loop and ${fmt(r.params.pacedMs / 1000)} s paced per server; the idle, storm, Authorize and profile phases skipped. For comparing builds on one machine, not a full run.`, '']
      : []),
    `- Date: ${r.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM; ${m.os}, Linux ${m.kernel}; Node ${m.node}`,
    `- Load generator: ${r.params.loadgens} process(es) on the same machine; run wall time ${fmt(r.wallMs / 1000)} s; load average when the run started: ${m.loadavgAtStart} (other work on the machine shares its cores)`,
    '',
    '| Figure | Measured | Target | Result |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
    ...(bw
      ? [
          '## InfluxDB writer placement (INFLUX_WRITER)',
          '',
          'The "every sink live" scenario twice in this run: (b) the collector consumes its own journal into InfluxDB; (b′) the collector only appends and a `chargewatch worker` consumes the journal (group `influx`). CPU is over the closed-loop phase (1.00 = one full core).',
          '',
          ...placementTable({ load: c, correctness: r.correctness, ratio: r.ratio }, bw),
          '',
          placementSummary({ load: c, correctness: r.correctness, ratio: r.ratio }, bw, r.machine.cores),
          '',
        ]
      : []),
    '## Details',
    '',
    `- Closed loop (a): p50 ${fmt(b.throughput.p50, 2)} ms, p99 ${fmt(b.throughput.p99, 2)} ms; (b): p50 ${fmt(c.throughput.p50, 2)} ms, p99 ${fmt(c.throughput.p99, 2)} ms; CALLERRORs from the collector: ${fmt(c.throughput.refused)} closed loop, ${fmt(c.paced.refused)} paced.`,
    `- Paced (b): ${fmt(c.paced.acked)} calls answered; latency counted from each call's scheduled time (p99 from the actual send: ${fmt(c.paced.sendP99, 2)} ms); calls that were due while the previous one was still unanswered: ${fmt(c.paced.late)}; answered rate over the phase including the drain of any queue: ${fmt(c.paced.achieved)} msg/s.`,
    `- Prometheus scraped the (b) collector's /metrics ${r.scrapes.count ?? 'n/a'} times while it ran (min \`up\` ${r.scrapes.up ?? 'n/a'}), longest scrape ${fmt(r.scrapes.maxDurationMs ?? NaN, 1)} ms${bw ? `; the (b′) collector's ${bw.scrapes.count ?? 'n/a'} times, longest ${fmt(bw.scrapes.maxDurationMs ?? NaN, 1)} ms` : ''}.`,
    ...(r.idle && r.storm
      ? [
          `- Idle connections opened (256 handshakes in flight) in ${fmt(r.idle.openMs / 1000, 1)} s.`,
          `- Storm errors before retries succeeded: ${Object.keys(r.storm.errors).length ? Object.entries(r.storm.errors).map(([k, v]) => `${k} × ${v}`).join('; ') : 'none'}.`,
        ]
      : []),
    `- Calls in doubt (sent, no answer when the phase ended): ${fmt(r.correctness.inDoubt)}${bw ? ` in (b), ${fmt(bw.correctness.inDoubt)} in (b′)` : ''}; the sink flushed ${fmt(r.correctness.waitedMs / 1000, 1)} s after the load stopped${bw ? ` (b′: ${fmt(bw.correctness.waitedMs / 1000, 1)} s; CALLERRORs ${fmt(bw.correctness.refused)})` : ''}.`,
    `- InfluxDB counts per measurand (acked → stored): ${Object.keys(r.correctness.acked).map((k) => `${k} ${fmt(r.correctness.acked[k]!)} → ${fmt(r.correctness.stored[k] ?? 0)}`).join('; ')}.`,
    ...(bw ? [`- (b′) InfluxDB counts per measurand (acked → stored): ${Object.keys(bw.correctness.acked).map((k) => `${k} ${fmt(bw.correctness.acked[k]!)} → ${fmt(bw.correctness.stored[k] ?? 0)}`).join('; ')}.`] : []),
    '',
    ...accessMarkdown(r.access),
    ...scaleMarkdown(r.scale),
    ...outageMarkdown(r.outage),
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
    `| process | (a) bare | (b) collector |${bw ? ' (b′) INFLUX_WRITER=worker |' : ''}`,
    `| --- | --- | --- |${bw ? ' --- |' : ''}`,
    ...[...new Set([...Object.keys(r.coresBare), ...Object.keys(r.coresCollector), ...Object.keys(bw?.load.cores ?? {})])].map((k) => {
      const cell = (x: Record<string, number>) => (x[k] === undefined ? '' : fmt(x[k]!, 2));
      return `| ${k} | ${cell(r.coresBare)} | ${cell(r.coresCollector)} |${bw ? ` ${cell(bw.load.cores)} |` : ''}`;
    }),
    '',
  );
  md.push(
    '## How measured',
    '',
    '- One run of `npm run bench` measures both servers with the same load generator: raw `ws` clients (subprotocol `ocpp1.6`, no ocpp-rpc client) in a separate child process, each connection sending a BootNotification and then MeterValues frames built from pre-encoded pieces: 9 sampled values (energy register that only grows, power, current and voltage on three phases, SoC), a distinct message id per call and the current time as timestamp (strictly increasing per station, so no two readings of one station share a millisecond and InfluxDB keeps every point). Each connection keeps exactly one call outstanding, as OCPP-J requires, so the server sets the pace.',
    `- (a) is a bare ocpp-rpc \`RPCServer\` in its own child process with no-op handlers, configured like the collector (strictMode, ocpp1.6 + ocpp2.0.1, callConcurrency 1, maxPayload 64 KiB). (b) is \`node cli/bin/chargewatch.js collector\` as a child process (LOG_LEVEL=warn) with real Redis, InfluxDB 1.6 (v1 /write, default batch 5000 lines / 500 ms) and a Prometheus scraping /metrics every 1 s, all started by the benchmark on free loopback ports. All traffic stays on 127.0.0.0/8; connections are spread over source addresses ${r.params.localAddrs[0]}–${r.params.localAddrs[r.params.localAddrs.length - 1]}.`,
    ...(bw
      ? [
          '- (b′) repeats (b) with `INFLUX_WRITER=worker` on a fresh collector, Redis prefix, database and station ids: the collector only appends to the journal, and `node cli/bin/chargewatch.js worker` (same REDIS_URL, REDIS_PREFIX and INFLUX_* settings; housekeeping schedules off, so only the writer runs) consumes group `influx` into InfluxDB. The same generator, phases and correctness check; CPU is read for the worker too.',
        ]
      : []),
    `- Drain: from the end of each collector's last slice (connections closed) the benchmark polls every 200 ms the InfluxDB count and the lag of the journal's group \`influx\` (XINFO GROUPS: pending + not yet delivered) until the count matches, or the lag is 0 and the count has not moved for 1 s, or the count has not moved for 5 s, at most 60 s.`,
    `- Interleaved: (a), (b)${bw ? ' and (b′)' : ''} run at the same time and take turns under the generator: the closed loop and then the paced phase each in ${fmt(r.params.slices)} slice(s), one server after the other (the order reversed every other round), so other work on the machine falls on all of them alike; each server's figures add up its slices. A server waiting for its turn costs little (Prometheus keeps scraping every collector). BENCH_SLICES=1 runs each phase in one piece per server.`,
    `- Throughput: ${fmt(r.params.connections)} connections per server, closed loop, ${fmt(r.params.warmupMs / 1000)} s warm-up before its first slice and ${fmt(Math.min(1000, r.params.warmupMs) / 1000)} s before the others, answers counted over ${fmt(r.params.throughputMs / 1000)} s in all.`,
    `- Latency: the same connections, open loop at ${fmt(c.paced.offered)} msg/s${r.params.pacedRate === undefined ? ` (${TARGETS.pacedFraction} × the bare server's closed-loop throughput measured just before; BENCH_PACED_RATE fixes it)` : ' (BENCH_PACED_RATE)'} spread evenly over connections and time (each connection sends every ${fmt((1000 * r.params.connections) / c.paced.offered)} ms with its own phase), 1 s warm-up before each slice, ${fmt(r.params.pacedMs / 1000)} s measured in all; latency is from the scheduled send time to the answer, in 1 %-wide histogram buckets.`,
    `- RSS: a fresh collector; VmRSS from /proc/<pid>/status (median of 5 readings 0.5 s apart) before and 4 s after ${fmt(r.params.idleConnections)} connections that each booted once; (after − before) / connections.`,
    '- Reconnect storm: all those sockets are then dropped at once (TCP reset), and after 3 s every station connects and sends BootNotification in the same instant; time from the first connect to the last BootNotification answer. A station whose attempt fails retries after 1–2 s (at most 5 attempts).',
    '- Correctness: MeterValues answered with CALLRESULT are counted per measurand by the generator (collector throughput + latency phases, unique station ids and a fresh database per run); after the run the benchmark waits for the sink to flush and compares with `SELECT count(value) FROM meter WHERE measurand=…` in InfluxQL. Every acknowledged sample must be there; calls in doubt (sent, no answer when the phase ended) may add theirs, no more.',
    `- Redis runs as recommended for production: AOF with \`appendfsync ${process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always'}\` (set BENCH_REDIS_FSYNC=everysec to compare). Every acknowledged call is first group-committed to the Redis journal, so (b) includes an fsync per commit; the per-address connection limits are disabled because the load comes from 16 loopback addresses.`,
    '- Figures are for this machine only, with the generator, the server and the services sharing its cores; compare ratios, not absolutes.',
    '',
  );
  return { table, markdown: md.join('\n') };
}
