/**
 * The journal's group commit against real Redis: the calls of one event-loop turn share one entry
 * (one XADD), calls arriving while a commit is in flight share the next, a turn too big for one entry is
 * split into several stored together, each append resolves only once its events are in the stream, and
 * a refusal by Redis rejects every call of the commit whichever path (single XADD or MULTI) it took,
 * while a call whose events cannot be encoded is refused alone.
 */
import { decodeJournalEntry, type ChargeEvent } from '@chargewatch/model';
import { RedisJournal } from '../../src/journal/redis-journal';
import { redisPerTest } from './redis-per-test';

const ctx = redisPerTest('journal-commit');

const turn = () => new Promise((r) => setImmediate(r));

const heartbeat = (stationId: string, i: number): ChargeEvent => ({ type: 'station.heartbeat', stationId, time: 1_700_000_000_000 + i, receivedAt: 1_700_000_000_000 + i }) as ChargeEvent;

async function entries(journal: RedisJournal): Promise<Array<{ id: string; events: ChargeEvent[] }>> {
  const raw = await ctx.redis.xrange(journal.key, '-', '+');
  return raw.map(([id, fields]) => {
    const d = decodeJournalEntry(fields);
    if (d.kind !== 'events') throw new Error(`entry ${id} is ${d.kind}`);
    return { id, events: d.events };
  });
}

describe('journal group commit', () => {
  it('stores the calls of one turn as one entry, with their stations, before any of them resolves', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000, { stationContext: (id) => (id === 'CP-1' ? { site: 'quay' } : undefined) });
    let stored = -1;
    const calls = [journal.append([heartbeat('CP-1', 1)]), journal.append([heartbeat('CP-2', 2), heartbeat('CP-2', 3)])];
    calls[0]!.then(async () => {
      stored = (await entries(journal)).reduce((a, e) => a + e.events.length, 0);
    });
    await Promise.all(calls);
    await new Promise((r) => setImmediate(r));
    const all = await entries(journal);
    expect(all).toHaveLength(1);
    expect(all[0]!.events.map((e) => e.time - 1_700_000_000_000)).toEqual([1, 2, 3]);
    expect(stored).toBe(3);
    const raw = await ctx.redis.xrange(journal.key, '-', '+');
    expect(JSON.parse(raw[0]![1][3]!).s).toEqual({ 'CP-1': { site: 'quay' } });
  });

  it('holds the calls of later turns while a commit is in flight and stores them as the next entry', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    // Redis holds writes for 300 ms: the first commit stays in flight while three more turns append.
    const admin = ctx.redis.duplicate();
    await admin.client('PAUSE', 300, 'WRITE');
    await admin.quit();
    const first = journal.append([heartbeat('CP-1', 1)]);
    await turn();
    const later: Promise<void>[] = [];
    for (let i = 2; i <= 4; i++) {
      later.push(journal.append([heartbeat('CP-1', i)]));
      await turn();
    }
    await Promise.all([first, ...later]);
    const all = await entries(journal);
    expect(all.map((e) => e.events.map((x) => x.time - 1_700_000_000_000))).toEqual([[1], [2, 3, 4]]);
  });

  it('commits the calls that waited behind a refused commit', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    await ctx.redis.set(journal.key, 'not a stream');
    const refused = journal.append([heartbeat('CP-1', 1)]);
    await turn();
    const waiting = journal.append([heartbeat('CP-1', 2)]);
    await expect(refused).rejects.toThrow(/WRONGTYPE/);
    await ctx.redis.del(journal.key);
    await waiting;
    expect((await entries(journal)).map((e) => e.events.length)).toEqual([1]);
  });

  it('refuses only the call whose events JSON cannot carry; its neighbours in the commit are stored', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    const broken = { ...heartbeat('CP-2', 2), skew: BigInt(1) } as unknown as ChargeEvent;
    const results = await Promise.allSettled([journal.append([heartbeat('CP-1', 1)]), journal.append([broken]), journal.append([heartbeat('CP-3', 3)])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/BigInt/);
    expect((await entries(journal)).map((e) => e.events.map((x) => x.stationId))).toEqual([['CP-1', 'CP-3']]);
  });

  it('splits a turn of 2,500 events into entries of at most 1,000, in order', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    await Promise.all(Array.from({ length: 2500 }, (_, i) => journal.append([heartbeat(`CP-${i % 7}`, i)])));
    const all = await entries(journal);
    expect(all.map((e) => e.events.length)).toEqual([1000, 1000, 500]);
    expect(all.flatMap((e) => e.events.map((x) => x.time - 1_700_000_000_000))).toEqual(Array.from({ length: 2500 }, (_, i) => i));
  });

  it.each([
    ['one entry (a single XADD)', 3],
    ['several entries (MULTI)', 1500],
  ])('rejects every call of the commit when Redis refuses it: %s', async (_label, n) => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    // A key of another type: XADD answers WRONGTYPE, as it would any other refusal.
    await ctx.redis.set(journal.key, 'not a stream');
    const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => journal.append([heartbeat('CP-1', i)])));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
  });
});
