import type { Correctness } from '../../../src/bench/drain';
import { OTHER_CPU, type LoadResults } from '../../../src/bench/load';
import { render, type Results } from '../../../src/bench/report';
import { BARE_SERVER, cpuBoundRatio, cpuPerCallUs, placementSummary, placementTable, workerRows, type PlacementFigures } from '../../../src/bench/report-placements';
import { P } from '../../../src/bench/setup';

const E = 'Energy.Active.Import.Register';

function load(rate: number, cores: Record<string, number>, p99 = 20): LoadResults {
  return {
    cores,
    throughput: { rate, p50: 10, p99: 30, acked: rate * 15, refused: 0, lost: 0, unanswered: 0 },
    paced: { offered: 5000, achieved: 4999, p50: 2, p99, p999: p99 + 5, max: p99 + 10, sendP99: p99, late: 0, refused: 0, acked: 55_000 },
    ackedMeter: rate * 15 + 55_000,
    inDoubt: 0,
  };
}

function correctness(n: number, over: Partial<Correctness> = {}): Correctness {
  return { acked: { [E]: n, Voltage: 3 * n }, stored: { [E]: n, Voltage: 3 * n }, ok: true, refused: 0, inDoubt: 0, waitedMs: 400, lagAtStop: 0, outcome: 'matched', ...over };
}

const collector: PlacementFigures = { load: load(6000, { collector: 1.0, influxd: 0.4, 'redis-server': 0.05, [OTHER_CPU]: 0.1 }, 140), correctness: correctness(145_000), ratio: 0.3 };
const worker: PlacementFigures = {
  load: load(8000, { collector: 0.9, worker: 0.3, influxd: 0.45, 'redis-server': 0.06, [OTHER_CPU]: 0.2 }, 40),
  correctness: correctness(175_000, { waitedMs: 1800, lagAtStop: 42 }),
  ratio: 0.4,
};

describe('placement comparison', () => {
  it('computes CPU per answered call from cores and throughput', () => {
    expect(cpuPerCallUs(collector, 'collector')).toBeCloseTo(166.67, 1);
    expect(cpuPerCallUs(worker, 'collector')).toBeCloseTo(112.5, 1);
    expect(cpuPerCallUs(collector, 'worker')).toBeNaN();
  });

  it('gives the ratio the CPU per call allows with a core each: bare µs per call ÷ collector µs per call', () => {
    // Bare: 0.9 cores at 20,000 msg/s = 45 µs per call; collectors 166.7 and 112.5 µs.
    const bare = load(20_000, { [BARE_SERVER]: 0.9 });
    expect(cpuBoundRatio(bare, collector)).toBeCloseTo(0.27, 2);
    expect(cpuBoundRatio(bare, worker)).toBeCloseTo(0.4, 2);
    expect(cpuBoundRatio(load(20_000, {}), worker)).toBeNaN();
  });

  it('puts both placements side by side, with a dash where no worker ran', () => {
    const t = placementTable(collector, worker).join('\n');
    expect(t).toContain('| closed-loop throughput | 6,000 msg/s | 8,000 msg/s |');
    expect(t).toContain('| ratio against bare ocpp-rpc (a), same run | 0.30 | 0.40 |');
    expect(t).toContain('| latency at 5,000 msg/s offered, p50 / p99 (answered rate) | 2.00 / 140.00 ms (4,999 msg/s) | 2.00 / 40.00 ms (4,999 msg/s) |');
    expect(t).toContain(`| ${OTHER_CPU} (not the benchmark), cores | 0.10 | 0.20 |`);
    expect(t).toContain('| collector CPU, cores (µs per call) | 1.00 (167 µs) | 0.90 (113 µs) |');
    expect(t).toContain('| worker CPU, cores (µs per call) | — | 0.30 (38 µs) |');
    expect(t).toContain('had not handled when the load stopped | 0 | 42 |');
    expect(t).toContain('| InfluxDB complete after the load stopped | 0.4 s | 1.8 s |');
    expect(t).toContain('| acked samples = InfluxDB count (all measurands) | pass | pass |');
  });

  it('marks a placement whose InfluxDB count did not match', () => {
    const lost = { ...worker, correctness: correctness(10, { ok: false, outcome: 'stalled', stored: { [E]: 9 } }) };
    const t = placementTable(collector, lost).join('\n');
    expect(t).toContain('(stalled, **FAIL**)');
    expect(t).toMatch(/\| acked samples = InfluxDB count \(all measurands\) \| pass \| \*\*FAIL\*\* \|/);
    expect(placementSummary(collector, lost, 2)).toContain('InfluxDB did not hold every acknowledged sample of (b′) in this run (stalled)');
  });

  it('reads the run: freer collector event loop, what the worker costs', () => {
    const s = placementSummary(collector, worker, 2);
    expect(s).toContain('the collector spent 113 µs of CPU per answered call against 167 µs');
    expect(s).toContain('33 % less, so INFLUX_WRITER=worker leaves the collector\'s event loop freer');
    expect(s).toContain('Throughput was 33 % higher (ratio 0.30 → 0.40');
    expect(s).toContain('paced p99 went from 140.00 to 40.00 ms');
    expect(s).toContain('a second process that used 0.30 cores (38 µs per call; collector and worker together 150 µs per call, 10 % less than the collector alone)');
    expect(s).toContain('on this 2-core machine competing with the collector');
    expect(s).toContain('42 journal entries behind (0 in-process)');
    expect(s).toContain('InfluxDB held every acknowledged sample 1.8 s later (0.4 s in-process)');
  });

  it('says when the shared cores, not the collector, bound (b′)', () => {
    const bound = { ...worker, load: { ...worker.load, cores: { ...worker.load.cores, collector: 0.5, [OTHER_CPU]: 0.6 } } };
    expect(placementSummary(collector, bound, 2)).toContain('the collector used less than one core (0.50) while the machine was busy (1.91 of 2 cores');
    expect(placementSummary(collector, bound, 4)).not.toContain('bound by the shared cores');
    expect(placementSummary(collector, worker, 2)).not.toContain('bound by the shared cores');
  });

  it('warns when other work on the machine differed between the two runs', () => {
    expect(placementSummary(collector, worker, 2)).not.toContain('Other work on the machine differed');
    const busier = { ...worker, load: { ...worker.load, cores: { ...worker.load.cores, [OTHER_CPU]: 0.6 } } };
    expect(placementSummary(collector, busier, 2)).toContain('Other work on the machine differed between the two runs (0.10 → 0.60 cores outside the benchmark)');
  });

  it('says so when moving the writer freed nothing', () => {
    const busy = { ...worker, load: load(6000, { collector: 1.0, worker: 0.3 }) };
    const s = placementSummary(collector, busy, 2);
    expect(s).toContain('no saving in this run');
    expect(s).toContain('Throughput was about the same (+0.0 %)');
  });

  it('adds (b′) rows to the figures table only when the worker placement ran', () => {
    expect(workerRows(undefined, 'ratio')).toEqual([]);
    expect(workerRows(worker, 'ratio')).toEqual([['1′. throughput ratio b′/a', '0.40', '≥ 0.5', '**FAIL**']]);
    expect(workerRows(worker, 'correctness')[0]).toEqual(['5′. (b′) acked energy samples = InfluxDB count', '175,000 = 175,000', 'equal (all measurands; + calls in doubt)', 'pass']);
    const doubt = { ...worker, correctness: correctness(100, { stored: { [E]: 102 }, inDoubt: 2 }) };
    expect(workerRows(doubt, 'correctness')[0]![1]).toBe('100 → 102 (2 calls in doubt)');
  });
});

describe('render with both placements', () => {
  const results = (workerWriter?: Results['workerWriter']): Results => ({
    date: '2026-12-02T00:00:00.000Z',
    machine: { cpu: 'test cpu', cores: 2, ramGiB: 4, node: 'v20', os: 'Linux', kernel: '6', loadavgAtStart: '0 0 0' },
    params: P,
    bare: load(20_000, { 'ocpp-rpc server': 1.0 }, 3),
    collector: collector.load,
    ratio: collector.ratio,
    correctness: collector.correctness,
    scrapes: { count: 20, up: 1, maxDurationMs: 12 },
    idle: { connections: 10, booted: 10, rssBeforeKB: 1000, rssAfterKB: 1200, perConnKB: 20, openMs: 500 },
    storm: { stations: 10, booted: 10, failed: 0, retries: 0, ms: 100, timeToBoot: { buckets: {}, count: 0, max: 0 } as never, errors: {}, p50: 50, p99: 90 },
    coresBare: { 'ocpp-rpc server': 1.0 },
    coresCollector: collector.load.cores,
    wallMs: 150_000,
    ...(workerWriter ? { workerWriter } : {}),
  });

  it('writes the placement section, the (b′) rows and a (b′) CPU column', () => {
    const { markdown, table } = render(results({ ...worker, scrapes: { count: 18, maxDurationMs: 9 } }));
    expect(markdown).toContain('## InfluxDB writer placement (INFLUX_WRITER)');
    expect(markdown).toContain('| (b′) same with INFLUX_WRITER=worker (+ worker process), 200 conns | 8,000 msg/s | reference |  |');
    expect(markdown).toContain('| process | (a) bare | (b) collector | (b′) INFLUX_WRITER=worker |');
    expect(markdown).toContain('| worker |  |  | 0.30 |');
    expect(markdown).toContain('| collector |  | 1.00 | 0.90 |');
    expect(markdown).toContain('leaves the collector\'s event loop freer');
    expect(table).toContain('5′. (b′) acked energy samples = InfluxDB count');
  });

  it('leaves all of it out when the worker placement was skipped', () => {
    const { markdown } = render(results());
    expect(markdown).not.toContain('INFLUX_WRITER=worker');
    expect(markdown).not.toContain('(b′)');
    expect(markdown).toContain('| process | (a) bare | (b) collector |\n| --- | --- | --- |\n');
  });
});
