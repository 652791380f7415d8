/**
 * Local authorization lists in the worker, when DATABASE_URL is set (platform LocalListSync does the
 * work; docs/architecture.md, "Local authorization lists"). The access queue holds one
 * `local-list-sync` job per station (job id from the station, so triggers arriving while it waits
 * coalesce) and the `local-list-scan` scheduler. What enqueues a station's sync:
 *
 * - a token change: the registry's announcement on `access:tokens` (the channel the token caches
 *   follow); the changed tokens' stations — those they are allowed at now, and those whose stored list
 *   names them (a deleted token, a narrowed one) — are synced LOCAL_LIST_DEBOUNCE_SEC later;
 * - a station's metadata change (`meta`: its site may have changed what is allowed there);
 * - an operator (`access:locallist:sync`, from the API) — at once;
 * - the scan (every WORKER_LOCAL_LIST_SCAN_SEC) over the registry and the stored states: stations
 *   never synced, booted since the last attempt (limits learned again: new firmware may change them),
 *   reconnected while pending, with a request newer than the last attempt (one that came in while a
 *   sync ran), or due for a retry or a drift check (GetLocalListVersion). Scanning for boots instead
 *   of consuming the journal keeps this a bounded query per period with nothing to replay.
 */
import { ACCESS_JOBS, RedisKeys, localListJobId, systemActor } from '@chargewatch/model';
import {
  CommandBus,
  LocalListStore,
  LocalListSync,
  PgAuditLog,
  TokenRegistry,
  createDatabasePool,
  migrateDatabase,
  type LocalListRow,
  type Logger,
  type StationState,
  type StationStore,
  type SyncReport,
} from '@chargewatch/platform';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '../config';
import { LocalListMetrics } from './local-list-metrics';

const MIGRATE_RETRY_MS = 10_000;
const PROTOCOLS = new Set(['ocpp1.6', 'ocpp2.0.1']);
/** Token-change announcements gathered before the affected stations are worked out. */
const TOKEN_BATCH_MS = 500;

export interface LocalListJobData {
  stationId: string;
  full?: boolean;
  check?: boolean;
}

export interface WorkerLocalLists {
  sync(job: Job<LocalListJobData>): Promise<SyncReport | { skipped: string }>;
  scan(): Promise<{ enqueued: number } | { skipped: string }>;
  stop(): Promise<void>;
}

export interface WorkerLocalListsOptions {
  config: WorkerConfig;
  redis: Redis;
  store: StationStore;
  queue: Pick<Queue, 'add'>;
  registry: Registry;
  logger: Logger;
}

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;

export function startWorkerLocalLists(o: WorkerLocalListsOptions): WorkerLocalLists {
  const { config, logger } = o;
  if (!config.database.url) {
    logger.warn('DATABASE_URL is not set: local authorization lists are not synced');
    const skipped = async () => ({ skipped: 'DATABASE_URL is not set' });
    return { sync: skipped, scan: skipped, stop: async () => undefined };
  }
  const pool = createDatabasePool(config.database.url, logger);
  const lists = new LocalListStore(pool);
  // PINs go into lists only where the operator chose so (ACCESS_SEND_PINS=on): opened here with the
  // collectors' key; otherwise KeyCode tokens stay out of every list.
  const { pinKey, sendPins } = config.access;
  const tokens = new TokenRegistry(pool, { pins: { hashSecret: Buffer.alloc(0), ...(pinKey ? { sealKey: pinKey } : {}) }, sealPins: sendPins });
  const bus = new CommandBus({ redis: o.redis, prefix: config.redis.prefix, defaultDeadlineMs: config.commands.deadlineSec * 1000, retentionMs: config.commands.retentionDays * 86_400_000 });
  const metrics = new LocalListMetrics(o.registry);
  const ll = config.localLists;
  const sync = new LocalListSync({
    store: lists,
    tokens,
    stations: o.store,
    bus,
    audit: new PgAuditLog(pool),
    logger,
    schedule: { checkEveryMs: ll.checkIntervalSec * 1000, retryBaseMs: ll.retryBaseSec * 1000 },
    commandWaitMs: ll.commandWaitSec * 1000,
    actor: systemActor('local-list-sync'),
    onOutcome: (kind, outcome) => metrics.syncs.inc({ kind, outcome }),
  });
  const keys = new RedisKeys(config.redis.prefix);

  const enqueue = (stationId: string, delayMs: number, data: Omit<LocalListJobData, 'stationId'> = {}) =>
    o.queue.add(ACCESS_JOBS.localListSync, { stationId, ...data }, { jobId: localListJobId(stationId), delay: delayMs, ...JOB_OPTIONS });

  const allStations = async (): Promise<StationState[]> => (await o.store.getMany(await o.store.listIds())).filter((s) => s.protocol && PROTOCOLS.has(s.protocol));

  /** The stations a set of changed tokens concerns: where they are allowed now, and where they are listed. */
  const stationsForTokens = async (ids: string[] | '*'): Promise<string[]> => {
    const stations = await allStations();
    if (ids === '*') return stations.map((s) => s.id);
    const out = new Set(await lists.stationsHolding(ids));
    for (const t of await tokens.loadForCache(ids)) {
      const everywhere = !t.allowedSites.length && !t.allowedStations.length && !t.allowedEvses.length;
      for (const s of stations) {
        if (everywhere || t.allowedStations.includes(s.id) || (s.metadata.site !== undefined && t.allowedSites.includes(s.metadata.site)) || t.allowedEvses.some((e) => e.startsWith(`${s.id}/`))) out.add(s.id);
      }
    }
    return [...out];
  };

  let pendingTokens: Set<string> | '*' | undefined;
  let tokenTimer: NodeJS.Timeout | undefined;
  const flushTokens = async () => {
    const ids = pendingTokens === '*' ? '*' : [...(pendingTokens ?? [])];
    pendingTokens = undefined;
    tokenTimer = undefined;
    try {
      const stations = await stationsForTokens(ids);
      await lists.request(stations);
      for (const s of stations) await enqueue(s, ll.debounceSec * 1000);
      if (stations.length) logger.info({ stations: stations.length }, 'token change: local lists to sync');
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'token change not turned into local-list syncs; the scan retries');
    }
  };
  const onTokens = (message: string) => {
    if (message === '*') pendingTokens = '*';
    else {
      let ids: unknown;
      try {
        ids = JSON.parse(message);
      } catch {
        return;
      }
      if (!Array.isArray(ids)) return;
      if (pendingTokens !== '*') {
        pendingTokens ??= new Set();
        for (const id of ids) if (typeof id === 'string') pendingTokens.add(id);
      }
    }
    tokenTimer ??= setTimeout(() => void flushTokens(), TOKEN_BATCH_MS);
  };

  const subscriber = o.redis.duplicate();
  subscriber.on('error', (err) => logger.debug({ err: err.message }, 'local lists: subscription error'));
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === keys.tokensChannel()) return onTokens(message);
    const run = async () => {
      if (channel === keys.metaChannel()) {
        await lists.request([message]);
        await enqueue(message, ll.debounceSec * 1000);
      } else if (channel === keys.localListSyncChannel()) {
        const m = JSON.parse(message) as { stationId?: unknown; full?: unknown };
        if (typeof m.stationId === 'string') await enqueue(m.stationId, 0, m.full === true ? { full: true } : {});
      }
    };
    run().catch((err: Error) => logger.warn({ err: err.message, channel }, 'local lists: trigger not enqueued; the scan retries'));
  });

  let ready = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const begin = async () => {
    try {
      await migrateDatabase(config.database.url, logger);
      if (stopped) return;
      await subscriber.subscribe(keys.tokensChannel(), keys.metaChannel(), keys.localListSyncChannel());
      ready = true;
      logger.info('local-list sync started');
    } catch (err) {
      if (stopped) return;
      logger.error({ err: (err as Error).message }, `local lists: PostgreSQL not ready; retrying in ${MIGRATE_RETRY_MS / 1000} s`);
      retry = setTimeout(() => void begin(), MIGRATE_RETRY_MS);
      retry.unref();
    }
  };
  void begin();

  /** Why the scan enqueues a station now (undefined: not due). */
  const dueReason = (s: StationState, row: LocalListRow | undefined, now: number): 'first' | 'boot' | 'reconnect' | 'request' | 'due' | undefined => {
    if (!s.online) return undefined;
    if (!row || row.lastAttemptAt === undefined) return 'first';
    if (s.lastBoot !== undefined && s.lastBoot > row.lastAttemptAt) return 'boot';
    if (row.state === 'unsupported') return undefined;
    if (row.requestedAt !== undefined && row.requestedAt > row.lastAttemptAt) return 'request';
    if (row.state === 'pending' && s.connectedAt !== undefined && s.connectedAt > row.lastAttemptAt) return 'reconnect';
    if (row.nextDueAt !== undefined && row.nextDueAt <= now) return 'due';
    return undefined;
  };

  return {
    sync: async (job) => {
      if (!ready) return { skipped: 'the database is not migrated yet' };
      const { stationId } = job.data;
      let report = job.data.check ? await sync.checkDrift(stationId) : await sync.syncStation(stationId, { full: job.data.full === true });
      // A request that came in while this sync ran (its add was coalesced into this job): once more.
      for (let again = 0; again < 3 && report.state !== 'skipped'; again++) {
        const row = await lists.get(stationId);
        if (!row || row.requestedAt === undefined || row.lastAttemptAt === undefined || row.requestedAt <= row.lastAttemptAt) break;
        report = await sync.syncStation(stationId);
      }
      return report;
    },
    scan: async () => {
      if (!ready) return { skipped: 'the database is not migrated yet' };
      const now = Date.now();
      const rows = new Map((await lists.summaries()).map((r) => [r.stationId, r]));
      let enqueued = 0;
      for (const s of await allStations()) {
        const row = rows.get(s.id);
        const why = dueReason(s, row, now);
        if (!why) continue;
        // A boot may bring new firmware: limits are learned again, even of a station without a list.
        if (why === 'boot') await lists.request([s.id], { evenUnsupported: true, at: now });
        await enqueue(s.id, 0, why === 'due' && row?.state === 'in_sync' ? { check: true } : {});
        enqueued++;
      }
      metrics.setCounts(await lists.countByState());
      return { enqueued };
    },
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(tokenTimer);
      await subscriber.quit().catch(() => undefined);
      await bus.close();
      await pool.end().catch(() => undefined);
    },
  };
}
