/**
 * The InfluxDB writer as a journal consumer, wired the same way wherever it runs: in every collector
 * (INFLUX_WRITER=collector, the default: one process is a complete ingest) or in the workers
 * (INFLUX_WRITER=worker: the collectors' event loops then do protocol work and one durable append).
 * The processes of one group share the `influx` consumer group, so each entry is written by one of them.
 */
import { RedisKeys } from '@chargewatch/model';
import type { Redis } from 'ioredis';
import { DeadLetterStream } from '../../journal/dead-letters';
import { JournalConsumer } from '../../journal/journal-consumer';
import type { JournalMetrics } from '../../journal/journal-metrics';
import type { RedisJournal } from '../../journal/redis-journal';
import type { Logger } from '../../logger';
import { ensureInfluxDatabase } from './database';
import { DeferredInfluxWriter } from './deferred-writer';
import type { InfluxSettings } from './influx-settings';
import { influxJournalHandler } from './journal-handler';
import { InfluxSink } from './sink';
import { createInfluxWriter } from './writer';

/** A writer that connects (and creates the v1 database) in the background, so a process starts while InfluxDB is down. */
export function deferredInfluxWriter(settings: InfluxSettings, logger: Logger): DeferredInfluxWriter {
  return new DeferredInfluxWriter(async () => {
    const w = await createInfluxWriter(settings);
    // v1 writes to a missing database fail with 404; create it before the first write.
    if (w.api === 'v1') await ensureInfluxDatabase(settings.url, settings.database, settings.token);
    return w;
  }, logger);
}

/** Where refused lines wait with InfluxDB's reason (GET/POST /api/v1/deadletters/influx). */
export function influxDeadLetters(redis: Redis, prefix: string, settings: InfluxSettings): DeadLetterStream {
  return new DeadLetterStream(redis, new RedisKeys(prefix).deadLetter('influx'), settings.deadLetterMax);
}

export interface InfluxJournalWriterOptions {
  settings: InfluxSettings;
  /** The process's state connection (dead letters); the consumer opens a blocking one of its own from it. */
  redis: Redis;
  prefix: string;
  journal: RedisJournal;
  writer: DeferredInfluxWriter;
  deadLetters: DeadLetterStream;
  /** This process in the `influx` group (COLLECTOR_ID, WORKER_ID). */
  consumer: string;
  metrics: JournalMetrics;
  logger: Logger;
  onRedisError?: () => void;
}

export interface InfluxJournalWriter {
  sink: InfluxSink;
  consumer: JournalConsumer;
  /**
   * With InfluxDB up, writes out what is in the journal (up to 10 s), then stops; with it down there is
   * nothing to wait for: the journal keeps the entries for the next start of any writer.
   */
  stop(): Promise<void>;
}

export async function startInfluxJournalWriter(o: InfluxJournalWriterOptions): Promise<InfluxJournalWriter> {
  const log = o.logger;
  const sink = new InfluxSink({
    writer: o.writer,
    deadLetters: o.deadLetters,
    batchSize: o.settings.batchSize,
    flushIntervalMs: o.settings.flushIntervalMs,
    maxBufferLines: o.settings.maxBufferLines,
    logger: log,
    metrics: o.metrics.sinkMetrics(),
  });
  o.metrics.watchSink(() => sink.stats().oldestAgeSeconds);
  const consumerRedis = o.redis.duplicate();
  consumerRedis.on('error', () => o.onRedisError?.());
  const consumer = new JournalConsumer({
    redis: consumerRedis,
    journal: o.journal,
    handler: influxJournalHandler(sink, log),
    consumer: o.consumer,
    logger: log,
    onHandled: (n) => o.metrics.consumerHandled.inc({ consumer: consumer.group }, n),
    onUnreadable: (n) => o.metrics.consumerUnreadable.inc({ consumer: consumer.group }, n),
  });
  await consumer.start();
  return {
    sink,
    consumer,
    stop: async () => {
      if (o.writer.isReady) await waitUntilHandled(o.journal, consumer.group, 10_000);
      const stopped = consumer.stop();
      await sink.close({ timeoutMs: o.writer.isReady ? 10_000 : 500 });
      await stopped;
      consumerRedis.disconnect();
    },
  };
}

async function waitUntilHandled(journal: RedisJournal, group: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stats = await journal.consumerStats().catch(() => []);
    if ((stats.find((s) => s.consumer === group)?.lag ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
