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
 * - 4xx other than 429: the batch cannot succeed; it is logged with its first failing line, counted as
 *   rejected and dropped. InfluxDB 1.x answers a partial write with 400 and `dropped=N` after storing the
 *   other points, so only N are counted as rejected. 413 splits the batch in two and tries again.
 */
import type { ChargeEvent } from '@chargewatch/model';
import { LineBuffer, type Batch } from './line-buffer';
import { toLines, type StationMeta } from './points';
import { InfluxBackpressureError, type InfluxSinkMetrics, type InfluxSinkOptions, type InfluxSinkStats, type SinkLogger } from './sink-types';
import { InfluxWriteError, type InfluxWriter } from './writer';

export { InfluxBackpressureError, type InfluxSinkMetrics, type InfluxSinkOptions, type InfluxSinkStats, type SinkLogger } from './sink-types';

const noopLogger: SinkLogger = { info() {}, warn() {}, error() {} };

export class InfluxSink {
  readonly writer: InfluxWriter;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBufferLines: number;
  private readonly maxRetries: number;
  private readonly retryMinDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly stationMeta: (stationId: string) => StationMeta | undefined;
  private readonly metrics: InfluxSinkMetrics | undefined;
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
  private readonly counters = { written: 0, failedAttempts: 0, rejected: 0, dropped: 0, backpressureCalls: 0 };

  constructor(opts: InfluxSinkOptions) {
    this.writer = opts.writer;
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? 5000));
    this.flushIntervalMs = Math.min(1000, Math.max(1, opts.flushIntervalMs ?? 500));
    this.maxBufferLines = Math.max(1, Math.floor(opts.maxBufferLines ?? 200_000));
    this.maxRetries = opts.maxRetries ?? Infinity;
    this.retryMinDelayMs = Math.max(1, opts.retryMinDelayMs ?? 100);
    this.retryMaxDelayMs = Math.max(this.retryMinDelayMs, opts.retryMaxDelayMs ?? 30_000);
    this.stationMeta = opts.stationMeta ?? (() => undefined);
    this.metrics = opts.metrics;
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

  private async send(lines: string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (this.aborted) {
        this.counters.dropped += lines.length;
        this.log.error({ lost: lines.length }, 'InfluxDB sink closed with unwritten points');
        return;
      }
      const started = process.hrtime.bigint();
      let error: InfluxWriteError;
      try {
        await this.writer.write(lines);
        this.metrics?.writeDuration(Number(process.hrtime.bigint() - started) / 1e9);
        this.counters.written += lines.length;
        this.metrics?.pointsWritten(lines.length);
        return;
      } catch (err) {
        this.metrics?.writeDuration(Number(process.hrtime.bigint() - started) / 1e9);
        error =
          err instanceof InfluxWriteError
            ? err
            : new InfluxWriteError(err instanceof Error ? err.message : String(err), undefined, undefined, undefined, err);
      }
      this.counters.failedAttempts++;
      this.metrics?.writeFailed();

      if (error.status === 413 && lines.length > 1) {
        const half = Math.ceil(lines.length / 2);
        this.log.warn({ lines: lines.length }, 'InfluxDB batch too large; splitting it');
        await this.send(lines.slice(0, half));
        await this.send(lines.slice(half));
        return;
      }
      if (!error.retriable) {
        this.handleRejected(lines, error);
        return;
      }
      if (attempt > this.maxRetries) {
        this.counters.dropped += lines.length;
        this.log.error({ err: error, lines: lines.length, attempts: attempt }, 'InfluxDB write failed; retries exhausted, batch dropped');
        return;
      }
      const delay = this.retryDelay(attempt, error.retryAfterMs);
      this.log.warn({ err: error.message, status: error.status, attempt, retryInMs: delay }, 'InfluxDB write failed; retrying');
      await this.sleep(delay);
    }
  }

  private handleRejected(lines: string[], error: InfluxWriteError): void {
    const body = error.body ?? error.message;
    const dropped = /dropped=(\d+)/.exec(body);
    let rejected = lines.length;
    if (dropped) rejected = Math.min(lines.length, Number(dropped[1]));
    const accepted = lines.length - rejected;
    if (accepted > 0) {
      this.counters.written += accepted;
      this.metrics?.pointsWritten(accepted);
    }
    this.counters.rejected += rejected;
    this.metrics?.rejected(rejected);
    this.log.error(
      { status: error.status, error: body.slice(0, 1000), rejected, accepted, firstFailingLine: firstFailingLine(lines, body) },
      'InfluxDB rejected points',
    );
  }

  private retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, this.retryMaxDelayMs * 2);
    const base = Math.min(this.retryMaxDelayMs, this.retryMinDelayMs * 2 ** Math.min(attempt - 1, 30));
    // ±20 % jitter so collectors restarted together do not retry in step.
    return Math.max(1, Math.round(base * (0.8 + Math.random() * 0.4)));
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

/**
 * The line InfluxDB complained about: 1.x quotes it (`unable to parse '…'`), 2.x names its number
 * (`line 3: …`), a field type conflict names the measurement. Falls back to the first line of the batch.
 */
export function firstFailingLine(lines: string[], errorBody: string): string | undefined {
  const quoted = errorBody.indexOf("unable to parse '");
  if (quoted >= 0) {
    const start = quoted + "unable to parse '".length;
    const end = errorBody.indexOf("': ", start);
    const text = errorBody.slice(start, end > start ? end : undefined);
    // The body is JSON; undo its string escaping well enough to match the original line.
    const unescaped = text.replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    return lines.find((l) => l === unescaped) ?? unescaped;
  }
  const lineNo = /\bline (\d+)\b/.exec(errorBody);
  if (lineNo) {
    const line = lines[Number(lineNo[1]) - 1];
    if (line !== undefined) return line;
  }
  const measurement = /on measurement \\?"([^"\\]+)\\?"/.exec(errorBody);
  if (measurement) {
    const m = measurement[1]!;
    const line = lines.find((l) => l.startsWith(`${m},`) || l.startsWith(`${m} `));
    if (line !== undefined) return line;
  }
  return lines[0];
}
