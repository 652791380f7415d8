/**
 * Wires the collector together: OCPP server → adapters → event dispatcher → Redis state, InfluxDB and
 * Prometheus sinks, plus the internal API. `startCollector` is what `chargewatch collector` runs and
 * what the integration tests start in-process.
 */
import Redis from 'ioredis';
import type { CollectorConfig } from './config';
import {
  createLogger,
  StationStore,
  JournalFullError,
  RedisJournal,
  deferredInfluxWriter,
  isKeyCodeLockedOut,
  influxDeadLetters,
  startInfluxJournalWriter,
  type AuditLog,
  type CommandBus,
  type InfluxSink,
  type Logger,
  type StaleSweepResult,
  type StationMeta,
  type StationMetadata,
  writeOnce,
} from '@chargewatch/platform';
import { RedisKeys, type ChargeEvent } from '@chargewatch/model';
import type { Authorizer } from './access/authorizer';
import { openAccess } from './access/open-access';
import { accessApi } from './api/access-api';
import { withKeyCodeLockout } from './access/keycode-lockout';
import { EventDispatcher } from './events/dispatcher';
import { CollectorMetrics } from './sinks/prometheus/metrics';
import { FleetMetricsSink } from './sinks/prometheus/fleet-sink';
import { OpenTransactionReconciler } from './sinks/prometheus/open-transactions';
import { startStaleSweep } from './events/stale-sweep';
import { startRegistryPrune } from './events/registry-prune';
import { CollectorDecisions } from './ocpp/decisions';
import { OcppServer } from './ocpp/server';
import { createStationAuth } from './ocpp/auth';
import { securityRoutes } from './api/routes/security';
import { buildApi, type ApiDeps } from './api/server';
import { deadLetterRoutes } from './api/routes/deadletters';
import { InfluxReader } from './api/influx-reader';
import { StationQuery } from './api/station-query';
import { startCommands, type CollectorCommands } from './commands';
import { auditRoutes } from './api/routes/audit';
import { firmwareApi } from './api/firmware-api';
import { incidentsApi } from './api/incidents-api';
import { sessionsApi } from './api/sessions-api';
import { localListApi } from './api/local-list-api';
import { openAuditLog } from './audit/open-audit-log';

export interface CollectorHandle {
  ocppPort: number;
  apiPort: number;
  ocppUrl: string;
  apiUrl: string;
  metrics: CollectorMetrics;
  store: StationStore;
  journal: RedisJournal;
  ocpp: OcppServer;
  /** The InfluxDB writer's sink; absent with INFLUX_WRITER=worker. */
  influx?: InfluxSink;
  commands: CommandBus;
  logger: Logger;
  /** One stale-transaction sweep now (the timer runs it every TX_STALE_SWEEP_INTERVAL_SEC). */
  sweepStaleTransactions(now?: number): Promise<StaleSweepResult>;
  /** One registry prune now: stations that never booted, last seen REGISTRY_PRUNE_UNBOOTED_AFTER_SEC before `now`. */
  pruneUnbootedStations(now?: number): Promise<string[]>;
  /** Reconciles Prometheus's open transactions with the shared state now (the timer runs it every 30 s). */
  reconcileOpenTransactions(): Promise<void>;
  /** Graceful stop: refuse new connections, close stations with 1001, flush InfluxDB, close stores. */
  stop(): Promise<void>;
}

/** How often Prometheus's open transactions are checked against the shared state. */
const OPEN_TX_RECONCILE_MS = 30_000;

export interface CollectorOptions {
  logger?: Logger;
  authorizer?: Authorizer;
  apiPlugins?: ApiDeps['plugins'];
  /** Where commands and API changes are audited; without one, PostgreSQL (DATABASE_URL) or the log. */
  audit?: AuditLog;
}

export async function startCollector(config: CollectorConfig, options: CollectorOptions = {}): Promise<CollectorHandle> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = new CollectorMetrics();
  metrics.loopDelay.start();
  const redisOptions = { maxRetriesPerRequest: 2, enableAutoPipelining: true, lazyConnect: true } as const;
  const redis = new Redis(config.redis.url, redisOptions);
  redis.on('error', (err) => {
    metrics.redisErrors.inc({ operation: 'connection' });
    logger.warn({ err: err.message }, 'redis connection error');
  });
  await redis.connect();
  const store = new StationStore(redis, config.redis.prefix);

  // Station metadata is read on every point written, so it is cached here and refreshed on change.
  const metaCache = new Map<string, StationMeta>();
  const fleet = new FleetMetricsSink(metrics, Date.now, { maxVendorModels: config.prometheus.maxVendorModels });
  const loadMeta = async (stationId: string): Promise<StationMetadata> => {
    const meta = await store.getMetadata(stationId);
    metaCache.set(stationId, { site: meta.site, tags: meta.tags });
    fleet.setSite(stationId, meta.site ?? '');
    return meta;
  };

  // The writer also answers readiness and replays dead letters, so it exists wherever the journal is written.
  const writer = deferredInfluxWriter(config.influx, logger.child({ component: 'influx' }));
  // Lines InfluxDB refuses for good wait here with its reason instead of vanishing (GET/POST /api/v1/deadletters/influx).
  const deadLetters = influxDeadLetters(redis, config.redis.prefix, config.influx);
  metrics.journal.watchDeadLetters(() => deadLetters.count());

  // Rebuild Prometheus state and the metadata cache from the registry, so a restart shows stations
  // that have not reconnected yet (as offline) instead of dropping their series.
  const ids = await store.listIds();
  const known = await store.getMany(ids);
  for (const s of known) {
    metaCache.set(s.id, { site: s.metadata.site, tags: s.metadata.tags });
    if (!s.collectorId || s.collectorId === config.collectorId) {
      fleet.seed(s.id, { site: s.metadata.site, vendor: s.vendor, model: s.model, firmware: s.firmwareVersion, lastSeen: s.lastSeen });
    }
  }
  const staleOnline = await store.markOwnedOffline(config.collectorId, new Set(), Date.now());
  if (staleOnline) logger.warn({ stations: staleOnline }, 'marked stations offline that were left online by an earlier run');

  const subscriber = redis.duplicate();
  subscriber.on('error', () => metrics.redisErrors.inc({ operation: 'subscribe' }));
  const prunedChannel = new RedisKeys(config.redis.prefix).prunedChannel();
  // Set once the handshake guard exists; a pruned identity then counts as new again.
  let forgetIdentity: ((id: string) => void) | undefined;
  // Set once access control exists; a station's site or time zone may have changed.
  let forgetPlace: ((id: string) => void) | undefined;
  await subscriber.subscribe(`${config.redis.prefix}meta`, prunedChannel);
  subscriber.on('message', (channel, stationId: string) => {
    if (channel === prunedChannel) {
      fleet.forget(stationId);
      metaCache.delete(stationId);
      forgetIdentity?.(stationId);
      return;
    }
    forgetPlace?.(stationId);
    loadMeta(stationId).catch((err) => logger.warn({ err, stationId }, 'failed to refresh station metadata'));
  });

  // Each batch carries its stations' site and tags, so every consumer tags it as of its arrival.
  const journal = new RedisJournal(redis, config.redis.prefix, config.journalMaxEntries, { stationContext: (id) => metaCache.get(id) });
  const influxWriter =
    config.influx.writer === 'collector'
      ? await startInfluxJournalWriter({
          settings: config.influx,
          redis,
          prefix: config.redis.prefix,
          journal,
          writer,
          deadLetters,
          consumer: config.collectorId,
          metrics: metrics.journal,
          logger: logger.child({ component: 'influx' }),
          onRedisError: () => metrics.redisErrors.inc({ operation: 'journal_consume' }),
        })
      : undefined;
  const pollJournal = () => metrics.journal.poll(journal).catch(() => metrics.redisErrors.inc({ operation: 'journal_backlog' }));
  await pollJournal();
  const backlogTimer = setInterval(pollJournal, 2000);
  backlogTimer.unref();

  // Started once the OCPP server exists (it sends the commands); the dispatcher reaches it from then on.
  let commands: CollectorCommands | undefined;
  const dispatcher = new EventDispatcher([
    {
      name: 'metadata',
      record: async (events) => {
        const id = events[0]!.stationId;
        if (!metaCache.has(id)) await loadMeta(id);
      },
    },
    {
      // Current state and the durable journal go to Redis together (one pipelined round trip); the
      // station is answered only when both are stored.
      name: 'redis',
      record: async (events) => {
        try {
          await Promise.all([store.apply(events), journal.append(events)]);
        } catch (err) {
          metrics.journalRefused.inc({ reason: err instanceof JournalFullError ? 'journal_full' : 'redis_error' });
          metrics.redisErrors.inc({ operation: 'record' });
          throw err;
        }
      },
    },
    { name: 'prometheus', record: (events) => fleet.record(events) },
    // After Redis: a station that connected here is recorded as ours before its commands are taken.
    { name: 'commands', record: (events) => commands?.observe(events) },
  ]);

  const reconciler = new OpenTransactionReconciler(fleet, store.transactions, config.collectorId, () => metrics.redisErrors.inc({ operation: 'reconcile_transactions' }));
  reconciler.start(OPEN_TX_RECONCILE_MS);
  // Closes by policy found by a sweep: the same journal as every event (so InfluxDB and every consumer
  // see them), and Prometheus here; their station may be one another collector holds.
  const publishClosed = async (events: ChargeEvent[]) => {
    for (const id of new Set(events.map((e) => e.stationId))) {
      if (metaCache.has(id)) continue;
      const meta = await store.getMetadata(id);
      metaCache.set(id, { site: meta.site, tags: meta.tags });
    }
    await journal.append(events);
    fleet.record(events);
  };
  const staleSweep = startStaleSweep({
    store,
    staleAfterSec: config.transactions.staleAfterSec,
    intervalSec: config.transactions.sweepIntervalSec,
    holder: config.collectorId,
    publish: publishClosed,
    logger: logger.child({ component: 'stale-transactions' }),
    onError: () => metrics.redisErrors.inc({ operation: 'stale_sweep' }),
  });

  const audited = options.audit
    ? { audit: options.audit, ready: undefined, close: async () => undefined }
    : await openAuditLog(config.database.url, metrics.registry, logger.child({ component: 'audit' }));
  // Who may charge: the token registry (PostgreSQL, cached in memory here) or accept-all (ACCESS_MODE).
  const access = await openAccess({
    settings: config.access,
    ...(audited.pool ? { pool: audited.pool, migrated: audited.migrated } : {}),
    redis,
    prefix: config.redis.prefix,
    store,
    metrics: metrics.registry,
    logger: logger.child({ component: 'access' }),
  });
  forgetPlace = (id) => access.forgetStation(id);
  // While PIN guessing locks a station out (misuse detection), no KeyCode is accepted there.
  const authorizer = withKeyCodeLockout(options.authorizer ?? access.authorizer, (id) => isKeyCodeLockedOut(redis, config.redis.prefix, id));
  const decisions = new CollectorDecisions(store, authorizer, config.unknownStations, config.ocpp.heartbeatIntervalSec, logger.child({ component: 'decisions' }), {
    ids: { maxEvseId: config.ocpp.maxEvseId, maxConnectorId: config.ocpp.maxConnectorId },
    onRefused: (limit) => metrics.limitRefusals.inc({ limit }),
  });
  const stationAuth = createStationAuth({ redis, prefix: config.redis.prefix, ocpp: config.ocpp, metrics, dispatcher, logger: logger.child({ component: 'auth' }) });
  forgetIdentity = (id) => stationAuth.guard.forgetIdentity(id);
  const registryPrune = startRegistryPrune({
    store,
    redis,
    channel: prunedChannel,
    afterSec: config.registry.pruneUnbootedAfterSec,
    securityKey: (id) => stationAuth.security.key(id),
    logger: logger.child({ component: 'registry-prune' }),
    onError: () => metrics.redisErrors.inc({ operation: 'registry_prune' }),
  });
  const ocpp = new OcppServer({
    ...config.ocpp,
    guard: stationAuth.guard,
    collectorId: config.collectorId,
    decisions,
    dispatcher,
    metrics,
    logger: logger.child({ component: 'ocpp' }),
    registrationOf: (id) => store.getRegistration(id),
  });
  commands = await startCommands({ redis, config, channel: ocpp, audit: audited.audit, metrics, logger: logger.child({ component: 'commands' }) });
  const ocppAddr = await ocpp.listen();

  const reader = new InfluxReader({ url: config.influx.url, database: config.influx.api === 'v2' ? config.influx.bucket : config.influx.database, token: config.influx.token || undefined });
  const query = new StationQuery(store);
  const api = await buildApi({
    store,
    query,
    influx: reader,
    registry: metrics.registry,
    stationRegistry: metrics.stationRegistry,
    onInternalError: () => metrics.internalErrors.inc({ where: 'api' }),
    token: config.api.token,
    auth: config.api.auth,
    logger,
    ready: {
      redis: async () => (await redis.ping()) === 'PONG',
      influxdb: () => writer.ping(),
      ...(audited.ready ? { postgres: audited.ready } : {}),
    },
    audit: audited.audit,
    onMetadataChanged: (id) => {
      query.invalidate();
      access.forgetStation(id);
      void loadMeta(id);
    },
    plugins: [
      ...(options.apiPlugins ?? []),
      securityRoutes(stationAuth),
      commands.routes,
      auditRoutes(audited.audit),
      deadLetterRoutes(deadLetters, writeOnce(writer)),
      ...accessApi(access),
      ...firmwareApi({ opened: audited, audit: audited.audit, bus: commands.bus, store, redis, prefix: config.redis.prefix, logger: logger.child({ component: 'firmware' }) }),
      incidentsApi({ opened: audited, redis, prefix: config.redis.prefix, registry: access.registry, hashSecret: config.access.tokenHashSecret }),
      sessionsApi({ opened: audited }),
      ...localListApi({ opened: audited, store, redis, prefix: config.redis.prefix }),
    ],
  });
  await api.listen({ port: config.api.port, host: config.api.host });
  const apiAddr = api.server.address();
  const apiPort = typeof apiAddr === 'object' && apiAddr ? apiAddr.port : config.api.port;
  const hostForUrl = (h: string) => (h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h);
  logger.info({ ocppPort: ocppAddr.port, apiPort, collectorId: config.collectorId }, 'collector started');

  let stopping: Promise<void> | undefined;
  return {
    ocppPort: ocppAddr.port,
    apiPort,
    ocppUrl: `${config.ocpp.tlsCert ? 'wss' : 'ws'}://${hostForUrl(config.ocpp.host)}:${ocppAddr.port}/ocpp`,
    apiUrl: `http://${hostForUrl(config.api.host)}:${apiPort}`,
    metrics,
    store,
    journal,
    ocpp,
    influx: influxWriter?.sink,
    commands: commands.bus,
    logger,
    sweepStaleTransactions: (now) => staleSweep.runOnce(now),
    pruneUnbootedStations: (now) => registryPrune.runOnce(now),
    reconcileOpenTransactions: () => reconciler.reconcile(),
    stop: () =>
      (stopping ??= (async () => {
        const t0 = Date.now();
        const phase = (msg: string) => logger.info({ elapsedMs: Date.now() - t0 }, msg);
        commands!.beginStop();
        await ocpp.close();
        phase('stations disconnected');
        await commands!.stop();
        clearInterval(backlogTimer);
        metrics.loopDelay.stop();
        await Promise.all([staleSweep.stop(), reconciler.stop(), registryPrune.stop()]);
        // With InfluxDB up, write out what was acknowledged; with it unreachable the journal keeps it.
        if (influxWriter) {
          await influxWriter.stop();
          phase('InfluxDB writer stopped');
        }
        await writer.close();
        await api.close();
        await access.close();
        await audited.close();
        phase('API closed');
        await subscriber.quit().catch(() => undefined);
        await redis.quit().catch(() => undefined);
        logger.info('collector stopped');
      })()),
  };
}


