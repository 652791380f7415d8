/** Latency histogram with 1 % wide buckets: mergeable across processes, bounded in size. */
const GROWTH = Math.log(1.01);

export type HistogramData = Record<string, number>;

export class Histogram {
  readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const idx = Math.ceil(Math.log(us) / GROWTH);
    this.buckets.set(idx, (this.buckets.get(idx) ?? 0) + 1);
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  toJSON(): { buckets: HistogramData; count: number; max: number } {
    return { buckets: Object.fromEntries(this.buckets), count: this.count, max: this.max };
  }

  static merge(parts: Array<{ buckets: HistogramData; count: number; max: number }>): Histogram {
    const h = new Histogram();
    for (const p of parts) {
      for (const [k, n] of Object.entries(p.buckets)) h.buckets.set(Number(k), (h.buckets.get(Number(k)) ?? 0) + n);
      h.count += p.count;
      h.max = Math.max(h.max, p.max);
    }
    return h;
  }

  /** Upper bound of the bucket holding the q-quantile, in ms (within 1 %). */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const idx of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(idx)!;
      if (seen >= rank) return Math.min(this.max, Math.exp(idx * GROWTH) / 1000);
    }
    return this.max;
  }
}
