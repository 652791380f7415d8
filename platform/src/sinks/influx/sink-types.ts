/** The InfluxDB sink's options, metrics and logging hooks, counters and backpressure error (sink.ts). */
import type { StationMeta } from './points';
import type { InfluxWriter } from './writer';

/** The lead maps these to prom-client metrics `chargewatch_influx_*`. */
export interface InfluxSinkMetrics {
  /** Points InfluxDB accepted. */
  pointsWritten(n: number): void;
  /** One failed write attempt (retried or not). */
  writeFailed(): void;
  /** Duration of one write request, successful or not. */
  writeDuration(seconds: number): void;
  /** Points buffered or in flight, and the age of the oldest of them. */
  backlog(points: number, oldestAgeSeconds: number): void;
  /** Points InfluxDB refused for good (4xx). */
  rejected(n: number): void;
  /** record() refused `events` because the buffer was full. Optional. */
  backpressure?(events: number): void;
  /** A refused line could not be dead-lettered because the dead-letter store is full. Optional. */
  deadLetterFull?(lines: number): void;
}

/** A line InfluxDB refused for good and why. */
export interface RejectedLine {
  line: string;
  reason: string;
}

/**
 * Where refused lines go (the dead-letter stream, platform/src/journal/dead-letters.ts). add() resolves
 * once they are durable; it rejects with DeadLetterFullError when there is no room, and the sink then
 * waits and tries again instead of dropping them.
 */
export interface DeadLetterSink {
  add(items: RejectedLine[]): Promise<void>;
}

export class DeadLetterFullError extends Error {
  override readonly name = 'DeadLetterFullError';
  constructor(readonly entries: number, readonly maxEntries: number) {
    super(`dead-letter stream full (${entries} of ${maxEntries} entries)`);
  }
}

/** pino-compatible: `(obj, msg)`. */
export interface SinkLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface InfluxSinkOptions {
  writer: InfluxWriter;
  /** Operator metadata per station (site, tags); called once per recorded event. */
  stationMeta?: (stationId: string) => StationMeta | undefined;
  /** Lines per write request; default 5000. */
  batchSize?: number;
  /** Longest time a line waits before its batch is sent; default 500 ms, at most 1000 ms. */
  flushIntervalMs?: number;
  /** Lines held in memory (queued + in flight) before record() pushes back; default 200,000. */
  maxBufferLines?: number;
  /** Retries per batch for retriable errors; default Infinity (the buffer bound limits the damage). */
  maxRetries?: number;
  /** First retry delay; default 100 ms. Doubles per attempt up to retryMaxDelayMs. */
  retryMinDelayMs?: number;
  /** Default 30 s. */
  retryMaxDelayMs?: number;
  /**
   * While waiting out a retry delay after InfluxDB could not be reached (no HTTP answer), `/ping` it this
   * often and retry as soon as it answers; default 1000 ms. 0: wait out every delay.
   */
  reachableProbeMs?: number;
  metrics?: InfluxSinkMetrics;
  /** Refused lines go here; without it they are only logged and counted (tests, tools). */
  deadLetters?: DeadLetterSink;
  logger?: SinkLogger;
  /** Clock, for tests. */
  now?: () => number;
}

/** Thrown by record() when the buffer is full. Turn it into a CALLERROR (e.g. `InternalError`). */
export class InfluxBackpressureError extends Error {
  override readonly name = 'InfluxBackpressureError';
  readonly code = 'INFLUX_BACKPRESSURE';
  constructor(
    readonly backlogLines: number,
    readonly maxBufferLines: number,
  ) {
    super(`InfluxDB write buffer full (${backlogLines} of ${maxBufferLines} lines); retry later`);
  }
}

export interface InfluxSinkStats {
  /** Points accepted by InfluxDB. */
  written: number;
  /** Failed write attempts. */
  failedAttempts: number;
  /** Points refused by InfluxDB with a 4xx (dead-lettered when a dead-letter sink is set). */
  rejected: number;
  /** Attempts to dead-letter refused points that found the dead-letter store full. */
  deadLetterFull: number;
  /** Points given up after maxRetries, or still unwritten when close() timed out. */
  dropped: number;
  /** record() calls refused because the buffer was full. */
  backpressureCalls: number;
  /** Lines queued or in flight. */
  backlog: number;
  oldestAgeSeconds: number;
}
