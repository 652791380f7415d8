/**
 * An in-memory index of the whole fleet for the API: one small row per station (fleet-rows.ts), the
 * rows kept sorted in every order the station list offers, and the fleet summary's counters kept as
 * rows change — so a list page, a cursor step or the summary costs work in proportion to its answer,
 * not to the fleet. At 76,000 stations the list used to read every station from Redis and blocked the
 * collector's event loop for 11.5 s.
 *
 * Kept current from Redis, which is shared by every collector: loaded once with SSCAN in chunks (one
 * chunk per event-loop turn), then refreshed from the change feed (platform change-feed.ts) at most
 * every `refreshMs`, re-reading only the stations written since — also those other collectors wrote.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StationState, StationStore } from '@chargewatch/platform';
import { SORT_KEYS, SortedRows, compareKeys, sortValue, toRow, type Contribution, type IndexRow, type SortKey, type StationFilter } from './fleet-rows';
import { FACETS, FacetBuckets, SLICE_MS, bucketIsCheaper, encodeCursor, forEachMatching, pageFromBucket, pageFromScan, type Facet, type Page } from './fleet-pages';
import { Slicer, reverseKeepingTies, sortInSlices } from './sliced-sort';

export { decodeCursor, encodeCursor, type Page } from './fleet-pages';

export interface FleetIndexOptions {
  /** Answers may be this old (ms); an invalidate() makes the next one fresh. */
  refreshMs?: number;
  /** Stations read from Redis per event-loop turn. */
  chunk?: number;
  /** Change-feed entries are re-examined this far back (ms), for writers whose clocks lag ours. */
  overlapMs?: number;
  /** Change-feed entries older than this (ms) are trimmed; an index that looked longer ago reloads. */
  retainMs?: number;
}

/** From this many stations in one read, the orders are rebuilt in one pass each (replaceMany). */
const BATCH_MIN = 16;

export interface Totals extends Contribution {
  stations: number;
  online: number;
}

const emptyTotals = (): Totals => ({ stations: 0, online: 0, outlets: 0, byStatus: {}, working: 0, down: 0, uncounted: 0, faulted: 0, active: 0 });

function addShare(t: Totals, r: IndexRow, sign: 1 | -1): void {
  t.stations += sign;
  if (r.online) t.online += sign;
  const c = r.share;
  t.outlets += sign * c.outlets;
  t.working += sign * c.working;
  t.down += sign * c.down;
  t.uncounted += sign * c.uncounted;
  t.faulted += sign * c.faulted;
  t.active += sign * c.active;
  for (const [status, n] of Object.entries(c.byStatus)) {
    const v = (t.byStatus[status] ?? 0) + sign * n;
    if (v === 0) delete t.byStatus[status];
    else t.byStatus[status] = v;
  }
}

export class FleetIndex {
  private rows = new Map<string, IndexRow>();
  /** Each order twice, ascending and descending, both with ties by id ascending (the API's contract). */
  private sorted = new Map<string, SortedRows>(SORT_KEYS.flatMap((k) => [[`${k}:asc`, new SortedRows(k, 1)], [`${k}:desc`, new SortedRows(k, -1)]] as const));
  private totals = emptyTotals();
  private buckets = new FacetBuckets();
  /** Change-feed score of each station as last read, so the overlap window does not re-read it. */
  private seen = new Map<string, number>();
  private loaded = false;
  private bulk = false;
  private from = 0;
  private lastLook = 0;
  private lastTrim = 0;
  private stale = true;
  private running?: Promise<void>;
  private readonly o: Required<FleetIndexOptions>;

  constructor(
    private readonly store: StationStore,
    opts: FleetIndexOptions = {},
  ) {
    // 250 stations per read: with 500 a refresh after 2,000 heartbeats held the loop 74–210 ms, with 250 20–41 ms.
    this.o = { refreshMs: 1000, chunk: 250, overlapMs: 5000, retainMs: 10 * 60_000, ...opts };
  }

  /** The next answer re-reads what changed first (after a write through this API). */
  invalidate(): void {
    this.stale = true;
  }

  /** Resolves when the index is no older than refreshMs (or than the last invalidate()). */
  async fresh(): Promise<void> {
    while (!this.loaded || this.stale || Date.now() - this.lastLook >= this.o.refreshMs) {
      if (!this.running) {
        this.running = (this.loaded && Date.now() - this.lastLook < this.o.retainMs - 60_000 ? this.follow() : this.load()).finally(() => {
          this.running = undefined;
        });
      }
      await this.running;
      if (this.loaded && !this.stale) return;
    }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Every station in one pass, chunk by chunk with a turn of the event loop between chunks. */
  private async load(): Promise<void> {
    const startedAt = Date.now();
    this.stale = false;
    this.rows.clear();
    this.seen.clear();
    this.totals = emptyTotals();
    this.buckets.clear();
    this.bulk = true;
    let cursor = '0';
    do {
      const [next, ids] = await this.store.scanIds(cursor, this.o.chunk);
      cursor = next;
      await this.readAndApply(ids);
      await nextTurn();
    } while (cursor !== '0');
    // Each order sorted in slices of SLICE_MS (one Array.prototype.sort of 100,000 rows held the
    // loop for up to 343 ms); the descending order is the ascending one read backwards, ties kept.
    const all = [...this.rows.values()];
    for (const key of SORT_KEYS) {
      const asc = await sortInSlices(all, (a, b) => compareKeys(sortValue(a, key), a.id, sortValue(b, key), b.id), SLICE_MS);
      this.sorted.get(`${key}:desc`)!.adopt(await reverseKeepingTies(asc, (r) => sortValue(r, key), SLICE_MS));
      this.sorted.get(`${key}:asc`)!.adopt(asc);
    }
    // Only now: until every order holds all rows, put() must not move rows in them.
    this.bulk = false;
    this.from = startedAt - this.o.overlapMs;
    this.lastLook = startedAt;
    this.loaded = true;
    // Whatever was written while we read is in the feed since startedAt.
    await this.follow();
  }

  /** Re-reads the stations the change feed names since the last look. */
  private async follow(): Promise<void> {
    const lookAt = Date.now();
    this.stale = false;
    const from = this.from;
    let newest = from;
    const page = 5000;
    for (let offset = 0; ; offset += page) {
      const entries = await this.store.changes.sinceOffset(from, offset, page);
      const due = entries.filter((e) => (this.seen.get(e.id) ?? -1) < e.at);
      for (const e of entries) newest = Math.max(newest, e.at);
      for (let i = 0; i < due.length; i += this.o.chunk) {
        const part = due.slice(i, i + this.o.chunk);
        await this.readAndApply(part.map((e) => e.id));
        for (const e of part) this.seen.set(e.id, e.at);
        await nextTurn();
      }
      if (entries.length < page) break;
    }
    this.from = Math.max(this.from, newest - this.o.overlapMs);
    this.lastLook = lookAt;
    if (lookAt - this.lastTrim > 60_000) {
      this.lastTrim = lookAt;
      await this.store.changes.trim(lookAt - this.o.retainMs);
    }
  }

  private async readAndApply(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const states = await this.store.getExisting(ids);
    if (this.bulk || ids.length < BATCH_MIN) ids.forEach((id, i) => this.put(id, states[i]));
    else await this.putMany(ids, states);
  }

  /** Replaces a station's row (or removes it), moving its share of the counters and its sort places. */
  put(id: string, s: StationState | undefined): void {
    const [old, row] = this.setRow(id, s);
    if (this.bulk) return;
    for (const sorted of this.sorted.values()) {
      if (this.keepsPlace(sorted, old, row)) continue;
      if (old) sorted.remove(old);
      if (row) sorted.insert(row);
    }
  }

  /**
   * Many stations at once: each order rebuilt in one pass instead of a splice per station, with a
   * turn of the event loop between orders once a slice is used (a page meanwhile may list a
   * station's previous row in an order not yet rebuilt: it reads only ids, then Redis).
   */
  private async putMany(ids: string[], states: Array<StationState | undefined>): Promise<void> {
    const changes = ids.map((id, i) => this.setRow(id, states[i]));
    const slicer = new Slicer(SLICE_MS);
    for (const sorted of this.sorted.values()) {
      await slicer.maybeYield();
      const removed: IndexRow[] = [];
      const added: IndexRow[] = [];
      for (const [old, row] of changes) {
        if (this.keepsPlace(sorted, old, row)) continue;
        if (old) removed.push(old);
        if (row) added.push(row);
      }
      // A station named twice in one batch: its first new row was never placed.
      const gone = new Set(removed);
      const placed = added.filter((r) => !gone.has(r));
      // Few moves in this order (most changes keep their place in most orders): a splice each.
      if (removed.length + placed.length < BATCH_MIN) {
        for (const r of removed) sorted.remove(r);
        for (const r of placed) sorted.insert(r);
      } else sorted.replaceMany(removed, placed);
    }
  }

  /** With the same sort value the new row takes the old one's place: true when it did. */
  private keepsPlace(sorted: SortedRows, old: IndexRow | undefined, row: IndexRow | undefined): boolean {
    if (!old || !row || sortValue(old, sorted.key) !== sortValue(row, sorted.key)) return false;
    const i = sorted.lowerBound(sortValue(old, sorted.key), old.id);
    if (sorted.at(i) !== old) return false;
    sorted.replace(i, row);
    return true;
  }

  /** The row, the counters and the buckets; answers the old and the new row. */
  private setRow(id: string, s: StationState | undefined): [IndexRow | undefined, IndexRow | undefined] {
    const old = this.rows.get(id);
    const row = s ? toRow(s) : undefined;
    if (old) {
      addShare(this.totals, old, -1);
      this.buckets.remove(old);
    }
    if (row) {
      addShare(this.totals, row, 1);
      this.buckets.add(row);
      this.rows.set(id, row);
    } else {
      this.rows.delete(id);
    }
    return [old, row];
  }

  /** Distinct values over the whole fleet, sorted: few (sites, vendors, models, firmware versions). */
  facets(): Record<Facet, string[]> {
    const out = {} as Record<Facet, string[]>;
    for (const f of FACETS) out[f] = this.buckets.values(f);
    return out;
  }

  /** The rows a filter can match, when one facet bucket holds fewer than a scan would read. */
  private candidates(f: StationFilter, scanLength: number): IndexRow[] | undefined {
    const b = this.buckets.smallest(f);
    return b && bucketIsCheaper(b.size, scanLength) ? [...b] : undefined;
  }

  /**
   * Fleet counters, kept as rows change; with a filter, summed over the matching rows in memory —
   * the filter's facet bucket, or all rows in slices.
   */
  async summary(f: StationFilter): Promise<{ totals: Totals; ids?: string[] }> {
    if (!Object.values(f).some((v) => v !== undefined)) return { totals: { ...this.totals, byStatus: { ...this.totals.byStatus } } };
    const t = emptyTotals();
    const ids: string[] = [];
    const rows = this.candidates(f, this.rows.size) ?? this.sorted.get('id:asc')!.snapshot();
    await forEachMatching(rows, f, (r) => {
      addShare(t, r, 1);
      ids.push(r.id);
    });
    return { totals: t, ids };
  }

  /**
   * One page in the given order. With a cursor (from a previous page's nextCursor) the page starts
   * right after that station, so stations added or removed meanwhile shift nothing: each station that
   * stays is listed exactly once. Without one, `offset` counts matching stations from the start.
   */
  async page(f: StationFilter, sort: SortKey, order: 'asc' | 'desc', limit: number, offset: number, cursor?: [string | number, string]): Promise<Page> {
    const s = this.sorted.get(`${sort}:${order}`)!;
    let start = 0;
    if (cursor) {
      // The first row after the cursor's station (which may have gone or moved meanwhile).
      start = s.lowerBound(cursor[0], cursor[1]);
      if (start < s.length && compareKeys(sortValue(s.at(start), sort), s.at(start).id, cursor[0], cursor[1]) === 0) start++;
    }
    const filtered = Object.values(f).some((v) => v !== undefined);
    const ids: string[] = [];
    let last: IndexRow | undefined;
    let more = false;
    if (!filtered) {
      // No filter: every row matches, the page is a slice.
      for (let i = start + (cursor ? 0 : offset); i < s.length; i++) {
        if (ids.length === limit) {
          more = true;
          break;
        }
        last = s.at(i);
        ids.push(last.id);
      }
      return { total: s.length, ids, nextCursor: more && last ? encodeCursor(sortValue(last, sort), last.id) : null };
    }
    // A facet filter reads its bucket; other filters scan this order, both in slices of SLICE_MS.
    const bucket = this.candidates(f, s.length);
    if (bucket) return pageFromBucket(bucket, f, sort, order, limit, offset, cursor);
    return pageFromScan(s.snapshot(), f, sort, limit, offset, start, cursor !== undefined);
  }
}
