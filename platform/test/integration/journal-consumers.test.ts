/**
 * The journal with several consumer groups, against real Redis: each group reads every entry and
 * acknowledges on its own; the stream is trimmed only past what every registered group has handled;
 * a registered group that never started holds it; lag and oldest age are per group; an entry of an
 * unknown format stays pending and holds the trim; a crash between handling and acknowledging
 * redelivers the same event keys.
 */
import { eventKey, type ChargeEvent } from '@chargewatch/model';
import { JournalConsumer, type JournalEntry } from '../../src/journal/journal-consumer';
import { RedisJournal } from '../../src/journal/redis-journal';
import { silentLogger } from '../../src/logger';
import { redisPerTest } from './redis-per-test';

const ctx = redisPerTest('journal-groups');

const heartbeat = (stationId: string, i: number): ChargeEvent => ({ type: 'station.heartbeat', stationId, time: 1_700_000_000_000 + i, receivedAt: 1_700_000_000_000 + i }) as ChargeEvent;

async function until(cond: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A consumer whose handler records event keys, and can be told to fail or to hang. */
function recording(journal: RedisJournal, group: string, consumer = 'c1') {
  const seen: string[] = [];
  const stations: string[] = [];
  let failNext = 0;
  const redis = ctx.redis.duplicate();
  const c = new JournalConsumer({
    redis,
    journal,
    consumer,
    logger: silentLogger,
    claimIdleMs: 600_000,
    handler: {
      group,
      async handle(entries: JournalEntry[]) {
        if (failNext > 0) {
          failNext--;
          throw new Error('store unavailable');
        }
        for (const { id, entry } of entries) {
          if (entry.kind !== 'events') continue;
          entry.events.forEach((e, i) => {
            seen.push(eventKey(id, i));
            stations.push(`${e.stationId}@${entry.stations[e.stationId]?.site ?? '-'}`);
          });
        }
      },
    },
  });
  return {
    consumer: c,
    seen,
    stations,
    failOnce: () => (failNext = 1),
    stop: async () => {
      await c.stop();
      redis.disconnect();
    },
  };
}

describe('journal consumer groups', () => {
  it('gives every group every event, with the station context of its arrival', async () => {
    const sites: Record<string, string> = { 'CP-1': 'quay' };
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000, { stationContext: (id) => (sites[id] ? { site: sites[id] } : undefined) });
    const a = recording(journal, 'influx');
    const b = recording(journal, 'billing');
    await Promise.all([a.consumer.start(), b.consumer.start()]);
    await Promise.all([journal.append([heartbeat('CP-1', 1), heartbeat('CP-2', 2)]), journal.append([heartbeat('CP-1', 3)])]);
    await until(() => a.seen.length === 3 && b.seen.length === 3);
    expect(a.seen).toEqual(b.seen);
    expect(a.stations).toEqual(['CP-1@quay', 'CP-2@-', 'CP-1@quay']);
    await until(async () => (await journal.backlog()).entries === 0);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('trims only past the slowest registered group, and not at all while one has never started', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    const fast = recording(journal, 'influx');
    await fast.consumer.start();
    // Registered (a worker that will run it was deployed) but not started: its group does not exist yet.
    await ctx.redis.sadd(journal.groupsKey, 'uptime');
    for (let i = 0; i < 5; i++) await journal.append([heartbeat('CP-1', i)]);
    await until(() => fast.seen.length === 5);
    expect(await journal.trim()).toBe(-1);
    expect((await journal.backlog()).entries).toBe(5);
    const stats = await journal.consumerStats();
    expect(stats.find((s) => s.consumer === 'uptime')).toMatchObject({ lag: 5, missing: true });
    expect(stats.find((s) => s.consumer === 'influx')).toMatchObject({ lag: 0, pending: 0, oldestAgeSeconds: 0, missing: false });

    // It starts, from the oldest entry: it gets all five, and then the stream can go.
    const slow = recording(journal, 'uptime');
    await slow.consumer.start();
    await until(() => slow.seen.length === 5);
    await until(async () => (await journal.backlog()).entries === 0);
    await Promise.all([fast.stop(), slow.stop()]);
  });

  it('reports a failing group\'s lag and oldest age, keeps its entries, and hands them over again', async () => {
    let now = Date.now();
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000, { now: () => now });
    const ok = recording(journal, 'influx');
    const failing = recording(journal, 'billing');
    await Promise.all([ok.consumer.start(), failing.consumer.start()]);
    failing.failOnce();
    await journal.append([heartbeat('CP-1', 1), heartbeat('CP-1', 2)]);
    await until(() => ok.seen.length === 2);
    now += 60_000;
    const stats = await journal.consumerStats();
    const billing = stats.find((s) => s.consumer === 'billing')!;
    // Read once and not acknowledged (the handler threw): pending, a minute old.
    expect(billing).toMatchObject({ lag: 1, pending: 1 });
    expect(billing.oldestAgeSeconds).toBeGreaterThanOrEqual(59);
    expect((await journal.backlog()).entries).toBe(1);
    // The consumer retries its own pending entries: the same event keys come back.
    await until(() => failing.seen.length === 2, 5000);
    expect(failing.seen).toEqual(ok.seen);
    await until(async () => (await journal.backlog()).entries === 0);
    await Promise.all([ok.stop(), failing.stop()]);
  });

  it('leaves an entry of a format it cannot read pending, counts it, handles the rest, and keeps the entry', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
    let unreadable = 0;
    const seen: string[] = [];
    const redis = ctx.redis.duplicate();
    const c = new JournalConsumer({
      redis,
      journal,
      consumer: 'c1',
      logger: silentLogger,
      onUnreadable: (n) => (unreadable += n),
      handler: { group: 'influx', handle: async (entries) => void entries.forEach((e) => seen.push(e.id)) },
    });
    await journal.ensureGroup('influx');
    const future = await ctx.redis.xadd(journal.key, '*', 'v', '2', 'b', '{}');
    await journal.append([heartbeat('CP-1', 1)]);
    await c.start();
    try {
      await until(() => seen.length === 1);
      expect(unreadable).toBe(1);
      // The trim stops at it (MINID trims from the head only): a process that knows format 2 still finds it.
      expect(await journal.trim()).toBe(0);
      expect((await ctx.redis.xrange(journal.key, '-', '+'))[0]![0]).toBe(future);
      const [stats] = await journal.consumerStats();
      expect(stats).toMatchObject({ consumer: 'influx', pending: 1, lag: 1 });
    } finally {
      await c.stop();
      redis.disconnect();
    }
  });

  it('refuses appends beyond the bound the slowest consumer leaves, so stations retry instead of losing data', async () => {
    const journal = new RedisJournal(ctx.redis, ctx.prefix, 2);
    await journal.ensureGroup('influx');
    await journal.append([heartbeat('CP-1', 1)]);
    await journal.append([heartbeat('CP-1', 2)]);
    await journal.backlog();
    await expect(journal.append([heartbeat('CP-1', 3)])).rejects.toThrow(/journal full/);
  });
});
