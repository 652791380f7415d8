/**
 * Sorting 100,000 rows without holding the event loop: Array.prototype.sort runs in one piece (one
 * of the fleet index's 14 orders took up to 343 ms in one turn at 100,000 stations, and every
 * station's call waited). Here a bottom-up merge sort gives the loop back whenever a slice of work
 * has run for `sliceMs`: the same O(n log n) comparisons in total, spread over turns.
 *
 * The loops are synchronous steps of a bounded number of elements, driven by an async loop: locals
 * of an async function that live across an await are kept on the heap, which made a loop with the
 * await inside it about twice as slow.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Elements per synchronous step (a look at the clock after each). */
const STEP = 4096;
/** Runs sorted with Array.prototype.sort before merging: short enough to stay well inside a slice. */
const RUN = 1024;

export class Slicer {
  private started = performance.now();
  constructor(private readonly sliceMs: number) {}

  /** Yields to the event loop if this slice has used its time. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.started < this.sliceMs) return;
    await nextTurn();
    this.started = performance.now();
  }
}

interface Merge<T> {
  src: T[];
  dst: T[];
  n: number;
  width: number;
  /** Current pair: [lo, mid) and [mid, hi), merged into dst from k on. */
  lo: number;
  mid: number;
  hi: number;
  i: number;
  j: number;
  k: number;
}

/** Merges up to `budget` elements; false once every pass is done (the result is then m.src). */
function mergeStep<T>(m: Merge<T>, cmp: (a: T, b: T) => number, budget: number): boolean {
  const n = m.n;
  let src = m.src;
  let dst = m.dst;
  let { i, j, k, mid, hi } = m;
  while (budget > 0) {
    if (k >= hi) {
      // This pair is merged: the next pair of this pass, or the first of the next pass.
      m.lo += 2 * m.width;
      if (m.lo >= n) {
        m.src = dst;
        m.dst = src;
        src = m.src;
        dst = m.dst;
        m.width *= 2;
        if (m.width >= n) return false;
        m.lo = 0;
      }
      i = k = m.lo;
      j = mid = Math.min(m.lo + m.width, n);
      hi = Math.min(m.lo + 2 * m.width, n);
      continue;
    }
    // Stable: on a tie the left run's element goes first.
    if (i < mid && (j >= hi || cmp(src[i]!, src[j]!) <= 0)) dst[k++] = src[i++]!;
    else dst[k++] = src[j++]!;
    budget--;
  }
  Object.assign(m, { i, j, k, mid, hi });
  return true;
}

/** A sorted copy of `items` (stable); `cmp` as for Array.prototype.sort. */
export async function sortInSlices<T>(items: readonly T[], cmp: (a: T, b: T) => number, sliceMs = 10): Promise<T[]> {
  const n = items.length;
  const src = items.slice();
  const slicer = new Slicer(sliceMs);
  for (let lo = 0; lo < n; lo += RUN) {
    const run = src.slice(lo, lo + RUN).sort(cmp);
    for (let i = 0; i < run.length; i++) src[lo + i] = run[i]!;
    await slicer.maybeYield();
  }
  if (n <= RUN) return src;
  // Both buffers packed (a copy, overwritten): a holey array is slower to read for every scan after.
  // The first pair starts "finished" at lo = -2 * width so the first step moves to lo = 0.
  const m: Merge<T> = { src, dst: items.slice(), n, width: RUN, lo: -2 * RUN, mid: 0, hi: 0, i: 0, j: 0, k: 0 };
  while (mergeStep(m, cmp, STEP)) await slicer.maybeYield();
  return m.src;
}

/** Appends the descending order of asc[0, end) to out, up to about `budget` elements; answers the new end. */
function reverseStep<T>(asc: readonly T[], key: (x: T) => string | number, out: T[], end: number, budget: number): number {
  while (end > 0 && budget > 0) {
    const v = key(asc[end - 1]!);
    let start = end - 1;
    while (start > 0 && key(asc[start - 1]!) === v) start--;
    for (let i = start; i < end; i++) out.push(asc[i]!);
    budget -= end - start;
    end = start;
  }
  return end;
}

/**
 * The descending order from the ascending one, ties still by id ascending: the ascending order read
 * backwards, each run of equal keys kept in its ascending (id) order. O(n), in slices.
 */
export async function reverseKeepingTies<T>(asc: readonly T[], key: (x: T) => string | number, sliceMs = 10): Promise<T[]> {
  const out: T[] = [];
  const slicer = new Slicer(sliceMs);
  let end = asc.length;
  while (end > 0) {
    end = reverseStep(asc, key, out, end, STEP);
    await slicer.maybeYield();
  }
  return out;
}
