/**
 * Per-key token buckets (new connections per address): `ratePerSec` tokens refill continuously up to
 * `burst`. Buckets live in a capped LRU; an evicted bucket comes back full, so the cap must exceed the
 * number of addresses that are being throttled at once (a full bucket is the same as no entry).
 */
import { BoundedLru } from './lru';

interface Bucket {
  tokens: number;
  at: number;
}

export class KeyedTokenBucket {
  private readonly buckets: BoundedLru<string, Bucket>;

  constructor(
    readonly ratePerSec: number,
    readonly burst: number,
    capacity = 50_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSec > 0) || !(burst >= 1)) throw new RangeError('ratePerSec must be > 0 and burst >= 1');
    this.buckets = new BoundedLru(capacity, 0, now);
  }

  /** Takes one token for `key`; false when the bucket is empty (the caller refuses). */
  take(key: string): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.ratePerSec);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.set(key, b);
    return ok;
  }

  get trackedKeys(): number {
    return this.buckets.size;
  }
}
