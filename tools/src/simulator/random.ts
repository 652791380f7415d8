/**
 * Small seeded pseudo-random generator for the simulator. mulberry32 is tiny, fast and good enough
 * for workload generation; it is NOT suitable for anything security related.
 */

/** 32-bit FNV-1a over the string forms of the parts: turns (seed, label, …) into a stream seed. */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  const s = parts.map(String).join('\u0001');
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Returns a generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  private readonly gen: () => number;
  /** Number of values drawn so far (handy when checking determinism). */
  draws = 0;

  constructor(readonly seed: number) {
    this.gen = mulberry32(seed);
  }

  /** Float in [0, 1). */
  next(): number {
    this.draws++;
    return this.gen();
  }

  /** Float in [min, max). */
  float(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return Math.floor(this.float(min, max + 1));
  }

  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Exponentially distributed value with the given mean, clamped to [min, max]. */
  exp(mean: number, min = 0, max = Number.POSITIVE_INFINITY): number {
    const v = -Math.log(1 - this.next()) * mean;
    return Math.min(max, Math.max(min, v));
  }

  /** Upper-case hexadecimal string of `len` characters. */
  hex(len: number): string {
    let out = '';
    while (out.length < len) out += Math.floor(this.next() * 16).toString(16);
    return out.toUpperCase();
  }

  digits(len: number): string {
    let out = '';
    while (out.length < len) out += String(Math.floor(this.next() * 10));
    return out;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const a = items.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /** An independent stream derived from this generator's seed and a label; does not draw from this one. */
  fork(label: string | number): Rng {
    return new Rng(hashSeed(this.seed, label));
  }

  /** Probability that an event with the given per-hour probability happens within `dtSec`. */
  static perTick(perHour: number, dtSec: number): number {
    if (perHour <= 0) return 0;
    if (perHour >= 1) return 1;
    return 1 - Math.pow(1 - perHour, dtSec / 3600);
  }
}
