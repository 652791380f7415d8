/**
 * Moves journal entries into InfluxDB: read a batch through the consumer group, hand the lines to the
 * InfluxDB sink, wait until every line is settled — accepted by InfluxDB (the sink retries through
 * outages) or, if InfluxDB refuses it, durably in the dead-letter stream (the sink waits while that is
 * full) — then acknowledge and delete the entries. Nothing is acked with a line in neither place. A crash between write and acknowledgement only means the same
 * lines are written again, which InfluxDB treats as an overwrite (same measurement, tags and time).
 *
 * On start the consumer first re-reads its own unacknowledged entries (left by a crash of this
 * collector), and it periodically claims entries idle for long in other consumers (a collector that
 * died and did not come back).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { InfluxSink } from '../sinks/influx/sink';
import { entryLines, type RedisJournal } from './redis-journal';

type StreamEntry = [id: string, fields: string[]];

export interface JournalDrainOptions {
  /** A connection of its own: blocking reads must not stall the collector's other Redis commands. */
  redis: Redis;
  journal: RedisJournal;
  sink: InfluxSink;
  consumer: string;
  logger: Logger;
  batchEntries?: number;
  /** Entries idle this long in another consumer are taken over. */
  claimIdleMs?: number;
  onBatchWritten?: (entries: number) => void;
}

export class JournalDrain {
  private running = false;
  private loop?: Promise<void>;
  private readonly batch: number;
  private readonly claimIdleMs: number;
  private lastClaim = 0;

  constructor(private readonly o: JournalDrainOptions) {
    // An entry holds the lines of all calls of one event-loop turn (up to 5000); a few dozen entries per
    // batch keep each write large while the split and join of one batch stay short on the event loop.
    this.batch = o.batchEntries ?? 50;
    this.claimIdleMs = o.claimIdleMs ?? 60_000;
  }

  async start(): Promise<void> {
    await this.o.journal.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops after the batch in hand. During an InfluxDB outage that batch waits for InfluxDB: close the
   * sink to give up on it (it stays in the journal for the next start), then await this promise.
   */
  stop(): Promise<void> {
    this.running = false;
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const { journal, consumer, logger } = this.o;
    // Our own pending entries first: a crash may have left some written-but-unacknowledged or unwritten.
    let readPendingFirst = true;
    while (this.running) {
      try {
        let entries: StreamEntry[];
        if (readPendingFirst) {
          entries = await this.read('0', false);
          if (entries.length === 0) readPendingFirst = false;
        } else if (Date.now() - this.lastClaim > this.claimIdleMs / 2) {
          this.lastClaim = Date.now();
          entries = await this.claimAbandoned();
          if (entries.length === 0) entries = await this.read('>', true);
        } else {
          entries = await this.read('>', true);
        }
        if (entries.length) await this.write(entries);
      } catch (err) {
        if (!this.running) break;
        // A batch whose acknowledgement failed is still pending for us: read it again first.
        readPendingFirst = true;
        logger.warn({ err: (err as Error).message, stream: journal.key, consumer }, 'journal drain: retrying after error');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async read(from: '0' | '>', block: boolean): Promise<StreamEntry[]> {
    const { redis, journal, consumer } = this.o;
    const args: Array<string | number> = ['GROUP', journal.group, consumer, 'COUNT', this.batch];
    if (block) args.push('BLOCK', 1000);
    args.push('STREAMS', journal.key, from);
    const res = (await (redis as unknown as { xreadgroup(...a: Array<string | number>): Promise<unknown> }).xreadgroup(...args)) as
      | Array<[string, StreamEntry[]]>
      | null;
    // Pending entries deleted meanwhile come back with null fields; they need no write, only an ack.
    return res?.[0]?.[1] ?? [];
  }

  private async claimAbandoned(): Promise<StreamEntry[]> {
    const { redis, journal, consumer } = this.o;
    const res = (await redis.xautoclaim(journal.key, journal.group, consumer, this.claimIdleMs, '0-0', 'COUNT', this.batch)) as [string, StreamEntry[]];
    return res[1] ?? [];
  }

  private async write(entries: StreamEntry[]): Promise<void> {
    const { redis, journal, sink } = this.o;
    const lines: string[] = [];
    for (const [, fields] of entries) for (const line of entryLines(fields)) lines.push(line);
    // The lines are already durable in the journal, so they bypass the sink's backpressure check.
    const droppedBefore = sink.stats().dropped;
    sink.enqueue(lines, entries.length, true);
    await sink.flush();
    // A sink closed mid-write (shutdown during an outage) gives up on lines: they must stay in the journal.
    if (sink.stats().dropped !== droppedBefore) throw new Error('InfluxDB sink gave up on a batch; entries stay in the journal');
    const ids = entries.map(([id]) => id);
    await redis.multi().xack(journal.key, journal.group, ...ids).xdel(journal.key, ...ids).exec();
    this.o.onBatchWritten?.(entries.length);
  }
}
