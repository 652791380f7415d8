/**
 * Transaction and connector-problem state in real Redis: what an end records so resends and late ends
 * are recognised, what a resend may never change, the activity the stale sweep reads, the look-ups the
 * adapters ask for (ending, lost by reboot, ownership).
 */
import { StationStore } from '../../src/state/station-store';
import { activityMember } from '../../src/state/transaction-records';
import { redisPerTest } from './redis-per-test';
import { T0, txEvents } from './tx-events';

const ctx = redisPerTest('tx');
let store: StationStore;
let redis: typeof ctx.redis;
beforeEach(() => {
  redis = ctx.redis;
  store = new StationStore(redis, ctx.prefix);
});

const a = txEvents('CP-1');
const index = () => store.globalTxKeys.activityIndex;
const activityOf = async (txId: string) => ({
  station: await redis.hget(store.txKeys('CP-1').activity, txId),
  index: await redis.zscore(index(), activityMember('CP-1', txId)),
});

describe('ended records', () => {
  it('keep the transaction as it was open, with how it ended', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1', { meterStartWh: 1234 })]);
    await store.apply([a.ended(9_000, 1, 'tx-1', { meterStopWh: 5000 })]);
    expect(await store.findEndedTransaction('CP-1', 'tx-1')).toEqual({
      transactionId: 'tx-1',
      evseId: 1,
      connectorId: 1,
      startedAt: T0 + 1_000,
      meterStartWh: 1234,
      idToken: { id: 'RFID-1', type: 'ISO14443' },
      ended: { time: T0 + 9_000, stoppedReason: 'EVDisconnected', closedBy: 'station', meterStopWh: 5000 },
    });
    expect(await store.transactions.find('CP-1', 'tx-1')).toMatchObject({ ended: { closedBy: 'station' } });
  });

  it('are written for a transaction never seen open, so its resend is recognised too', async () => {
    await store.apply([a.ended(9_000, 2, 'never-started')]);
    expect(await store.findEndedTransaction('CP-1', 'never-started')).toMatchObject({ evseId: 2, startedAt: T0 + 9_000, startUnseen: true, ended: { time: T0 + 9_000 } });
  });

  it('expire after seven days', async () => {
    await store.apply([a.ended(9_000, 1, 'tx-1')]);
    const ttl = await redis.ttl(store.txKeys('CP-1').ended('tx-1'));
    expect(ttl).toBeGreaterThan(7 * 24 * 3600 - 60);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
  });
});

describe('resends never change the state', () => {
  it('a resent start keeps the first start and does not reopen an ended transaction', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1', { meterStartWh: 1000 })]);
    await store.apply([a.started(1_000, 1, 'tx-1', { meterStartWh: 999, resent: true })]);
    expect(await store.findTransaction('CP-1', 'tx-1')).toMatchObject({ meterStartWh: 1000 });
    await store.apply([a.ended(5_000, 1, 'tx-1')]);
    await store.apply([a.started(1_000, 1, 'tx-1', { resent: true })]);
    expect(await store.findTransaction('CP-1', 'tx-1')).toBeUndefined();
    expect((await store.get('CP-1'))!.connectors[0]!.transactionId).toBeUndefined();
  });

  it('a start or an Updated replayed after the end does not reopen it', async () => {
    await store.apply([a.ended(5_000, 1, 'tx-1')]);
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.updated(6_000, 1, 'tx-1')]);
    const s = (await store.get('CP-1'))!;
    expect(s.transactions).toEqual([]);
    expect(s.connectors.every((c) => c.transactionId === undefined)).toBe(true);
    expect(await activityOf('tx-1')).toEqual({ station: null, index: null });
  });

  it('a resent end leaves the recorded end as it was', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.ended(9_000, 1, 'tx-1', { meterStopWh: 5000 })]);
    await store.apply([a.ended(9_000, 1, 'tx-1', { meterStopWh: 4000, resent: true })]);
    expect((await store.findEndedTransaction('CP-1', 'tx-1'))!.ended).toMatchObject({ meterStopWh: 5000 });
  });

  it("the station's late end replaces a close by policy in the record", async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.ended(2_000, 1, 'tx-1', { closedBy: 'collector', stoppedReason: 'StaleAfterReboot', meterStopWh: undefined })]);
    const supersedes = { time: T0 + 2_000, stoppedReason: 'StaleAfterReboot' };
    await store.apply([a.ended(3_000, 1, 'tx-1', { resent: true, supersedes, start: { time: T0 + 1_000, meterStartWh: 1000 } })]);
    expect(await store.findEndedTransaction('CP-1', 'tx-1')).toMatchObject({
      startedAt: T0 + 1_000,
      meterStartWh: 1000,
      ended: { time: T0 + 3_000, closedBy: 'station', stoppedReason: 'EVDisconnected', meterStopWh: 5000, supersedes },
    });
    expect(await store.findTransaction('CP-1', 'tx-1')).toBeUndefined();
  });
});

describe('activity', () => {
  it('a start indexes the transaction, meter values refresh it at most once a minute, the end removes it', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    expect(await activityOf('tx-1')).toEqual({ station: String(T0 + 1_000), index: String(T0 + 1_000) });
    await store.apply([a.meter(30_000, 1, 'tx-1', 1500)]);
    expect((await activityOf('tx-1')).station).toBe(String(T0 + 1_000));
    await store.apply([a.meter(61_000, 1, 'tx-1', 1600)]);
    expect(await activityOf('tx-1')).toEqual({ station: String(T0 + 61_000), index: String(T0 + 61_000) });
    await store.apply([a.updated(62_000, 1, 'tx-1')]);
    expect((await activityOf('tx-1')).station).toBe(String(T0 + 62_000));
    await store.apply([a.ended(70_000, 1, 'tx-1')]);
    expect(await activityOf('tx-1')).toEqual({ station: null, index: null });
  });

  it('after a boot the next meter value writes at once', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.booted(2_000)]);
    await store.apply([a.meter(3_000, 1, 'tx-1', 1500)]);
    expect((await activityOf('tx-1')).station).toBe(String(T0 + 3_000));
  });

  it('ending() bumps the activity of an open transaction and returns its record, open or ended', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    expect(await store.transactions.ending('CP-1', 'tx-1', T0 + 5_000)).toMatchObject({ transactionId: 'tx-1', startedAt: T0 + 1_000 });
    expect((await activityOf('tx-1')).station).toBe(String(T0 + 5_000));
    // Never moves back.
    await store.transactions.ending('CP-1', 'tx-1', T0 + 4_000);
    expect((await activityOf('tx-1')).station).toBe(String(T0 + 5_000));
    await store.apply([a.ended(6_000, 1, 'tx-1')]);
    expect(await store.transactions.ending('CP-1', 'tx-1', T0 + 7_000)).toMatchObject({ ended: { time: T0 + 6_000 } });
    // An ended or unknown transaction gets no activity back.
    expect(await activityOf('tx-1')).toEqual({ station: null, index: null });
    expect(await store.transactions.ending('CP-1', 'nope', T0 + 7_000)).toBeUndefined();
    expect(await redis.hlen(store.txKeys('CP-1').activity)).toBe(0);
  });
});

describe('lostByReboot', () => {
  it('finds the transactions on that connector last active before the last boot, and marks them active', async () => {
    await store.apply([a.started(1_000, 1, 'old-1'), a.started(1_000, 2, 'old-2')]);
    await store.apply([a.booted(5_000)]);
    await store.apply([a.started(6_000, 3, 'after-boot')]);
    expect(await store.transactions.lostByReboot('CP-1', { evseId: 3, connectorId: 1 }, T0 + 7_000)).toEqual([]);
    const lost = await store.transactions.lostByReboot('CP-1', { evseId: 1, connectorId: 1 }, T0 + 7_000);
    expect(lost).toEqual([expect.objectContaining({ transactionId: 'old-1', lastActivity: T0 + 1_000 })]);
    expect((await activityOf('old-1')).station).toBe(String(T0 + 7_000));
    expect((await activityOf('old-2')).station).toBe(String(T0 + 1_000));
  });

  it('a transaction named after the boot is not lost', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.booted(5_000)]);
    await store.apply([a.meter(6_000, 1, 'tx-1', 1500)]);
    expect(await store.transactions.lostByReboot('CP-1', { evseId: 1, connectorId: 1 }, T0 + 7_000)).toEqual([]);
  });

  it('without a recorded boot nothing is lost', async () => {
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    expect(await store.transactions.lostByReboot('CP-1', { evseId: 1, connectorId: 1 }, T0 + 7_000)).toEqual([]);
  });
});

describe('ownership', () => {
  it('gives each station its owner collector and open transaction ids', async () => {
    await store.apply([a.opened(0, 'col-A'), a.started(1_000, 1, 'tx-1')]);
    const b = txEvents('CP-2');
    await store.apply([b.opened(0, 'col-B')]);
    const own = await store.transactions.ownership(['CP-1', 'CP-2', 'CP-3']);
    expect(Object.fromEntries(own)).toEqual({
      'CP-1': { owner: 'col-A', transactionIds: ['tx-1'] },
      'CP-2': { owner: 'col-B', transactionIds: [] },
      'CP-3': { owner: undefined, transactionIds: [] },
    });
  });
});
