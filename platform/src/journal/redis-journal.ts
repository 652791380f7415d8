/**
 * The durable record behind every acknowledgement. A station's call is answered only after the InfluxDB
 * lines of its events are appended to a Redis stream; a consumer group then writes them to InfluxDB and
 * deletes them once InfluxDB has them. With Redis persistence (AOF) an acknowledged event survives a
 * collector crash, an InfluxDB outage and a Redis restart.
 *
 * Stream `{prefix}journal`: field `l` = line protocol, lines joined by "\n"; an entry with a line that
 * holds a newline itself (legal inside a string field) is stored as field `j`, a JSON array of lines,
 * instead, so splitting never cuts such a line in two (entryLines reads both). Appends are group-committed:
 * the calls that arrive within one turn of the event loop share one entry and one XADD, and all of
 * them are answered when it is stored. Consumer group `influx`; each collector reads as consumer
 * `COLLECTOR_ID`.
 */
import type { Redis } from 'ioredis';

export class JournalFullError extends Error {
  override readonly name = 'JournalFullError';
  constructor(readonly entries: number, readonly maxEntries: number) {
    super(`durable journal full (${entries} of ${maxEntries} entries waiting for InfluxDB); retry later`);
  }
}

export interface JournalBacklog {
  /** Entries appended and not yet confirmed written to InfluxDB. */
  entries: number;
  /** Age of the oldest such entry, seconds (0 when empty). */
  oldestAgeSeconds: number;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** Lines per entry at most; a busier turn of the event loop is split into several entries. */
const MAX_LINES_PER_ENTRY = 5000;

/** The lines of one journal entry's fields (`l` joined by newlines, or `j` a JSON array). */
export function entryLines(fields: string[] | null | undefined): string[] {
  if (!fields) return [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'l') return fields[i + 1] ? fields[i + 1]!.split('\n') : [];
    if (fields[i] === 'j') return JSON.parse(fields[i + 1]!) as string[];
  }
  return [];
}

export class RedisJournal {
  readonly key: string;
  readonly group = 'influx';
  /** Entry count as of the last backlog poll plus appends since: cheap enough to check per call. */
  private approxEntries = 0;
  private pendingLines: string[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${prefix}journal`;
  }

  /** Resolves once Redis has the lines (and, with appendfsync always, the disk has them). */
  append(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    if (this.approxEntries >= this.maxEntries) return Promise.reject(new JournalFullError(this.approxEntries, this.maxEntries));
    return new Promise<void>((resolve, reject) => {
      for (const line of lines) this.pendingLines.push(line);
      this.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  private commit(): void {
    const lines = this.pendingLines;
    const waiters = this.waiters;
    this.pendingLines = [];
    this.waiters = [];
    this.scheduled = false;
    const m = this.redis.multi();
    for (let i = 0; i < lines.length; i += MAX_LINES_PER_ENTRY) {
      const chunk = lines.slice(i, i + MAX_LINES_PER_ENTRY);
      if (chunk.some((l) => l.includes('\n'))) m.xadd(this.key, '*', 'j', JSON.stringify(chunk));
      else m.xadd(this.key, '*', 'l', chunk.join('\n'));
      this.approxEntries++;
    }
    m.exec().then(
      (res) => {
        const failed = res?.find(([err]) => err)?.[0];
        if (failed || !res) for (const w of waiters) w.reject(failed ?? new Error('journal append aborted'));
        else for (const w of waiters) w.resolve();
      },
      (err) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }

  async ensureGroup(): Promise<void> {
    try {
      // Start at 0, not $: entries appended before the group existed must be written too.
      await this.redis.xgroup('CREATE', this.key, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  async backlog(): Promise<JournalBacklog> {
    const [len, first] = await Promise.all([this.redis.xlen(this.key), this.redis.xrange(this.key, '-', '+', 'COUNT', 1)]);
    this.approxEntries = len;
    const id = first[0]?.[0];
    const oldestMs = id ? Number(id.split('-')[0]) : undefined;
    return { entries: len, oldestAgeSeconds: oldestMs === undefined ? 0 : Math.max(0, (this.now() - oldestMs) / 1000) };
  }
}
