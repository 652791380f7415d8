/**
 * Wires `chargewatch worker` together: Redis connections, the BullMQ queues with their schedulers, one
 * BullMQ Worker per queue running the processors, and the metrics listener. `startWorker` is what the
 * CLI runs and what tests start in-process; `stop()` is the graceful shutdown.
 */
import { ACCESS_JOBS, FIRMWARE_JOBS, HOUSEKEEPING_JOBS, bullPrefix } from '@chargewatch/model';
import type { StationContext } from '@chargewatch/model';
import {
  RedisJournal,
  StationStore,
  createLogger,
  deferredInfluxWriter,
  influxDeadLetters,
  startInfluxJournalWriter,
  type InfluxJournalWriter,
  type Logger,
} from '@chargewatch/platform';
import { Queue, Worker, type Job } from 'bullmq';
import Redis from 'ioredis';
import type { WorkerConfig } from './config';
import { WorkerMetrics } from './metrics';
import { startMetricsServer } from './metrics-server';
import { startWorkerLocalLists, type LocalListJobData } from './access/worker-local-lists';
import { startWorkerFirmware } from './firmware/worker-firmware';
import { startWorkerMisuse } from './misuse/worker-misuse';
import { startWorkerSessions } from './sessions/worker-sessions';
import { journalCloses } from './processors/journal-closes';
import { registryPruneProcessor } from './processors/registry-prune';
import { staleSweepProcessor } from './processors/stale-transaction-sweep';
import { ACCESS_QUEUE, accessSchedules } from './queues/access';
import { FIRMWARE_QUEUE, firmwareSchedules } from './queues/firmware';
import { HOUSEKEEPING_QUEUE, applySchedules, housekeepingSchedules } from './queues/housekeeping';
import { runJob } from './run-job';
import { stopGracefully } from './shutdown';

export interface WorkerHandle {
  metricsPort: number;
  metrics: WorkerMetrics;
  logger: Logger;
  /** Stop taking jobs, wait up to WORKER_SHUTDOWN_GRACE_SEC for active ones, close queues and Redis. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  logger?: Logger;
}

export async function startWorker(config: WorkerConfig, options: WorkerOptions = {}): Promise<WorkerHandle> {
  const logger = options.logger ?? createLogger(config.logLevel, 'chargewatch-worker');
  const metrics = new WorkerMetrics();
  metrics.loopDelay.start();
  const onRedisError = (connection: string) => (err: Error) => {
    metrics.redisErrors.inc({ connection });
    logger.warn({ err: err.message, connection }, 'redis connection error');
  };

  // Platform calls fail fast like the collector's; BullMQ's connection must retry for ever (its
  // blocking commands wait on Redis), so it needs maxRetriesPerRequest: null.
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: true });
  redis.on('error', onRedisError('state'));
  await redis.connect();
  const bull = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
  bull.on('error', onRedisError('bullmq'));
  await bull.connect();

  const store = new StationStore(redis, config.redis.prefix);
  const contexts = new Map<string, StationContext>();
  const journal = new RedisJournal(redis, config.redis.prefix, config.journalMaxEntries, { stationContext: (id) => contexts.get(id) });
  // INFLUX_WRITER=worker: the workers, not the collectors, consume the journal into InfluxDB.
  let influx: InfluxJournalWriter | undefined;
  if (config.influx.writer === 'worker') {
    const influxLog = logger.child({ component: 'influx' });
    const deadLetters = influxDeadLetters(redis, config.redis.prefix, config.influx);
    metrics.journal.watchDeadLetters(() => deadLetters.count());
    influx = await startInfluxJournalWriter({
      settings: config.influx,
      redis,
      prefix: config.redis.prefix,
      journal,
      writer: deferredInfluxWriter(config.influx, influxLog),
      deadLetters,
      consumer: config.workerId,
      metrics: metrics.journal,
      logger: influxLog,
      onRedisError: () => metrics.redisErrors.inc({ connection: 'journal' }),
    });
  }
  const pollJournal = () => metrics.journal.poll(journal).catch(() => metrics.redisErrors.inc({ connection: 'state' }));
  await pollJournal();
  const journalTimer = setInterval(pollJournal, 2000);
  journalTimer.unref();
  const prefix = bullPrefix(config.redis.prefix);
  const firmware = startWorkerFirmware({
    config,
    redis,
    journal,
    store,
    registry: metrics.registry,
    journalMetrics: metrics.journal,
    logger: logger.child({ component: 'firmware' }),
    onRedisError: () => metrics.redisErrors.inc({ connection: 'journal' }),
  });
  const misuse = startWorkerMisuse({
    config,
    redis,
    journal,
    store,
    registry: metrics.registry,
    journalMetrics: metrics.journal,
    logger: logger.child({ component: 'misuse' }),
    onRedisError: () => metrics.redisErrors.inc({ connection: 'journal' }),
  });
  const sessions = startWorkerSessions({
    config,
    redis,
    journal,
    registry: metrics.registry,
    journalMetrics: metrics.journal,
    logger: logger.child({ component: 'sessions' }),
    onRedisError: () => metrics.redisErrors.inc({ connection: 'journal' }),
  });

  const housekeeping = new Queue(HOUSEKEEPING_QUEUE, { connection: bull, prefix });
  housekeeping.on('error', onRedisError('bullmq'));
  metrics.watch(housekeeping);
  await applySchedules(housekeeping, housekeepingSchedules(config));

  const processors = {
    [HOUSEKEEPING_JOBS.staleTransactionSweep]: staleSweepProcessor({
      store,
      staleAfterSec: config.transactions.staleAfterSec,
      holder: config.workerId,
      publish: journalCloses(store, journal, contexts),
      intervalSec: config.schedules.staleSweepSec,
      logger: logger.child({ component: 'stale-transactions' }),
    }),
    [HOUSEKEEPING_JOBS.registryPrune]: registryPruneProcessor({
      store,
      redis,
      prefix: config.redis.prefix,
      afterSec: config.registry.pruneUnbootedAfterSec,
      logger: logger.child({ component: 'registry-prune' }),
    }),
    [HOUSEKEEPING_JOBS.firmwareTimeouts]: () => firmware.timeouts(),
  } satisfies Record<string, () => Promise<unknown>>;

  // One BullMQ Worker per queue, each with its processors; failures and stalls are logged and counted.
  const consume = (queue: string, procs: Record<string, (job: Job) => Promise<unknown>>) => {
    const w = new Worker(queue, runJob(queue, procs, metrics), { connection: bull, prefix, name: config.workerId, concurrency: config.concurrency });
    w.on('error', (err) => {
      metrics.redisErrors.inc({ connection: 'bullmq' });
      logger.warn({ err: err.message, queue }, 'worker error');
    });
    w.on('failed', (job, err) => logger.warn({ err: err.message, queue, job: job?.name }, 'job failed'));
    w.on('stalled', (jobId) => {
      metrics.stalled.inc({ queue });
      logger.warn({ queue, jobId }, 'job stalled: its worker stopped renewing the lock');
    });
    return w;
  };
  const firmwareQueue = new Queue(FIRMWARE_QUEUE, { connection: bull, prefix });
  firmwareQueue.on('error', onRedisError('bullmq'));
  metrics.watch(firmwareQueue);
  await applySchedules(firmwareQueue, firmwareSchedules(config));
  const accessQueue = new Queue(ACCESS_QUEUE, { connection: bull, prefix });
  accessQueue.on('error', onRedisError('bullmq'));
  metrics.watch(accessQueue);
  const localLists = startWorkerLocalLists({ config, redis, store, queue: accessQueue, registry: metrics.registry, logger: logger.child({ component: 'local-lists' }) });
  await applySchedules(accessQueue, accessSchedules(config));
  const workers = [
    consume(HOUSEKEEPING_QUEUE, processors),
    consume(FIRMWARE_QUEUE, { [FIRMWARE_JOBS.campaignTicks]: () => firmware.campaignTicks() } satisfies Record<string, () => Promise<unknown>>),
    consume(ACCESS_QUEUE, {
      [ACCESS_JOBS.localListSync]: (job: Job) => localLists.sync(job as Job<LocalListJobData>),
      [ACCESS_JOBS.localListScan]: () => localLists.scan(),
    }),
  ];

  const server = await startMetricsServer(metrics.registry, config.metrics.host, config.metrics.port, (err) => logger.warn({ err }, 'metrics scrape failed'));
  logger.info({ metricsPort: server.port, workerId: config.workerId, queues: [HOUSEKEEPING_QUEUE, FIRMWARE_QUEUE, ACCESS_QUEUE], prefix }, 'worker started');

  let stopping: Promise<void> | undefined;
  return {
    metricsPort: server.port,
    metrics,
    logger,
    stop: () =>
      (stopping ??= stopGracefully({
        consumers: [{ stop: async () => { clearInterval(journalTimer); metrics.loopDelay.stop(); } }, firmware, misuse, sessions, localLists, ...(influx ? [influx] : [])],
        workers,
        queues: [housekeeping, firmwareQueue, accessQueue],
        redis: [bull, redis],
        server,
        graceMs: config.shutdownGraceSec * 1000,
        logger,
      })),
  };
}
