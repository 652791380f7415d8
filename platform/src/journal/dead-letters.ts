/**
 * The dead-letter stream: lines InfluxDB refused for good, kept with the reason so nothing acknowledged
 * to a station vanishes (key `RedisKeys.deadLetter('influx')`, docs/data-model.md). Fields per entry:
 * `line` (the line protocol as sent), `reason` (InfluxDB's answer), `at` (epoch ms when refused).
 *
 * Bounded: add() refuses with DeadLetterFullError when the stream would exceed `maxEntries`; the sink
 * then waits and the journal stops being acknowledged (its backlog alert fires) rather than dropping.
 * The check and the XADDs run in one script, so collectors sharing the stream cannot overshoot it.
 * Entries are written with the same Redis persistence as the journal, before its entries are acked.
 */
import type { Redis } from 'ioredis';
import { DeadLetterFullError, type DeadLetterSink, type RejectedLine } from '../sinks/influx/sink-types';
import { settleLines, type WriteAttempt } from '../sinks/influx/settle';

export interface DeadLetter {
  id: string;
  /** Epoch ms when the line was refused. */
  at: number;
  reason: string;
  line: string;
}

export interface DeadLetterPage {
  total: number;
  items: DeadLetter[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}

export interface ReplayResult {
  /** Entries re-submitted. */
  replayed: number;
  /** Of those, written now and removed from the stream. */
  written: number;
  /** Of those, still refused (they stay, with their original reason). */
  stillRejected: number;
}

const ADD_SCRIPT = `
local len = redis.call('XLEN', KEYS[1])
local n = (#ARGV - 2) / 2
if len + n > tonumber(ARGV[1]) then return redis.error_reply('DEADLETTER_FULL ' .. len) end
for i = 3, #ARGV, 2 do
  redis.call('XADD', KEYS[1], '*', 'line', ARGV[i], 'reason', ARGV[i + 1], 'at', ARGV[2])
end
return len + n`;

type Entry = [id: string, fields: string[]];

function toDeadLetter([id, fields]: Entry): DeadLetter {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  return { id, at: Number(f.at ?? id.split('-')[0]), reason: f.reason ?? '', line: f.line ?? '' };
}

export class DeadLetterStream implements DeadLetterSink {
  constructor(
    private readonly redis: Redis,
    /** From RedisKeys.deadLetter('influx'). */
    readonly key: string,
    readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async add(items: RejectedLine[]): Promise<void> {
    if (items.length === 0) return;
    const args: string[] = [String(this.maxEntries), String(this.now())];
    for (const { line, reason } of items) args.push(line, reason);
    try {
      await this.redis.eval(ADD_SCRIPT, 1, this.key, ...args);
    } catch (err) {
      const m = /DEADLETTER_FULL (\d+)/.exec(String((err as Error).message));
      if (m) throw new DeadLetterFullError(Number(m[1]), this.maxEntries);
      throw err;
    }
  }

  count(): Promise<number> {
    return this.redis.xlen(this.key);
  }

  /** Newest first; `before` (an id) starts below it. */
  async list(opts: { limit: number; before?: string }): Promise<DeadLetterPage> {
    const end = opts.before ? `(${opts.before}` : '+';
    const [total, entries] = await Promise.all([
      this.redis.xlen(this.key),
      this.redis.xrevrange(this.key, end, '-', 'COUNT', opts.limit + 1) as Promise<Entry[]>,
    ]);
    const items = entries.slice(0, opts.limit).map(toDeadLetter);
    return { total, items, ...(entries.length > opts.limit ? { next: items[items.length - 1]!.id } : {}) };
  }

  /** The entries with these ids (missing ones left out), or the oldest `limit` when no ids are given. */
  async read(opts: { ids?: string[]; limit: number }): Promise<DeadLetter[]> {
    if (!opts.ids) return ((await this.redis.xrange(this.key, '-', '+', 'COUNT', opts.limit)) as Entry[]).map(toDeadLetter);
    const m = this.redis.multi();
    for (const id of opts.ids.slice(0, opts.limit)) m.xrange(this.key, id, id);
    const res = (await m.exec()) ?? [];
    return res.flatMap(([err, entries]) => (err ? [] : (entries as Entry[]).map(toDeadLetter)));
  }

  /** Deletes entries; resolves how many existed. */
  async remove(ids: string[]): Promise<number> {
    return ids.length ? this.redis.xdel(this.key, ...ids) : 0;
  }

  /**
   * Re-submits entries (after the operator fixed the cause) and removes those now written; ones still
   * refused stay. `attempt` writes once and rejects on transient errors (InfluxDB down), in which case
   * nothing more is removed and the error reaches the caller.
   */
  async replay(attempt: WriteAttempt, opts: { ids?: string[]; limit: number }): Promise<ReplayResult> {
    const entries = await this.read(opts);
    const written: string[] = [];
    let stillRejected = 0;
    await settleLines(entries.map((e) => e.line), attempt, {
      written: async (indices) => {
        const ids = indices.map((i) => entries[i]!.id);
        await this.remove(ids);
        written.push(...ids);
      },
      rejected: () => {
        stillRejected++;
      },
    });
    return { replayed: entries.length, written: written.length, stillRejected };
  }
}
