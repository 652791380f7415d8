/**
 * InfluxSink: turns events into line protocol at once (record() never waits on the network), buffers the
 * lines in memory up to a bound and writes them in batches, one request at a time, with retries.
 *
 * - Batches: up to `batchSize` lines; a batch leaves when it is full or `flushIntervalMs` after the first
 *   line was queued (≤ 1 s).
 * - Bounded buffer: beyond `maxBufferLines` record() throws InfluxBackpressureError and keeps nothing of
 *   that call; the caller answers the station with a CALLERROR so the station keeps the data and retries.
 *   Lines already accepted are never dropped to make room.
 * - Retries: network errors, 5xx and 429 are retried with exponential backoff (or the server's
 *   Retry-After), forever by default: while InfluxDB is down the buffer fills and backpressure starts.
 *   After an outage the backoff has grown to its cap (30 s), so while InfluxDB does not answer /ping
 *   the sink probes it every second and retries as soon as it answers: the backlog starts draining
 *   within a second of InfluxDB's return instead of up to 30 s later.
 * - 4xx other than 429: the batch is split until each bad line is found alone (settle.ts; 1.x stores the
 *   good lines of a partial write, resending them overwrites identical points). Bad lines go to the
 *   dead-letter sink with InfluxDB's reason before the batch counts as done, and are counted as rejected;
 *   while the dead-letter store is full the sink waits (nothing acknowledged, nothing dropped).
 */
import type { ChargeEvent } from '@chargewatch/model';
import { LineBuffer, type Batch } from './line-buffer';
import { toLines, type StationMeta } from './points';
import { settleLines } from './settle';
import {
  DeadLetterFullError,
  InfluxBackpressureError,
  type DeadLetterSink,
  type InfluxSinkMetrics,
  type InfluxSinkOptions,
  type InfluxSinkStats,
  type RejectedLine,
  type SinkLogger,
} from './sink-types';
import { InfluxWriteError, type InfluxWriter } from './writer';

export * from './sink-types';
export { firstFailingLine } from './write-errors';

/** close() gave up, or retries ran out: the unsettled lines are dropped here (the journal keeps them). */
class SinkAborted extends Error {}

const noopLogger: SinkLogger = { info() {}, warn() {}, error() {} };

export class InfluxSink {
  readonly writer: InfluxWriter;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferLines: number;
  private readonly maxRetries: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly reachableProbeMs: number;
  private readonly stationMeta: (stationId: string) => StationMeta | undefined;
  private readonly metrics: InfluxSinkMetrics | undefined;
  private readonly deadLetters: DeadLetterSink | undefined;
  private readonly log: SinkLogger;
  private readonly now: () => number;

  private readonly buffer = new LineBuffer();
  private inFlight: Batch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private aborted = false;
  private wakeSleep: (() => void) | undefined;
  private readonly counters = { written: 0, failedAttempts: 0, rejected: 0, deadLetterFull: 0, dropped: 0, backpressureCalls: 0 };

  constructor(opts: InfluxSinkOptions) {
    this.writer = opts.writer;
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? 5000));
    this.flushIntervalMs = Math.min(1000, Math.max(1, opts.flushIntervalMs ?? 500));
    this.maxBufferLines = Math.max(1, Math.floor(opts.maxBufferLines ?? 200_000));
    this.maxRetries = opts.maxRetries ?? Infinity;
    this.retryMinDelayMs = Math.max(1, opts.retryMinDelayMs ?? 100);
    this.retryMaxDelayMs = Math.max(this.retryMinDelayMs, opts.retryMaxDelayMs ?? 30_000);
    this.reachableProbeMs = Math.max(0, opts.reachableProbeMs ?? 1000);
    this.stationMeta = opts.stationMeta ?? (() => undefined);
    this.metrics = opts.metrics;
    this.deadLetters = opts.deadLetters;
    this.log = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Converts the events and queues their lines; never waits. All or nothing: when the lines do not fit,
   * throws InfluxBackpressureError and keeps none of them. Throws a plain Error after close().
   */
  record(events: ChargeEvent[]): void {
    if (this.closed) throw new Error('InfluxSink is closed');
    if (events.length === 0) return;
    this.enqueue(this.linesFor(events), events.length);
  }

  /**
   * Maps events to line protocol without queuing them (the journal stores these lines durably before
   * the station's answer). A transaction's end carries its start (`event.start`), so nothing is kept here.
   */
  linesFor(events: ChargeEvent[]): string[] {
    const lines: string[] = [];
    for (const event of events) {
      try {
        for (const line of toLines(event, this.stationMeta(event.stationId))) lines.push(line);
      } catch (err) {
        this.log.error({ err, stationId: event.stationId, eventType: event.type }, 'cannot map event to InfluxDB points');
      }
    }
    return lines;
  }

  /**
   * Queues lines for writing; never waits. All or nothing: when they do not fit, throws
   * InfluxBackpressureError and keeps none of them (`force` skips the check, for lines that are
   * already durable elsewhere and only pass through).
   */
  enqueue(lines: string[], events = 1, force = false): void {
    if (this.closed) throw new Error('InfluxSink is closed');
    const backlog = this.backlogLines();
    // A call larger than the whole buffer is still taken when the buffer is empty, else it never would be.
    if (!force && backlog > 0 && backlog + lines.length > this.maxBufferLines) {
      this.counters.backpressureCalls++;
      this.metrics?.backpressure?.(events);
      throw new InfluxBackpressureError(backlog, this.maxBufferLines);
    }
    if (lines.length === 0) return;
    this.buffer.push(lines, this.now());
    this.reportBacklog();
    if (this.buffer.size >= this.batchSize) void this.drain();
    else this.schedule();
  }

  /** true when the buffer holds maxBufferLines or more: record() would push back. */
  isFull(): boolean {
    return this.backlogLines() >= this.maxBufferLines;
  }

  /** Writes everything queued so far (waiting through retries) and resolves when the buffer is empty. */
  async flush(): Promise<void> {
    this.clearTimer();
    while ((this.buffer.size > 0 || this.draining) && !this.aborted) await this.drain();
  }

  /**
   * Stops accepting events, writes what is buffered for up to `timeoutMs` (default 10 s), then gives up on
   * the rest (counted as dropped, logged) and closes the writer.
   */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.doClose(opts.timeoutMs ?? 10_000);
    return this.closing;
  }

  private async doClose(timeoutMs: number): Promise<void> {
    this.closed = true;
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.flush().then(() => 'done' as const), timedOut]);
    clearTimeout(timeout);
    if (result === 'timeout') {
      this.aborted = true;
      this.wakeSleep?.();
      await this.draining?.catch(() => undefined);
      const lost = this.buffer.size;
      if (lost > 0) {
        this.counters.dropped += lost;
        this.log.error({ lost }, 'InfluxDB sink closed with unwritten points');
      }
      this.buffer.clear();
    }
    this.clearTimer();
    this.reportBacklog();
    await this.writer.close();
  }

  stats(): InfluxSinkStats {
    return { ...this.counters, backlog: this.backlogLines(), oldestAgeSeconds: this.oldestAgeSeconds() };
  }

  private backlogLines(): number {
    return this.buffer.size + (this.inFlight?.lines.length ?? 0);
  }

  private oldestAgeSeconds(): number {
    let oldest = this.inFlight?.oldestAt;
    const first = this.buffer.oldestAt();
    if (first !== undefined && (oldest === undefined || first < oldest)) oldest = first;
    return oldest === undefined ? 0 : Math.max(0, (this.now() - oldest) / 1000);
  }

  private reportBacklog(): void {
    this.metrics?.backlog(this.backlogLines(), this.oldestAgeSeconds());
  }

  private schedule(): void {
    if (this.timer || this.draining || this.buffer.size === 0 || this.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, this.flushIntervalMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }


  /** One drain loop at a time; batches go out one after the other so retries keep their order. */
  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.clearTimer();
    const run = async () => {
      // Yield first, so `this.draining` is set before the loop can finish and clear it.
      await undefined;
      try {
        while (this.buffer.size > 0 && !this.aborted) {
          const batch = this.buffer.take(this.batchSize, this.now);
          this.inFlight = batch;
          try {
            await this.send(batch.lines);
          } finally {
            this.inFlight = undefined;
            this.reportBacklog();
          }
        }
      } catch (err) {
        this.log.error({ err }, 'InfluxDB sink drain failed');
      } finally {
        this.draining = undefined;
        this.schedule();
      }
    };
    this.draining = run();
    return this.draining;
  }

  /**
   * Settles one batch: every line ends written or rejected (settle.ts); rejected lines are dead-lettered
   * before this resolves, so the journal entries behind them may be acknowledged. Lines left unsettled
   * by close() are counted as dropped (the journal keeps them).
   */
  private async send(lines: string[]): Promise<void> {
    let settled = 0;
    const rejected: RejectedLine[] = [];
    try {
      await settleLines(lines, (part) => this.attempt(part), {
        written: (indices) => {
          settled += indices.length;
          this.counters.written += indices.length;
          this.metrics?.pointsWritten(indices.length);
        },
        rejected: async (index, reason) => {
          const item = { line: lines[index]!, reason };
          await this.deadLetter(item);
          settled++;
          rejected.push(item);
        },
      });
    } catch (err) {
      if (!(err instanceof SinkAborted)) throw err;
      const lost = lines.length - settled;
      this.counters.dropped += lost;
      this.log.error({ lost }, 'InfluxDB sink closed with unwritten points');
    } finally {
      if (rejected.length > 0) {
        this.log.error(
          { rejected: rejected.length, lines: lines.length, deadLettered: Boolean(this.deadLetters), firstReason: rejected[0]!.reason, firstFailingLine: rejected[0]!.line.slice(0, 1000) },
          'InfluxDB rejected points',
        );
      }
    }
  }

  /** One write of `lines`, retrying transient errors; resolves undefined or the refusal (4xx). */
  private async attempt(lines: string[]): Promise<InfluxWriteError | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (this.aborted) throw new SinkAborted();
      const started = process.hrtime.bigint();
      let error: InfluxWriteError;
      try {
        await this.writer.write(lines);
        this.metrics?.writeDuration(Number(process.hrtime.bigint() - started) / 1e9);
        return undefined;
      } catch (err) {
        this.metrics?.writeDuration(Number(process.hrtime.bigint() - started) / 1e9);
        error =
          err instanceof InfluxWriteError
            ? err
            : new InfluxWriteError(err instanceof Error ? err.message : String(err), undefined, undefined, undefined, err);
      }
      this.counters.failedAttempts++;
      this.metrics?.writeFailed();
      if (error.status === 413 && lines.length > 1) this.log.warn({ lines: lines.length }, 'InfluxDB batch too large; splitting it');
      if (error.refusesLines) return error;
      if (attempt > this.maxRetries) {
        this.log.error({ err: error, lines: lines.length, attempts: attempt }, 'InfluxDB write failed; retries exhausted, batch dropped');
        throw new SinkAborted();
      }
      const delay = this.retryDelay(attempt, error.retryAfterMs);
      // 401/403/404 are retried too: the lines are fine, the credentials or database are not.
      const log = error.retriable ? this.log.warn : this.log.error;
      log.call(this.log, { err: error.message, status: error.status, attempt, retryInMs: delay }, 'InfluxDB write failed; retrying');
      // No HTTP answer: InfluxDB may be down, so retry as soon as it is back. An answer with a status
      // (5xx, 429, 401…) came from a server that is up, so the backoff is waited out, as is one no
      // longer than a probe interval (pinging would cost more than it could save).
      if (error.status === undefined && this.reachableProbeMs > 0 && delay > this.reachableProbeMs) await this.sleepUntilReachable(delay);
      else await this.sleep(delay);
    }
  }

  /**
   * Makes a refused line durable in the dead-letter store, waiting while the store is full or Redis
   * fails: its journal entry must not be acknowledged before (the journal backlog alert fires instead).
   */
  private async deadLetter(item: RejectedLine): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.aborted) throw new SinkAborted();
      try {
        await this.deadLetters?.add([item]);
        this.counters.rejected++;
        this.metrics?.rejected(1);
        return;
      } catch (err) {
        const full = err instanceof DeadLetterFullError;
        if (full) {
          this.counters.deadLetterFull++;
          this.metrics?.deadLetterFull?.(1);
        }
        const delay = this.retryDelay(attempt, undefined);
        this.log.error(
          { err: (err as Error).message, attempt, retryInMs: delay },
          full ? 'dead-letter stream full; refused line kept, journal not acknowledged' : 'cannot dead-letter a refused line; retrying',
        );
        await this.sleep(delay);
      }
    }
  }

  private retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, this.retryMaxDelayMs * 2);
    const base = Math.min(this.retryMaxDelayMs, this.retryMinDelayMs * 2 ** Math.min(attempt - 1, 30));
    // ±20 % jitter so collectors restarted together do not retry in step.
    return Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
  }

  /**
   * Sleeps `ms`, cut short when InfluxDB comes back: only if a first /ping fails (it is down, not merely
   * slow: a write that timed out against a server that still answers pings keeps its full backoff), then
   * probed every reachableProbeMs until it answers. Also cut short by close().
   */
  private async sleepUntilReachable(ms: number): Promise<void> {
    const end = Date.now() + ms;
    if (await this.writer.ping()) return this.sleep(Math.max(0, end - Date.now()));
    for (;;) {
      const left = end - Date.now();
      if (left <= 0 || this.aborted) return;
      await this.sleep(Math.min(left, this.reachableProbeMs));
      if (this.aborted || Date.now() >= end) return;
      if (await this.writer.ping()) {
        this.log.info({ waitedMs: ms - (end - Date.now()) }, 'InfluxDB answers again; retrying now');
        return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = undefined;
        done();
      };
    });
  }
}
