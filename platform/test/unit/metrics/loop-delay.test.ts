/** The event-loop delay metrics: a real blocked loop shows up, scrapes do not reset it, the window ends. */
import { Registry } from 'prom-client';
import { LOOP_DELAY_METRICS, LoopDelayMetrics } from '../../../src/loop-delay';

async function read(r: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await r.getMetricsAsJSON()) as Array<{ name: string; values: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }> }>) {
    for (const v of m.values) {
      const key = v.metricName ?? m.name;
      out[v.labels.le !== undefined ? `${key}{le=${v.labels.le}}` : key] = v.value;
    }
  }
  return out;
}

const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop delay metrics', () => {
  it('records a real 120 ms block of the loop, and a scrape does not reset it', async () => {
    const r = new Registry();
    const m = new LoopDelayMetrics(r).start();
    try {
      await sleep(100);
      const before = await read(r);
      block(120);
      await sleep(50);
      const after = await read(r);
      // The timer fired at least ~110 ms late (it may have been due up to one period into the block).
      expect(after[LOOP_DELAY_METRICS.max]).toBeGreaterThan(0.1);
      // (Upper bounds and exact counts would fail on a loaded machine, where the process itself waits.)
      expect(after[LOOP_DELAY_METRICS.max]).toBeLessThan(2);
      const count = `${LOOP_DELAY_METRICS.histogram}_count`;
      expect(after[count]).toBeGreaterThan(before[count]!);
      // The late firing is above 50 ms in the histogram too.
      const over50 = (v: Record<string, number>) => v[count]! - v[`${LOOP_DELAY_METRICS.histogram}_bucket{le=0.05}`]!;
      expect(over50(after) - over50(before)).toBeGreaterThanOrEqual(1);
      expect((await read(r))[LOOP_DELAY_METRICS.max]).toBe(after[LOOP_DELAY_METRICS.max]);
    } finally {
      m.stop();
    }
  });

  it('covers the trailing window only, with max and p99 over its samples', async () => {
    let now = 5_000;
    const r = new Registry();
    const m = new LoopDelayMetrics(r, { windowSec: 3, now: () => now });
    for (let i = 0; i < 99; i++) m.record(1);
    m.record(200);
    let v = await read(r);
    expect(v[LOOP_DELAY_METRICS.max]).toBeCloseTo(0.2, 2);
    expect(v[LOOP_DELAY_METRICS.p99]).toBeCloseTo(0.001, 3);
    now += 2_000;
    m.record(3);
    v = await read(r);
    expect(v[LOOP_DELAY_METRICS.max]).toBeCloseTo(0.2, 2);
    now += 1_000; // the second with the 200 ms sample has left the 3 s window
    v = await read(r);
    expect(v[LOOP_DELAY_METRICS.max]).toBeCloseTo(0.003, 3);
    now += 10_000;
    v = await read(r);
    expect(v[LOOP_DELAY_METRICS.max]).toBe(0);
    expect(v[`${LOOP_DELAY_METRICS.histogram}_count`]).toBe(101);
  });

  it('tick() measures lateness against the period', async () => {
    let now = 0;
    const r = new Registry();
    const m = new LoopDelayMetrics(r, { resolutionMs: 10, now: () => now });
    m.start(); // first firing due at 10
    m.stop();
    now = 10;
    m.tick(); // on time; the next is due at 20
    now = 90;
    m.tick(); // 70 ms late
    const v = await read(r);
    expect(v[LOOP_DELAY_METRICS.max]).toBeCloseTo(0.07, 3);
    expect(v[`${LOOP_DELAY_METRICS.histogram}_bucket{le=0.05}`]).toBe(1);
    expect(v[`${LOOP_DELAY_METRICS.histogram}_count`]).toBe(2);
  });
});
