/**
 * The stale-transaction sweep against real Redis: what it closes and how the close is recorded, that
 * several sweepers close each transaction exactly once, that it backs off from a transaction whose end
 * is being handled, and that a close whose journal append failed is published again later.
 */
import type { TransactionEnded } from '@chargewatch/model';
import { StationStore } from '../../src/state/station-store';
import { activityMember } from '../../src/state/transaction-records';
import { redisPerTest } from './redis-per-test';
import { T0, txEvents } from './tx-events';

const HOUR = 3_600_000;
const STALE = 24 * HOUR;
const ctx = redisPerTest('sweep');
let store: StationStore;
let redis: typeof ctx.redis;
let prefix: string;
beforeEach(() => {
  redis = ctx.redis;
  prefix = ctx.prefix;
  store = new StationStore(redis, prefix);
});

const a = txEvents('CP-1');

function sweeper(published: TransactionEnded[][] = [], opts: { fail?: () => boolean; holder?: string; s?: StationStore } = {}) {
  return (opts.s ?? store).staleSweeper({
    staleAfterMs: STALE,
    holder: opts.holder ?? 'test',
    retryAfterMs: 60_000,
    publish: async (events) => {
      if (opts.fail?.()) throw new Error('journal down');
      published.push(events);
    },
  });
}

describe('closeStaleTransactions', () => {
  it('closes a transaction nothing named for TX_STALE_AFTER_SEC, as a collector close at its last activity', async () => {
    await store.apply([a.status(0, 1, 'Charging'), a.started(1_000, 1, 'old', { meterStartWh: 1200 }), a.started(1_000, 2, 'fresh')]);
    await store.apply([a.meter(2 * 60_000, 1, 'old', 1500)]);
    await store.apply([a.updated(20 * HOUR, 2, 'fresh')]);
    const published: TransactionEnded[][] = [];
    const result = await sweeper(published).closeStaleTransactions(T0 + STALE + 10 * 60_000);
    expect(result).toMatchObject({ ran: true, recovered: 0 });
    const expected: TransactionEnded = {
      type: 'transaction.ended',
      stationId: 'CP-1',
      time: T0 + 2 * 60_000,
      receivedAt: T0 + STALE + 10 * 60_000,
      evseId: 1,
      connectorId: 1,
      transactionId: 'old',
      stoppedReason: 'StaleNoActivity',
      idToken: { id: 'RFID-1', type: 'ISO14443' },
      offline: false,
      start: { time: T0 + 1_000, meterStartWh: 1200, idToken: { id: 'RFID-1', type: 'ISO14443' } },
      closedBy: 'collector',
    };
    expect(result.closed).toEqual([expected]);
    expect(published).toEqual([[expected]]);

    const s = (await store.get('CP-1'))!;
    expect(s.transactions.map((t) => t.transactionId)).toEqual(['fresh']);
    const c1 = s.connectors.find((c) => c.evseId === 1)!;
    expect(c1.status).toBe('Charging');
    expect(c1.transactionId).toBeUndefined();
    expect(s.connectors.find((c) => c.evseId === 2)!.transactionId).toBe('fresh');
    expect((await store.findEndedTransaction('CP-1', 'old'))!.ended).toEqual({ time: T0 + 2 * 60_000, stoppedReason: 'StaleNoActivity', closedBy: 'collector' });
    expect(await redis.zscore(store.globalTxKeys.activityIndex, activityMember('CP-1', 'old'))).toBeNull();
    expect(await redis.zcard(store.globalTxKeys.closing)).toBe(0);
    // Nothing left to close.
    expect((await sweeper(published).closeStaleTransactions(T0 + STALE + 20 * 60_000)).closed).toEqual([]);
  });

  it('closes each transaction exactly once when several sweepers run at the same time', async () => {
    const stations = Array.from({ length: 40 }, (_, i) => `CP-${i}`);
    for (const id of stations) {
      const e = txEvents(id);
      await store.apply([e.started(1_000, 1, `${id}-a`), e.started(1_000, 2, `${id}-b`)]);
    }
    const published: TransactionEnded[][] = [];
    // Separate lock keys: the lock is an optimisation, the per-transaction close must hold on its own.
    const sweepers = Array.from({ length: 4 }, (_, i) => {
      const s = new StationStore(redis, prefix);
      (s.globalTxKeys as { sweepLock: string }).sweepLock = `${prefix}lock-${i}`;
      return sweeper(published, { s, holder: `s${i}` });
    });
    const results = await Promise.all(sweepers.map((w) => w.closeStaleTransactions(T0 + STALE + 60_000)));
    const closed = results.flatMap((r) => r.closed.map((e) => `${e.stationId}/${e.transactionId}`));
    expect(closed).toHaveLength(80);
    expect(new Set(closed).size).toBe(80);
    expect(published.flat()).toHaveLength(80);
    for (const id of stations) expect((await store.get(id))!.transactions).toEqual([]);
  });

  it('lets only one sweep run at a time under one lock', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    const [x, y] = await Promise.all([sweeper().closeStaleTransactions(T0 + STALE + 60_000), sweeper().closeStaleTransactions(T0 + STALE + 60_000)]);
    expect([x.ran, y.ran].sort()).toEqual([false, true]);
    expect([...x.closed, ...y.closed]).toHaveLength(1);
  });

  it('backs off from a transaction whose end is being handled, which then finds it open', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    // A StopTransaction arrives just as the sweep looks: the adapter's look-up marks the activity first.
    const seen = await store.transactions.ending('CP-1', 'tx-1', T0 + STALE + 30_000);
    expect(seen?.ended).toBeUndefined();
    const result = await sweeper().closeStaleTransactions(T0 + STALE + 60_000);
    expect(result.closed).toEqual([]);
    expect(await store.findTransaction('CP-1', 'tx-1')).toBeDefined();
    // The index learnt the newer activity, so the next sweep does not try again before it is stale.
    expect(await redis.zscore(store.globalTxKeys.activityIndex, activityMember('CP-1', 'tx-1'))).toBe(String(T0 + STALE + 30_000));
    await store.apply([a.ended(STALE + 30_000, 1, 'tx-1')]);
    expect((await store.findEndedTransaction('CP-1', 'tx-1'))!.ended).toMatchObject({ closedBy: 'station' });
  });

  it("leaves a close whose journal append failed in tx:closing and publishes the same event after retryAfterMs", async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    let down = true;
    const published: TransactionEnded[][] = [];
    const w = sweeper(published, { fail: () => down });
    const first = await w.closeStaleTransactions(T0 + STALE + 60_000);
    expect(first.closed).toEqual([]);
    expect(await store.findTransaction('CP-1', 'tx-1')).toBeUndefined();
    expect(await redis.zcard(store.globalTxKeys.closing)).toBe(1);
    down = false;
    // Too early: the sweeper that made the close may still be publishing it.
    expect((await w.closeStaleTransactions(T0 + STALE + 90_000)).recovered).toBe(0);
    const later = await sweeper(published).closeStaleTransactions(T0 + STALE + 200_000);
    expect(later.recovered).toBe(1);
    expect(published).toHaveLength(1);
    expect(published[0]![0]).toMatchObject({ transactionId: 'tx-1', time: T0 + 1_000, stoppedReason: 'StaleNoActivity', closedBy: 'collector' });
    expect(await redis.zcard(store.globalTxKeys.closing)).toBe(0);
  });

  it('also sweeps transactions opened before activity was recorded (backfill from their start)', async () => {
    const keys = store.txKeys('CP-1');
    await redis.sadd(`${prefix}stations`, 'CP-1');
    await redis.hset(keys.transactions, 'legacy', JSON.stringify({ transactionId: 'legacy', evseId: 1, connectorId: 1, startedAt: T0 }));
    const result = await sweeper().closeStaleTransactions(T0 + STALE + 60_000);
    expect(result.closed).toEqual([expect.objectContaining({ transactionId: 'legacy', time: T0, closedBy: 'collector' })]);
  });
});
