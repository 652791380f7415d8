/**
 * Filtered pages and summaries of the fleet index without a long turn of the event loop. A filter on
 * site, vendor, model or firmware reads only the rows of that value (FacetBuckets), sorted for the
 * page; any other filter scans the order's rows in slices of `SLICE_MS` with the loop given back in
 * between. Before, a filtered page scanned all 100,000 rows in one piece: 40–50 ms, most of it cache
 * misses on rows scattered over the heap, while every station's call waited.
 */
import { compareKeys, matchesRow, sortValue, type IndexRow, type SortKey, type StationFilter } from './fleet-rows';
import { Slicer, sortInSlices } from './sliced-sort';

/** Longest piece of a scan or sort before the event loop gets a turn (ms). */
export const SLICE_MS = 10;

export interface Page {
  total: number;
  ids: string[];
  /** Continue after the last station of this page; null when it was the last page. */
  nextCursor: string | null;
}

export const encodeCursor = (k: string | number, id: string) => Buffer.from(JSON.stringify([k, id])).toString('base64url');

export function decodeCursor(c: string): [string | number, string] | undefined {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* not ours: answered as a bad request by the caller */
  }
  return undefined;
}

export const FACETS = ['site', 'vendor', 'model', 'firmware'] as const;
export type Facet = (typeof FACETS)[number];

/** Rows by the value of each facet; also what the list's facet values are read from. */
export class FacetBuckets {
  private readonly by = new Map<Facet, Map<string, Set<IndexRow>>>(FACETS.map((f) => [f, new Map()]));

  clear(): void {
    for (const m of this.by.values()) m.clear();
  }

  add(r: IndexRow): void {
    for (const f of FACETS) {
      const v = r[f];
      if (v === undefined) continue;
      const m = this.by.get(f)!;
      let b = m.get(v);
      if (!b) m.set(v, (b = new Set()));
      b.add(r);
    }
  }

  remove(r: IndexRow): void {
    for (const f of FACETS) {
      const v = r[f];
      if (v === undefined) continue;
      const m = this.by.get(f)!;
      const b = m.get(v);
      if (b?.delete(r) && b.size === 0) m.delete(v);
    }
  }

  /** Distinct non-empty values of a facet, sorted. */
  values(f: Facet): string[] {
    return [...this.by.get(f)!.keys()].filter(Boolean).sort();
  }

  /**
   * The smallest bucket among the facets the filter names (every matching row is in it), or
   * undefined when the filter names none of them.
   */
  smallest(filter: StationFilter): ReadonlySet<IndexRow> | undefined {
    let best: ReadonlySet<IndexRow> | undefined;
    for (const f of FACETS) {
      const v = filter[f];
      if (v === undefined) continue;
      const b = this.by.get(f)!.get(v) ?? new Set<IndexRow>();
      if (!best || b.size < best.size) best = b;
    }
    return best;
  }
}

/** Rows per synchronous step of a scan, between looks at the clock (see sliced-sort.ts on why). */
const STEP = 4096;

/** Whether a bucket of `b` rows, sorted, is cheaper than scanning an order of `n` rows. */
export const bucketIsCheaper = (b: number, n: number) => b * Math.log2(Math.max(2, b)) <= n;

const cmpFor = (sort: SortKey, dir: 1 | -1) => (a: IndexRow, b: IndexRow) => compareKeys(sortValue(a, sort), a.id, sortValue(b, sort), b.id, dir);

/** The page of the rows that match, from rows in no particular order (a bucket's snapshot): matched, then sorted. */
export async function pageFromBucket(bucket: readonly IndexRow[], f: StationFilter, sort: SortKey, order: 'asc' | 'desc', limit: number, offset: number, cursor?: [string | number, string]): Promise<Page> {
  const dir = order === 'asc' ? 1 : -1;
  const matching: IndexRow[] = [];
  await forEachMatching(bucket, f, (r) => matching.push(r));
  const sorted = await sortInSlices(matching, cmpFor(sort, dir), SLICE_MS);
  let start = cursor ? 0 : offset;
  if (cursor) {
    // First row strictly after the cursor's station in this order (which may have gone meanwhile).
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = sorted[mid]!;
      if (compareKeys(sortValue(r, sort), r.id, cursor[0], cursor[1], dir) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const rows = sorted.slice(start, start + limit);
  const last = rows[rows.length - 1];
  const more = start + limit < sorted.length;
  return { total: sorted.length, ids: rows.map((r) => r.id), nextCursor: more && last ? encodeCursor(sortValue(last, sort), last.id) : null };
}

/**
 * The page of the rows that match, from all rows in the page's order (a snapshot: the index may
 * change between slices), starting at `start` (the first row after a cursor) or after `offset` matches.
 */
export async function pageFromScan(ordered: readonly IndexRow[], f: StationFilter, sort: SortKey, limit: number, offset: number, start: number, cursor: boolean): Promise<Page> {
  const st: ScanState = { ids: [], more: false, total: 0, skipped: 0 };
  const slicer = new Slicer(SLICE_MS);
  for (let from = 0; from < ordered.length; from += STEP) {
    if (from > 0) await slicer.maybeYield();
    scanStep(st, ordered, from, Math.min(from + STEP, ordered.length), f, limit, cursor ? 0 : offset, start);
  }
  const last = st.last;
  return { total: st.total, ids: st.ids, nextCursor: st.more && last ? encodeCursor(sortValue(last, sort), last.id) : null };
}

interface ScanState {
  ids: string[];
  last?: IndexRow;
  more: boolean;
  total: number;
  skipped: number;
}

function scanStep(st: ScanState, ordered: readonly IndexRow[], from: number, to: number, f: StationFilter, limit: number, offset: number, start: number): void {
  for (let i = from; i < to; i++) {
    const r = ordered[i]!;
    if (!matchesRow(r, f)) continue;
    st.total++;
    if (i < start) continue;
    if (st.skipped < offset) {
      st.skipped++;
      continue;
    }
    if (st.ids.length < limit) {
      st.ids.push(r.id);
      st.last = r;
    } else st.more = true;
  }
}

/** Calls `each` for every matching row of a snapshot, in slices. */
export async function forEachMatching(rows: readonly IndexRow[], f: StationFilter, each: (r: IndexRow) => void): Promise<void> {
  const slicer = new Slicer(SLICE_MS);
  for (let from = 0; from < rows.length; from += STEP) {
    if (from > 0) await slicer.maybeYield();
    matchStep(rows, from, Math.min(from + STEP, rows.length), f, each);
  }
}

function matchStep(rows: readonly IndexRow[], from: number, to: number, f: StationFilter, each: (r: IndexRow) => void): void {
  for (let i = from; i < to; i++) if (matchesRow(rows[i]!, f)) each(rows[i]!);
}
