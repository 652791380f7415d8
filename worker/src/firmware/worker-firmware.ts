/**
 * Firmware in the worker, when DATABASE_URL is set: migrations (retried every 10 s while PostgreSQL is
 * away, as the collector does), the journal consumer `firmware` (platform FirmwareTracker), the
 * `firmware-timeouts` housekeeping processor and the firmware metrics. Without DATABASE_URL nothing of
 * it runs and the worker says so once.
 */
import { systemActor } from '@chargewatch/model';
import {
  CampaignStore,
  CommandBus,
  FirmwareCatalogue,
  FirmwareTracker,
  FirmwareUpdates,
  PgAuditLog,
  createDatabasePool,
  runFirmwareTimeouts,
  startFirmwareUpdate,
  type FirmwareServiceDeps,
  type FirmwareTimeoutResult,
  type JournalMetrics,
  type Logger,
  type RedisJournal,
  type StationStore,
} from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { featureJournalConsumer, startDatabaseConsumer } from '../database-consumer';
import { CampaignMetrics } from '../campaigns/campaign-metrics';
import { campaignTicksProcessor, type CampaignTicksResult } from '../campaigns/campaign-ticks';
import { FirmwareMetrics } from './firmware-metrics';

export interface WorkerFirmware {
  /** The `firmware-timeouts` job; does nothing until the database is migrated. */
  timeouts(): Promise<FirmwareTimeoutResult | { skipped: string }>;
  /** The firmware queue's `campaign-ticks` job: advances every running campaign. */
  campaignTicks(): Promise<CampaignTicksResult | { skipped: string }>;
  /** Stops the consumer and the timers, closes the pool. */
  stop(): Promise<void>;
}

export interface WorkerFirmwareOptions {
  config: WorkerConfig;
  redis: Redis;
  journal: RedisJournal;
  store: StationStore;
  registry: Registry;
  journalMetrics: JournalMetrics;
  logger: Logger;
  onRedisError?: () => void;
}

export function startWorkerFirmware(o: WorkerFirmwareOptions): WorkerFirmware {
  const { config, logger } = o;
  if (!config.database.url) {
    logger.warn('DATABASE_URL is not set: the firmware journal consumer, firmware timeouts and firmware metrics do not run');
    const skipped = async () => ({ skipped: 'DATABASE_URL is not set' });
    return { timeouts: skipped, campaignTicks: skipped, stop: async () => undefined };
  }
  const pool = createDatabasePool(config.database.url, logger);
  const updates = new FirmwareUpdates(pool);
  const catalogue = new FirmwareCatalogue(pool);
  const bus = new CommandBus({ redis: o.redis, prefix: config.redis.prefix, defaultDeadlineMs: config.commands.deadlineSec * 1000, retentionMs: config.commands.retentionDays * 86_400_000 });
  const deps: FirmwareServiceDeps = { updates, catalogue, bus, stations: o.store, audit: new PgAuditLog(pool), logger };
  const metrics = new FirmwareMetrics(o.registry, config.firmware.maxVendorModels);
  const campaigns = new CampaignStore(pool);
  const campaignMetrics = new CampaignMetrics(o.registry);
  const campaignActor = systemActor('firmware-campaign');
  const ticks = campaignTicksProcessor({
    campaigns,
    store: o.store,
    audit: deps.audit,
    logger: logger.child({ component: 'firmware-campaigns' }),
    onStep: (step) => campaignMetrics.steps.inc({ step }),
    // A campaign's send waits a while for the station's answer (the 1.6 form fallback needs it); the
    // command's own deadline and the timeouts job settle what it does not see.
    startUpdate: async ({ stationId, releaseId, campaignId }) => ({ updateId: (await startFirmwareUpdate(deps, { stationId, releaseId, campaignId, actor: campaignActor, waitMs: 15_000 })).id }),
  });
  const { consumer, disconnect } = featureJournalConsumer({
    redis: o.redis,
    journal: o.journal,
    handler: new FirmwareTracker({ updates, logger: logger.child({ component: 'firmware' }) }),
    consumer: config.workerId,
    journalMetrics: o.journalMetrics,
    logger,
    onRedisError: o.onRedisError,
  });

  const life = startDatabaseConsumer({
    name: 'firmware',
    databaseUrl: config.database.url,
    consumer,
    refreshMetrics: () => metrics.refresh({ redis: o.redis, prefix: config.redis.prefix, catalogue, updates }),
    metricsIntervalSec: config.firmware.metricsIntervalSec,
    logger,
  });

  return {
    timeouts: async () => {
      if (!life.ready()) return { skipped: 'the database is not migrated yet' };
      const r = await runFirmwareTimeouts(deps, { timeouts: config.firmware.timeouts, actor: systemActor('firmware-timeouts') });
      if (r.timedOut || r.settled) await life.refresh();
      return r;
    },
    campaignTicks: async () => {
      if (!life.ready()) return { skipped: 'the database is not migrated yet' };
      const r = await ticks();
      await campaignMetrics.refresh(pool).catch((err: Error) => logger.warn({ err: err.message }, 'firmware campaign metrics not refreshed'));
      return r;
    },
    stop: async () => {
      await life.stop();
      await bus.close();
      disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
