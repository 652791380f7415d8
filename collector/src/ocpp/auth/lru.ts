/**
 * A Map with a hard size cap and an optional time to live: the least recently used entry goes first.
 * Everything the handshake path keeps per address or per identity lives in one of these, because both
 * are chosen by whoever connects: an attacker must not be able to grow memory by inventing new ones.
 */
export class BoundedLru<K, V> {
  private readonly map = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    readonly capacity: number,
    /** 0 = entries never expire (they still leave when the cap is reached). */
    readonly ttlMs = 0,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, refreshed as most recently used; undefined when absent or expired. */
  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt && entry.expiresAt <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  /** The value without touching its recency (for read-only listings). */
  peek(key: K): V | undefined {
    const entry = this.map.get(key);
    if (!entry || (entry.expiresAt && entry.expiresAt <= this.now())) return undefined;
    return entry.value;
  }

  set(key: K, value: V, ttlMs = this.ttlMs): this {
    this.map.delete(key);
    this.map.set(key, { value, expiresAt: ttlMs > 0 ? this.now() + ttlMs : 0 });
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next().value as K;
      this.map.delete(oldest);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Live entries, least recently used first. */
  *entries(): IterableIterator<[K, V]> {
    const now = this.now();
    for (const [k, e] of this.map) if (!e.expiresAt || e.expiresAt > now) yield [k, e.value];
  }
}
