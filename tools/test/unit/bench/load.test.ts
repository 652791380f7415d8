import { Histogram } from '../../../src/bench/histogram';
import { combineCores, combineLoad, pacedRateFor, roundOrder, sliceWindows, type PacedResult, type ThroughputResult } from '../../../src/bench/load';

const hist = (...ms: number[]) => {
  const h = new Histogram();
  for (const x of ms) h.record(x);
  return h.toJSON();
};

describe('interleaving', () => {
  it('splits a phase into slices that add up to it', () => {
    expect(sliceWindows(15_000, 3)).toEqual([5000, 5000, 5000]);
    expect(sliceWindows(10_000, 3)).toEqual([3333, 3333, 3334]);
    expect(sliceWindows(10_000, 1)).toEqual([10_000]);
    expect(sliceWindows(10_000, 0)).toEqual([10_000]);
  });

  it('reverses the order of the servers every other round', () => {
    expect(roundOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(roundOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    expect(roundOrder(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c']);
  });

  it('weighs each slice\'s cores by its length', () => {
    const c = combineCores([
      { cores: { collector: 1.0, worker: 0.2 }, secs: 3 },
      { cores: { collector: 0.5, worker: 0.4 }, secs: 1 },
    ]);
    expect(c.collector).toBeCloseTo(0.875);
    expect(c.worker).toBeCloseTo(0.25);
  });

  it('adds the slices of one server up as one run', () => {
    const tp = (inWindow: number, latency: number[]): ThroughputResult => ({ connections: 200, inWindow, windowMs: 5000, acked: inWindow + 100, refused: 1, lost: 0, unanswered: 2, latency: hist(...latency) });
    const pc = (acked: number, due: number[]): PacedResult => ({ connections: 200, sent: acked, acked, refused: 0, late: 3, unanswered: 1, durationMs: 4333, elapsedMs: 4400, fromDue: hist(...due), fromSend: hist(...due) });
    const r = combineLoad([tp(10_000, [1, 2]), tp(20_000, [3, 40])], [pc(16_000, [1, 1, 90]), pc(16_000, [2])], { collector: 0.9 }, 8800);
    expect(r.throughput.rate).toBeCloseTo(3000); // 30,000 answers over 2 × 5 s
    expect(r.throughput.acked).toBe(30_200);
    expect(r.throughput.refused).toBe(2);
    expect(r.throughput.p99).toBeCloseTo(40, 0);
    expect(r.paced.acked).toBe(32_000);
    expect(r.paced.achieved).toBeCloseTo(32_000 / 8.8);
    expect(r.paced.max).toBe(90);
    expect(r.paced.late).toBe(6);
    expect(r.ackedMeter).toBe(30_200 + 32_000);
    expect(r.inDoubt).toBe(2 + 2 + 1 + 1);
    expect(r.cores).toEqual({ collector: 0.9 });
  });

  it('offers target 2 at 0.4 × the bare throughput of the same run, not a fixed rate', () => {
    expect(pacedRateFor(19_184)).toBe(7674);
    expect(pacedRateFor(8838)).toBe(3535);
    expect(pacedRateFor(0)).toBe(1);
  });
});
