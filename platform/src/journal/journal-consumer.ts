/**
 * One consumer of the event journal: reads a batch through its consumer group, hands the decoded
 * entries to its handler, and acknowledges them only when the handler resolves — which it does only
 * once it has durably handled them (the InfluxDB handler: every line accepted by InfluxDB or in the
 * dead-letter stream). Then it trims what every registered group has handled. A crash between handling
 * and acknowledging means the same entries are handled again; handlers are idempotent per entry id
 * (`eventKey` in journal-entry.ts), which makes replays harmless.
 *
 * On start the consumer first re-reads its own unacknowledged entries (left by a crash of this
 * process), and it periodically claims entries idle for long in another consumer of its group (a
 * process that died and did not come back). An entry it cannot read (a newer format) stays
 * unacknowledged: it is counted and logged, and its age shows in the consumer's lag metrics.
 */
import type { DecodedJournalEntry } from '@chargewatch/model';
import { decodeJournalEntry } from '@chargewatch/model';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { RedisJournal } from './redis-journal';

type StreamEntry = [id: string, fields: string[] | null];

export interface JournalEntry {
  id: string;
  entry: Exclude<DecodedJournalEntry, { kind: 'deleted' | 'unreadable' }>;
}

export interface JournalHandler {
  /** The consumer group: one per kind of consumer (JOURNAL_CONSUMERS). */
  readonly group: string;
  /** Resolves once every entry is durably handled; rejects to have them read again. */
  handle(entries: JournalEntry[]): Promise<void>;
}

export interface JournalConsumerOptions {
  /** A connection of its own: blocking reads must not stall the process's other Redis commands. */
  redis: Redis;
  journal: RedisJournal;
  handler: JournalHandler;
  /** This process within the group (COLLECTOR_ID, WORKER_ID). */
  consumer: string;
  logger: Logger;
  batchEntries?: number;
  /** Entries idle this long in another consumer are taken over. */
  claimIdleMs?: number;
  onHandled?: (entries: number) => void;
  onUnreadable?: (entries: number) => void;
}

export class JournalConsumer {
  private running = false;
  private loop?: Promise<void>;
  private readonly batch: number;
  private readonly claimIdleMs: number;
  private lastClaim = 0;

  constructor(private readonly o: JournalConsumerOptions) {
    // An entry holds the events of one event-loop turn (up to 1000); a few dozen entries per batch keep
    // each write large while decoding one batch stays short on the event loop.
    this.batch = o.batchEntries ?? 50;
    this.claimIdleMs = o.claimIdleMs ?? 60_000;
  }

  get group(): string {
    return this.o.handler.group;
  }

  async start(): Promise<void> {
    await this.o.journal.ensureGroup(this.group);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in hand (a handler waiting on its store must be closed to give up on it). */
  stop(): Promise<void> {
    this.running = false;
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const { journal, consumer, logger } = this.o;
    // Our own pending entries first, from the oldest; the cursor moves past entries left unread.
    let pendingFrom: string | undefined = '0';
    while (this.running) {
      try {
        let entries: StreamEntry[];
        if (pendingFrom !== undefined) {
          entries = await this.read(pendingFrom, false);
          pendingFrom = entries.length ? entries[entries.length - 1]![0] : undefined;
        } else if (Date.now() - this.lastClaim > this.claimIdleMs / 2) {
          this.lastClaim = Date.now();
          entries = await this.claimAbandoned();
          if (entries.length === 0) entries = await this.read('>', true);
        } else {
          entries = await this.read('>', true);
        }
        if (entries.length) await this.handle(entries);
      } catch (err) {
        if (!this.running) break;
        // A batch whose handling or acknowledgement failed is still pending for us: read it again first.
        pendingFrom = '0';
        logger.warn({ err: (err as Error).message, stream: journal.key, group: this.group, consumer }, 'journal consumer: retrying after error');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async read(from: string, block: boolean): Promise<StreamEntry[]> {
    const { redis, journal, consumer } = this.o;
    const args: Array<string | number> = ['GROUP', this.group, consumer, 'COUNT', this.batch];
    if (block) args.push('BLOCK', 1000);
    args.push('STREAMS', journal.key, from);
    const res = (await (redis as unknown as { xreadgroup(...a: Array<string | number>): Promise<unknown> }).xreadgroup(...args)) as
      | Array<[string, StreamEntry[]]>
      | null;
    return res?.[0]?.[1] ?? [];
  }

  private async claimAbandoned(): Promise<StreamEntry[]> {
    const { redis, journal, consumer } = this.o;
    const res = (await redis.xautoclaim(journal.key, this.group, consumer, this.claimIdleMs, '0-0', 'COUNT', this.batch)) as [string, StreamEntry[]];
    return res[1] ?? [];
  }

  private async handle(entries: StreamEntry[]): Promise<void> {
    const { redis, journal, handler, logger } = this.o;
    const readable: JournalEntry[] = [];
    const ack: string[] = [];
    let unreadable = 0;
    for (const [id, fields] of entries) {
      const entry = decodeJournalEntry(fields);
      if (entry.kind === 'deleted') ack.push(id);
      else if (entry.kind === 'unreadable') {
        unreadable++;
        logger.error({ entryId: id, group: this.group, reason: entry.reason }, 'journal entry this process cannot read; left unacknowledged for a process that can');
      } else {
        readable.push({ id, entry });
        ack.push(id);
      }
    }
    if (unreadable) this.o.onUnreadable?.(unreadable);
    if (readable.length) await handler.handle(readable);
    if (ack.length === 0) return;
    await redis.xack(journal.key, this.group, ...ack);
    this.o.onHandled?.(readable.length);
    // Trimming is everyone's chore and idempotent; a failure only leaves it to the next batch.
    await journal.trim().catch((err: Error) => logger.warn({ err: err.message }, 'journal trim failed'));
  }
}
