import { drainRate, drainThreshold, outageGrowth, slope, type OutageSample } from '../../../src/bench/outage';

const MiB = 2 ** 20;

describe('slope', () => {
  it('is the least-squares slope, so one noisy sample does not decide it', () => {
    expect(slope([0, 1, 2, 3], [0, 2, 4, 6])).toBeCloseTo(2);
    expect(slope([0, 1, 2], [0, 3, 2])).toBeCloseTo(1);
  });

  it('is NaN without two distinct x', () => {
    expect(slope([1], [5])).toBeNaN();
    expect(slope([2, 2], [1, 3])).toBeNaN();
  });
});

describe('outageGrowth', () => {
  // 1,000 entries and 5 MiB per minute, sampled every 30 s for 2 minutes.
  const samples: OutageSample[] = [0, 1, 2, 3, 4].map((i) => ({ t: i * 30_000, xlen: 10 + i * 500, lag: 10 + i * 500, usedMemory: (3 + i * 2.5) * MiB }));
  const baseline = { lag: 10, usedMemory: 3 * MiB };

  it('measures the growth per minute and extrapolates it to 15 minutes', () => {
    const g = outageGrowth(samples, baseline, 4000, 2_000_000);
    expect(g.entriesPerMin).toBeCloseTo(1000);
    expect(g.xlenPerMin).toBeCloseTo(1000);
    expect(g.memoryMBPerMin).toBeCloseTo(5);
    expect(g.at15Min.entries).toBeCloseTo(15_010);
    expect(g.at15Min.memoryMB).toBeCloseTo(78);
  });

  it('says how long the journal bound lasts and what Redis holds then', () => {
    const g = outageGrowth(samples, baseline, 4000, 100_010);
    expect(g.minutesToBound).toBeCloseTo(100);
    expect(g.memoryMBAtBound).toBeCloseTo(503);
  });

  it('counts the samples of the calls acknowledged during the outage per entry added', () => {
    // 4,000 calls × 9 samples over 2,000 entries.
    expect(outageGrowth(samples, baseline, 4000, 2_000_000).pointsPerEntry).toBeCloseTo(18);
  });

  it('never reaches the bound when the journal does not grow', () => {
    const flat = samples.map((s) => ({ ...s, lag: 10, xlen: 10 }));
    expect(outageGrowth(flat, baseline, 0, 2_000_000).minutesToBound).toBe(Infinity);
  });
});

describe('drainRate', () => {
  it('adds what kept arriving to the net reduction of the backlog', () => {
    const d = drainRate(30_000, 100, 100_000, 400, 40);
    expect(d.netEntriesPerSec).toBeCloseTo(299);
    expect(d.writerEntriesPerSec).toBeCloseTo(699);
    expect(d.writerPointsPerSec).toBeCloseTo(27_960);
  });

  it('is NaN for a drain that took no time', () => {
    expect(drainRate(10, 0, 0, 1, 1).netEntriesPerSec).toBeNaN();
  });
});

describe('drainThreshold', () => {
  it('allows the baseline lag plus slack, and at least one batch', () => {
    expect(drainThreshold(100)).toBe(150);
    expect(drainThreshold(0)).toBe(1.5);
  });
});
