/**
 * The fleet index's sliced sorts and bucket pages against plain references: a sort in slices equals
 * Array.prototype.sort (stable), the descending order derived from the ascending one equals a sort, and
 * a page read from a facet bucket equals the page a full scan of the order gives — for arbitrary rows,
 * filters, orders, offsets and cursor walks.
 */
import fc from 'fast-check';
import { SORT_KEYS, compareKeys, matchesRow, sortValue, type IndexRow, type SortKey, type StationFilter } from '../../../src/api/fleet-rows';
import { FacetBuckets, decodeCursor, pageFromBucket, pageFromScan } from '../../../src/api/fleet-pages';
import { reverseKeepingTies, sortInSlices } from '../../../src/api/sliced-sort';

describe('sortInSlices', () => {
  it('equals a stable Array.prototype.sort, also across many runs and slices', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 5000, size: 'max' }), fc.integer({ min: 0, max: 2 }), async (keys, sliceMs) => {
        const items = keys.map((k, i) => ({ k, i }));
        const cmp = (a: { k: number }, b: { k: number }) => a.k - b.k;
        expect(await sortInSlices(items, cmp, sliceMs)).toEqual(items.slice().sort(cmp));
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('gives the loop turns on a long sort', async () => {
    const items = Array.from({ length: 200_000 }, (_, i) => ({ k: (i * 7919) % 100_003 }));
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    await sortInSlices(items, (a, b) => a.k - b.k, 1);
    counting = false;
    expect(turns).toBeGreaterThan(2);
  });
});

describe('reverseKeepingTies', () => {
  it('is the descending order with ties still in ascending order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 3000, size: 'max' }), async (keys) => {
        const items = keys.map((k, i) => ({ k, id: i }));
        const asc = items.slice().sort((a, b) => a.k - b.k || a.id - b.id);
        const desc = items.slice().sort((a, b) => b.k - a.k || a.id - b.id);
        expect(await reverseKeepingTies(asc, (x) => x.k, 0)).toEqual(desc);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });
});

const STATUSES = ['Available', 'Charging', 'Faulted', 'Unavailable'];
const row = fc
  .record({
    online: fc.boolean(),
    site: fc.constantFrom('', 'North', 'South', 'East'),
    vendor: fc.option(fc.constantFrom('Acme', 'Bolt', ''), { nil: undefined }),
    model: fc.option(fc.constantFrom('M1', 'M2'), { nil: undefined }),
    firmware: fc.option(fc.constantFrom('1.0', '2.0'), { nil: undefined }),
    lastSeen: fc.integer({ min: 0, max: 5 }),
    statuses: fc.array(fc.constantFrom(...STATUSES), { maxLength: 3 }),
  })
  .map((r) => ({ ...r, statusRank: r.online ? r.statuses.length : -1 }));

const filter: fc.Arbitrary<StationFilter> = fc.record(
  {
    site: fc.constantFrom('', 'North', 'South', 'Nowhere'),
    vendor: fc.constantFrom('Acme', 'Bolt', ''),
    model: fc.constantFrom('M1', 'M2'),
    firmware: fc.constantFrom('1.0', '2.0'),
    online: fc.boolean(),
    status: fc.constantFrom(...STATUSES),
    q: fc.constantFrom('00', 'nor', 'x'),
  },
  { requiredKeys: [] },
);

function rowsOf(parts: Array<Omit<IndexRow, 'id' | 'hay' | 'openErrors' | 'share'>>): IndexRow[] {
  return parts.map((p, i) => {
    const id = `ST-${String(i).padStart(3, '0')}`;
    return { ...p, id, hay: `${id} ${p.site}`.toLowerCase(), openErrors: 0, share: { outlets: 0, byStatus: {}, working: 0, down: 0, uncounted: 0, faulted: 0, active: 0 } };
  });
}

const ordered = (rows: IndexRow[], sort: SortKey, dir: 1 | -1) => rows.slice().sort((a, b) => compareKeys(sortValue(a, sort), a.id, sortValue(b, sort), b.id, dir));

describe('pages from facet buckets', () => {
  it('equal the pages of a full scan, for offsets and for every page of a cursor walk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 80, size: 'max' }), filter, fc.constantFrom(...SORT_KEYS), fc.constantFrom('asc' as const, 'desc' as const), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 20 }), async (parts, f, sort, order, limit, offset) => {
        const rows = rowsOf(parts);
        const all = ordered(rows, sort, order === 'asc' ? 1 : -1);
        const buckets = new FacetBuckets();
        for (const r of rows) buckets.add(r);
        const b = buckets.smallest(f);
        // Every matching row is in the bucket, whichever facet it was chosen by.
        if (b) for (const r of rows) if (matchesRow(r, f)) expect(b.has(r)).toBe(true);
        const candidates = b ? [...b] : rows;
        const scan = await pageFromScan(all, f, sort, limit, offset, 0, false);
        expect(await pageFromBucket(candidates, f, sort, order, limit, offset)).toEqual(scan);
        const expected = all.filter((r) => matchesRow(r, f)).map((r) => r.id);
        expect(scan.ids).toEqual(expected.slice(offset, offset + limit));
        expect(scan.total).toBe(expected.length);
        // Walk by cursor: both paths give the same pages, which list every match once, in order.
        let cursor: [string | number, string] | undefined;
        const walked: string[] = [];
        for (let guard = 0; guard < 100; guard++) {
          let start = 0;
          if (cursor) {
            const c = cursor;
            start = all.findIndex((r) => compareKeys(sortValue(r, sort), r.id, c[0], c[1], order === 'asc' ? 1 : -1) > 0);
            if (start < 0) start = all.length;
          }
          const fromScan = await pageFromScan(all, f, sort, limit, 0, start, cursor !== undefined);
          expect(await pageFromBucket(candidates, f, sort, order, limit, 0, cursor)).toEqual(fromScan);
          walked.push(...fromScan.ids);
          if (!fromScan.nextCursor) break;
          cursor = decodeCursor(fromScan.nextCursor);
        }
        expect(walked).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('follow rows as they are added and removed, and list facet values without the empty one', () => {
    const [a, b] = rowsOf([
      { online: true, site: 'North', vendor: 'Acme', lastSeen: 0, statuses: [], statusRank: 0 },
      { online: true, site: '', vendor: 'Acme', lastSeen: 0, statuses: [], statusRank: 0 },
    ]);
    const buckets = new FacetBuckets();
    buckets.add(a!);
    buckets.add(b!);
    expect(buckets.values('site')).toEqual(['North']);
    expect([...buckets.smallest({ site: '' })!]).toEqual([b]);
    expect(buckets.smallest({ vendor: 'Acme', site: 'North' })!.size).toBe(1);
    expect(buckets.smallest({ online: true })).toBeUndefined();
    buckets.remove(a!);
    expect(buckets.values('site')).toEqual([]);
    expect(buckets.smallest({ site: 'North' })!.size).toBe(0);
  });
});
