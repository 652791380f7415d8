/**
 * The life of a worker feature that keeps its records in PostgreSQL and reads the journal (firmware,
 * misuse, sessions): migrate (retried every 10 s while PostgreSQL is away, as the collector does), start its
 * journal consumer, refresh its metrics now and every `metricsIntervalSec`; stop it all in order. Jobs
 * of the feature ask `ready()` first, so nothing touches tables that may not exist yet.
 */
import type { Redis } from 'ioredis';
import { JournalConsumer, migrateDatabase, type JournalHandler, type JournalMetrics, type Logger, type RedisJournal } from '@chargewatch/platform';

export const MIGRATE_RETRY_MS = 10_000;

export interface DatabaseConsumerOptions {
  /** Names the feature in log lines. */
  name: string;
  databaseUrl: string;
  consumer: { start(): Promise<void>; stop(): Promise<void> };
  /** Gauges read from the database, refreshed every `metricsIntervalSec` (absent: none). */
  refreshMetrics?(): Promise<void>;
  metricsIntervalSec?: number;
  logger: Logger;
  /** What the "started" log line says besides the feature's name. */
  startedDetails?: Record<string, unknown>;
}

export interface DatabaseConsumer {
  ready(): boolean;
  /** Refreshes the metrics, logging (not throwing) a failure. */
  refresh(): Promise<void>;
  /** Stops the timers and, once started, the consumer. */
  stop(): Promise<void>;
}

export function startDatabaseConsumer(o: DatabaseConsumerOptions): DatabaseConsumer {
  let ready = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let metricsTimer: NodeJS.Timeout | undefined;
  const refresh = async () => o.refreshMetrics?.().catch((err: Error) => o.logger.warn({ err: err.message }, `${o.name} metrics not refreshed`));
  const begin = async () => {
    try {
      await migrateDatabase(o.databaseUrl, o.logger);
      if (stopped) return;
      await o.consumer.start();
      ready = true;
      if (o.refreshMetrics && o.metricsIntervalSec) {
        await refresh();
        metricsTimer = setInterval(() => void refresh(), o.metricsIntervalSec * 1000);
        metricsTimer.unref();
      }
      o.logger.info(o.startedDetails ?? {}, `${o.name} consumer started`);
    } catch (err) {
      if (stopped) return;
      o.logger.error({ err: (err as Error).message }, `${o.name}: PostgreSQL not ready; retrying in ${MIGRATE_RETRY_MS / 1000} s`);
      retry = setTimeout(() => void begin(), MIGRATE_RETRY_MS);
      retry.unref();
    }
  };
  void begin();
  return {
    ready: () => ready,
    refresh,
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(metricsTimer);
      if (ready) await o.consumer.stop();
    },
  };
}

export interface FeatureJournalConsumerOptions {
  redis: Redis;
  journal: RedisJournal;
  handler: JournalHandler;
  /** This worker within the group (WORKER_ID). */
  consumer: string;
  journalMetrics: JournalMetrics;
  logger: Logger;
  onRedisError?: () => void;
}

/**
 * A feature's journal consumer: on a Redis connection of its own (its blocking reads must not stall the
 * worker's other commands), counting into the per-group journal metrics. `disconnect` after stopping it.
 */
export function featureJournalConsumer(o: FeatureJournalConsumerOptions): { consumer: JournalConsumer; disconnect(): void } {
  const redis = o.redis.duplicate();
  redis.on('error', () => o.onRedisError?.());
  const group = o.handler.group;
  const consumer = new JournalConsumer({
    redis,
    journal: o.journal,
    handler: o.handler,
    consumer: o.consumer,
    logger: o.logger,
    onHandled: (n) => o.journalMetrics.consumerHandled.inc({ consumer: group }, n),
    onUnreadable: (n) => o.journalMetrics.consumerUnreadable.inc({ consumer: group }, n),
  });
  return { consumer, disconnect: () => redis.disconnect() };
}
