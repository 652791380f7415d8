/**
 * Charging sessions in the worker, when DATABASE_URL is set: migrations (retried while PostgreSQL is
 * away), a token cache like every collector's (so a session links to the token the collectors decided
 * on), and the journal consumer `sessions` (platform SessionRecorder). KeyCode sessions link to their
 * token only with ACCESS_PIN_SECRET, the collectors' PIN secret; without it they keep only the masked PIN.
 *
 * Metric: `chargewatch_sessions_recorded_total`, session rows this worker wrote (a row is written again
 * for each batch naming it): a rate that stays at 0 while transactions flow means sessions are not kept.
 */
import {
  SessionRecorder,
  SessionStore,
  TokenCache,
  TokenRegistry,
  createDatabasePool,
  type JournalMetrics,
  type Logger,
  type RedisJournal,
} from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { featureJournalConsumer, startDatabaseConsumer } from '../database-consumer';

export interface WorkerSessions {
  stop(): Promise<void>;
}

export interface WorkerSessionsOptions {
  config: WorkerConfig;
  redis: Redis;
  journal: RedisJournal;
  registry: Registry;
  journalMetrics: JournalMetrics;
  logger: Logger;
  onRedisError?: () => void;
}

export function startWorkerSessions(o: WorkerSessionsOptions): WorkerSessions {
  const { config, logger } = o;
  if (!config.database.url) {
    logger.warn('DATABASE_URL is not set: charging sessions are not recorded');
    return { stop: async () => undefined };
  }
  const pool = createDatabasePool(config.database.url, logger);
  const pinSecret = config.access.pinSecret ?? Buffer.alloc(0);
  const tokens = new TokenCache({ source: new TokenRegistry(pool, { pins: { hashSecret: pinSecret } }), redis: o.redis, prefix: config.redis.prefix, hashSecret: pinSecret, logger });
  const recorded = new Counter({ name: 'chargewatch_sessions_recorded_total', help: 'Charging-session rows this worker wrote to PostgreSQL (one per session per journal batch naming it)', registers: [o.registry] });
  const { consumer, disconnect } = featureJournalConsumer({
    redis: o.redis,
    journal: o.journal,
    handler: new SessionRecorder({ store: new SessionStore(pool), tokens, hashSecret: config.misuse.hashSecret, onRecorded: (n) => recorded.inc(n) }),
    consumer: config.workerId,
    journalMetrics: o.journalMetrics,
    logger,
    onRedisError: o.onRedisError,
  });

  const life = startDatabaseConsumer({
    name: 'sessions',
    databaseUrl: config.database.url,
    // The cache subscribes first, so no change announced while the consumer starts is missed.
    consumer: {
      start: async () => {
        await tokens.start();
        await consumer.start();
      },
      stop: async () => {
        await consumer.stop();
        await tokens.stop();
      },
    },
    logger,
    startedDetails: { keyCodeLinks: pinSecret.length > 0 },
  });

  return {
    stop: async () => {
      await life.stop();
      disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
