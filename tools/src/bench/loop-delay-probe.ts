/**
 * Reads a collector's own event-loop delay from its /metrics (chargewatch_event_loop_delay_*,
 * platform/src/loop-delay.ts) while a bench phase runs: the longest delay the collector saw, not a
 * round trip that also contains the bench client's own loop and the network.
 */
import { LOOP_DELAY_METRICS } from '@chargewatch/platform';

export interface LoopDelayReading {
  /**
   * Highest chargewatch_event_loop_delay_max_seconds read during the phase, ms. The gauge covers the
   * LOOP_DELAY_WINDOW_MS before each reading, so the first readings also see the time before the phase.
   */
  maxMs: number;
  /** Upper edge of the highest histogram bucket that gained a sample during the phase, ms: exact to the phase. */
  boundMs: number;
  /** Timer firings more than 50 ms late during the phase (from the histogram's buckets). */
  over50: number;
  /** Timer firings during the phase. */
  samples: number;
}

/** The window of the max gauge: a reading covers this much time before it. */
export const LOOP_DELAY_WINDOW_MS = 10_000;

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : NaN;
}

interface Scrape {
  max: number;
  count: number;
  le50: number;
  /** Cumulative count per bucket edge (s). */
  buckets: Array<[number, number]>;
}

async function scrape(apiUrl: string): Promise<Scrape> {
  const text = await (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const h = LOOP_DELAY_METRICS.histogram;
  const buckets: Array<[number, number]> = [];
  for (const m of text.matchAll(new RegExp(`^${h}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  return { max: value(text, LOOP_DELAY_METRICS.max), count: value(text, `${h}_count`), le50: value(text, `${h}_bucket{le="0.05"}`), buckets };
}

/** The smallest bucket edge (ms) below which every sample between two scrapes falls. */
function bound(first: Scrape, last: Scrape): number {
  const total = last.count - first.count;
  for (const [le, n] of last.buckets) {
    const before = first.buckets.find(([l]) => l === le)?.[1] ?? 0;
    if (n - before >= total) return le * 1000;
  }
  return Infinity;
}

/**
 * Polls every `everyMs` until stop(). Start it at least LOOP_DELAY_WINDOW_MS after anything that
 * should not count, since the first readings look that far back.
 */
export async function probeLoopDelay(apiUrl: string, everyMs = 1000): Promise<{ stop(): Promise<LoopDelayReading> }> {
  const first = await scrape(apiUrl);
  let maxS = first.max;
  let running = true;
  const poll = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, everyMs));
      const s = await scrape(apiUrl).catch(() => undefined);
      if (s) maxS = Math.max(maxS, s.max);
    }
  })();
  return {
    async stop() {
      running = false;
      await poll;
      const last = await scrape(apiUrl);
      maxS = Math.max(maxS, last.max);
      return { maxMs: maxS * 1000, boundMs: bound(first, last), over50: last.count - last.le50 - (first.count - first.le50), samples: last.count - first.count };
    },
  };
}
