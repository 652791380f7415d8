/**
 * Journal → InfluxDB with refused lines, against real Redis and the harness's influxd 1.6.7: a batch
 * holding unparsable lines and a type conflict is settled line by line (1.6 stores the good lines of the
 * partial write; resending them must not duplicate them), bad lines reach the dead-letter stream with
 * the reason before the journal entry is acknowledged, a full stream stops acknowledgement, and replay
 * writes what now fits. The raw lines go in as entries of the journal's earlier format (line protocol),
 * which the `influx` consumer still writes after an upgrade: the serialiser never produces such lines.
 */
import { RedisKeys } from '@chargewatch/model';
import { influxQuery } from '@chargewatch/tools';
import { DeadLetterStream } from '../../src/journal/dead-letters';
import { JournalConsumer } from '../../src/journal/journal-consumer';
import { RedisJournal } from '../../src/journal/redis-journal';
import { silentLogger } from '../../src/logger';
import { ensureInfluxDatabase } from '../../src/sinks/influx/database';
import { writeOnce } from '../../src/sinks/influx/settle';
import { influxJournalHandler } from '../../src/sinks/influx/journal-handler';
import { InfluxSink } from '../../src/sinks/influx/sink';
import { V1Writer } from '../../src/sinks/influx/writer';
import { redisPerTest } from './redis-per-test';

const url = process.env.TEST_INFLUX_URL!;
let seq = 0;
const ctx = redisPerTest('deadletter');

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setup(maxDeadLetters = 1000) {
  const db = `cw_dl_${process.pid}_${++seq}`;
  await ensureInfluxDatabase(url, db);
  const writer = new V1Writer({ url, api: 'v1', database: db });
  const deadLetters = new DeadLetterStream(ctx.redis, new RedisKeys(ctx.prefix).deadLetter('influx'), maxDeadLetters);
  const counted = { written: 0, rejected: 0, full: 0 };
  const sink = new InfluxSink({
    writer,
    deadLetters,
    flushIntervalMs: 10,
    retryMinDelayMs: 10,
    retryMaxDelayMs: 20,
    metrics: { pointsWritten: (n) => (counted.written += n), rejected: (n) => (counted.rejected += n), deadLetterFull: (n) => (counted.full += n), writeFailed() {}, writeDuration() {}, backlog() {} },
  });
  const journal = new RedisJournal(ctx.redis, ctx.prefix, 1000);
  const drainRedis = ctx.redis.duplicate();
  const drain = new JournalConsumer({ redis: drainRedis, journal, handler: influxJournalHandler(sink, silentLogger), consumer: 'c1', logger: silentLogger, claimIdleMs: 600_000 });
  await drain.start();
  /** One entry of the format before versioned event batches: lines joined by newlines, or a JSON array when one holds a newline. */
  const appendLines = async (lines: string[]) => {
    if (lines.some((l) => l.includes('\n'))) await ctx.redis.xadd(journal.key, '*', 'j', JSON.stringify(lines));
    else await ctx.redis.xadd(journal.key, '*', 'l', lines.join('\n'));
  };
  const stop = async () => {
    const stopped = drain.stop();
    await sink.close({ timeoutMs: 200 });
    await stopped;
    drainRedis.disconnect();
  };
  return { db, writer, deadLetters, sink, journal, appendLines, counted, stop };
}

const T = Date.now() - 3_600_000;
const good = (i: number) => `m,station_id=CP-${i} v=${i} ${T + i}`;

describe('journal influx consumer with refused lines (real Redis, InfluxDB 1.6)', () => {
  it('settles a partial write exactly: good lines once in InfluxDB, bad ones dead-lettered, then acked', async () => {
    const s = await setup();
    // Lines the serialiser never produces, written raw: what a parser difference or a bug would send.
    const unparsable = [`m,station_id=CP\\ v=1 ${T + 100}`, `m,station_id=A\\\\,x=y v=1 ${T + 101}`];
    const conflict = `m,station_id=CP-7 v="text" ${T + 102}`;
    const withNewline = `m,station_id=CP-9 v=9,note="two\nlines" ${T + 103}`;
    const lines = [...Array.from({ length: 20 }, (_x, i) => good(i)), ...unparsable, conflict, withNewline];
    await s.appendLines([lines[0]!, unparsable[0]!, ...lines.slice(1, 10)]);
    await s.appendLines([...lines.slice(10, 20), unparsable[1]!, conflict, withNewline]);
    await until(async () => (await s.journal.backlog()).entries === 0);

    const rows = await influxQuery(url, s.db, 'SELECT * FROM "m"');
    expect(rows).toHaveLength(21);
    expect(rows.find((r) => r.time === T + 103)?.note).toBe('two\nlines');
    const dl = await s.deadLetters.list({ limit: 10 });
    expect(dl.total).toBe(3);
    expect(dl.items.map((d) => d.line).sort()).toEqual([...unparsable, conflict].sort());
    expect(dl.items.find((d) => d.line === conflict)!.reason).toMatch(/field type conflict/);
    expect(dl.items.find((d) => d.line === unparsable[0])!.reason).toMatch(/invalid tag format/);
    expect(s.counted).toEqual({ written: 21, rejected: 3, full: 0 });
    await s.stop();
  });

  it('a full dead-letter stream stops acknowledgement instead of dropping; room lets it go on', async () => {
    const s = await setup(1);
    await s.appendLines([good(1), `m,t=a\\ v=1 ${T + 1}`, `m,t=b\\ v=1 ${T + 2}`]);
    await until(async () => s.counted.full > 2);
    expect(await s.deadLetters.count()).toBe(1);
    expect((await s.journal.backlog()).entries).toBe(1);
    // The operator deals with the first one: the second goes in and the entry is acknowledged.
    const [first] = (await s.deadLetters.list({ limit: 1 })).items;
    await s.deadLetters.remove([first!.id]);
    await until(async () => (await s.journal.backlog()).entries === 0);
    expect((await s.deadLetters.list({ limit: 5 })).items.map((d) => d.line)).toHaveLength(1);
    expect(s.counted).toMatchObject({ written: 1, rejected: 2 });
    await s.stop();
  });

  it('replay writes the entries that now fit and keeps the ones still refused', async () => {
    const s = await setup();
    const conflict = `m,station_id=CP-7 v="text" ${T + 102}`;
    const unparsable = `m,station_id=CP\\ v=1 ${T + 100}`;
    await s.appendLines([good(1), conflict, unparsable]);
    await until(async () => (await s.journal.backlog()).entries === 0);
    expect(await s.deadLetters.count()).toBe(2);
    // The operator fixes the cause of the conflict (here: the field's type) and replays.
    await influxQuery(url, s.db, 'DROP MEASUREMENT "m"');
    const res = await s.deadLetters.replay(writeOnce(s.writer), { limit: 100 });
    expect(res).toEqual({ replayed: 2, written: 1, stillRejected: 1 });
    expect((await s.deadLetters.list({ limit: 5 })).items.map((d) => d.line)).toEqual([unparsable]);
    expect(await influxQuery(url, s.db, 'SELECT * FROM "m"')).toEqual([expect.objectContaining({ v: 'text', station_id: 'CP-7' })]);
    await s.stop();
  });

  it('lists newest first, in pages', async () => {
    const s = await setup();
    for (let i = 0; i < 5; i++) await s.deadLetters.add([{ line: `l${i}`, reason: `r${i}` }]);
    const p1 = await s.deadLetters.list({ limit: 2 });
    expect(p1.items.map((d) => d.line)).toEqual(['l4', 'l3']);
    const p2 = await s.deadLetters.list({ limit: 2, before: p1.next });
    expect(p2.items.map((d) => d.line)).toEqual(['l2', 'l1']);
    const p3 = await s.deadLetters.list({ limit: 2, before: p2.next });
    expect(p3).toMatchObject({ total: 5, items: [expect.objectContaining({ line: 'l0', reason: 'r0' })] });
    expect(p3.next).toBeUndefined();
    await s.stop();
  });
});
