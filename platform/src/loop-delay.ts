/**
 * How long the process's event loop was held up: a station's call, an API request and a scrape all
 * wait while one piece of JavaScript runs, so this is the figure behind "no event-loop stall above
 * 50 ms" (issue 13). Collector and worker register the same names, without labels.
 *
 * Measured by a 10 ms timer that records how late it fired (a late timer means the loop was busy),
 * into a perf_hooks histogram per second. Not monitorEventLoopDelay: its reset() drops the interval in
 * progress, so a stall that ended just before a reset — when a scrape or a roll runs, right after the
 * stall — was never recorded (tried: an 80 ms block followed by reset() left max at 10 ms). Our own
 * timer records the stall in the same callback that sees it, so nothing is lost and nothing is reset
 * by a scrape: two Prometheus servers read the same values.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import { Gauge, Histogram, type Registry } from 'prom-client';

export interface LoopDelayOptions {
  /** Timer period (ms); a delay shorter than this may go unseen. */
  resolutionMs?: number;
  /** The max and p99 gauges cover this many trailing seconds. */
  windowSec?: number;
  now?: () => number;
}

/** Exported names, for docs and tests. */
export const LOOP_DELAY_METRICS = {
  histogram: 'chargewatch_event_loop_delay_seconds',
  max: 'chargewatch_event_loop_delay_max_seconds',
  p99: 'chargewatch_event_loop_delay_p99_seconds',
} as const;

/** 1 µs to 1 h at 2 significant digits: a merge for a scrape costs 0.2 ms instead of 1.8 ms at the defaults. */
const HDR = { lowest: 1000, highest: 3_600_000_000_000, figures: 2 } as const;

export class LoopDelayMetrics {
  readonly histogram: Histogram<string>;
  private readonly resolutionMs: number;
  private readonly windowSec: number;
  private readonly now: () => number;
  /** One histogram (ns) per second of the window, indexed by second modulo the window. */
  private readonly slices: Array<{ sec: number; h: RecordableHistogram }>;
  private timer?: NodeJS.Timeout;
  private expected = 0;

  constructor(registry: Registry, opts: LoopDelayOptions = {}) {
    this.resolutionMs = opts.resolutionMs ?? 10;
    this.windowSec = opts.windowSec ?? 10;
    this.now = opts.now ?? (() => performance.now());
    this.slices = Array.from({ length: this.windowSec }, () => ({ sec: -1, h: createHistogram(HDR) }));
    this.histogram = new Histogram({
      name: LOOP_DELAY_METRICS.histogram,
      help: `How late a ${this.resolutionMs} ms timer fired: the time the event loop was held up by other work`,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const self = this;
    new Gauge({
      name: LOOP_DELAY_METRICS.max,
      help: `Longest event-loop delay in the last ${this.windowSec} s (not reset by scrapes)`,
      registers: [registry],
      collect() {
        this.set(self.windowed((h) => h.max));
      },
    });
    new Gauge({
      name: LOOP_DELAY_METRICS.p99,
      help: `99th percentile of the event-loop delay samples of the last ${this.windowSec} s`,
      registers: [registry],
      collect() {
        this.set(self.windowed((h) => h.percentile(99)));
      },
    });
  }

  /** Starts the timer (unref'd: it never keeps the process alive). */
  start(): this {
    if (this.timer) return this;
    this.expected = this.now() + this.resolutionMs;
    this.timer = setInterval(() => this.tick(), this.resolutionMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One timer firing: records how far past its due time it ran. Public for tests with a fake clock. */
  tick(): void {
    const t = this.now();
    const lateMs = Math.max(0, t - this.expected);
    // The next firing is due one period after this one (setInterval reschedules from the callback).
    this.expected = t + this.resolutionMs;
    this.record(lateMs, t);
  }

  record(lateMs: number, atMs = this.now()): void {
    this.histogram.observe(lateMs / 1000);
    const sec = Math.floor(atMs / 1000);
    const slot = this.slices[sec % this.windowSec]!;
    if (slot.sec !== sec) {
      slot.sec = sec;
      slot.h.reset();
    }
    // In ns, from 1 µs ("on time") to the histogram's highest trackable value.
    slot.h.record(Math.min(HDR.highest, Math.max(HDR.lowest, Math.round(lateMs * 1e6))));
  }

  /** A statistic (ns) of the window's samples merged, in seconds; 0 with no samples. */
  private windowed(stat: (h: RecordableHistogram) => number): number {
    const sec = Math.floor(this.now() / 1000);
    const merged = createHistogram(HDR);
    for (const s of this.slices) if (s.sec > sec - this.windowSec && s.sec <= sec) merged.add(s.h);
    return merged.count === 0 ? 0 : stat(merged) / 1e9;
  }
}
