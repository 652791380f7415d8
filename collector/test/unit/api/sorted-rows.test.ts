/** SortedRows.replaceMany (one pass for many changed stations) against a splice per station. */
import fc from 'fast-check';
import { SORT_KEYS, SortedRows, type IndexRow } from '../../../src/api/fleet-rows';

const share = { outlets: 0, byStatus: {}, working: 0, down: 0, uncounted: 0, faulted: 0, active: 0 };
const row = (id: string, lastSeen: number, site: string, statusRank: number): IndexRow => ({ id, online: true, site, lastSeen, statusRank, statuses: [], hay: id, openErrors: 0, share });
const rowArb = (id: string) => fc.record({ lastSeen: fc.integer({ min: 0, max: 4 }), site: fc.constantFrom('A', 'B', ''), rank: fc.integer({ min: -1, max: 3 }) }).map((r) => row(id, r.lastSeen, r.site, r.rank));

describe('SortedRows.replaceMany', () => {
  it('gives the order that removing and inserting one by one gives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }).chain((n) =>
          fc.tuple(
            fc.tuple(...Array.from({ length: n }, (_, i) => rowArb(`S${i}`))),
            // Per station: unchanged, removed, replaced by a new row (same id), or a new station added.
            fc.array(fc.constantFrom('keep', 'remove', 'replace'), { minLength: n, maxLength: n }),
            fc.array(rowArb('X'), { maxLength: 10 }),
          ),
        ),
        fc.constantFrom(...SORT_KEYS),
        fc.constantFrom(1 as const, -1 as const),
        ([rows, ops, extra], key, dir) => {
          const a = new SortedRows(key, dir);
          const b = new SortedRows(key, dir);
          a.build(rows);
          b.build(rows);
          const removed: IndexRow[] = [];
          const added: IndexRow[] = [];
          rows.forEach((r, i) => {
            if (ops[i] === 'keep') return;
            removed.push(r);
            if (ops[i] === 'replace') added.push({ ...r, lastSeen: r.lastSeen + 1, site: r.site + 'x' });
          });
          extra.forEach((r, i) => added.push({ ...r, id: `N${i}` }));
          for (const r of removed) a.remove(r);
          for (const r of added) a.insert(r);
          b.replaceMany(removed, added);
          const ids = (s: SortedRows) => Array.from({ length: s.length }, (_, i) => s.at(i).id);
          expect(ids(b)).toEqual(ids(a));
        },
      ),
      { numRuns: 400 },
    );
  });
});
