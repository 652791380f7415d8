/**
 * Misuse detection in the worker, when DATABASE_URL is set: migrations (retried every 10 s while
 * PostgreSQL is away), the journal consumer `misuse` (platform MisuseDetector) and the misuse metrics.
 * Without DATABASE_URL, or with MISUSE_RULES=none, nothing of it runs and the worker says so once.
 *
 * Token blocking (MISUSE_BLOCK_TOKEN_RULES) and allowed hours come from the token registry in the same
 * database (registry-links.ts).
 */
import {
  IncidentStore,
  MisuseDetector,
  PgAuditLog,
  createDatabasePool,
  TokenRegistry,
  tokenChangeNotifier,
  type AllowedHoursLookup,
  type JournalMetrics,
  type Logger,
  type RedisJournal,
  type StationStore,
  type TokenBlocker,
} from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { featureJournalConsumer, startDatabaseConsumer } from '../database-consumer';
import { MisuseMetrics } from './misuse-metrics';
import { registryAllowedHours, registryTokenBlocker } from './registry-links';

export interface WorkerMisuse {
  stop(): Promise<void>;
}

export interface WorkerMisuseOptions {
  config: WorkerConfig;
  redis: Redis;
  journal: RedisJournal;
  store: StationStore;
  registry: Registry;
  journalMetrics: JournalMetrics;
  logger: Logger;
  blocker?: TokenBlocker;
  allowedHours?: AllowedHoursLookup;
  onRedisError?: () => void;
}

export function startWorkerMisuse(o: WorkerMisuseOptions): WorkerMisuse {
  const { config, logger } = o;
  const m = config.misuse;
  if (!config.database.url || m.thresholds.enabled.size === 0) {
    logger.warn(config.database.url ? 'MISUSE_RULES=none: misuse detection does not run' : 'DATABASE_URL is not set: the misuse journal consumer and its metrics do not run');
    return { stop: async () => undefined };
  }
  const pool = createDatabasePool(config.database.url, logger);
  const incidents = new IncidentStore(pool);
  // The registry answers the token questions (blocking, allowed hours); PINs are not looked up here,
  // so it needs no PIN secret. Its writes notify every collector's token cache.
  const tokens = new TokenRegistry(pool, { pins: { hashSecret: Buffer.alloc(0) }, notify: tokenChangeNotifier(o.redis, config.redis.prefix) });
  const blocker = o.blocker ?? registryTokenBlocker(tokens);
  const metrics = new MisuseMetrics(o.registry);
  const { consumer, disconnect } = featureJournalConsumer({
    redis: o.redis,
    journal: o.journal,
    handler: new MisuseDetector({
      redis: o.redis,
      prefix: config.redis.prefix,
      incidents,
      stations: o.store,
      thresholds: m.thresholds,
      hashSecret: m.hashSecret,
      blocker,
      allowedHours: o.allowedHours ?? registryAllowedHours(tokens),
      blockOn: m.blockOn,
      audit: new PgAuditLog(pool),
      logger,
      onIncident: (i) => metrics.opened(i.rule, i.severity),
    }),
    consumer: config.workerId,
    journalMetrics: o.journalMetrics,
    logger,
    onRedisError: o.onRedisError,
  });

  const life = startDatabaseConsumer({
    name: 'misuse',
    databaseUrl: config.database.url,
    consumer,
    refreshMetrics: () => metrics.refresh(incidents),
    metricsIntervalSec: m.metricsIntervalSec,
    logger,
    startedDetails: { rules: [...m.thresholds.enabled], blockOn: [...m.blockOn], blocker: blocker.available },
  });

  return {
    stop: async () => {
      await life.stop();
      disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
