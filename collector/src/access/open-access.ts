/**
 * Access control in the collector, from the settings: with ACCESS_MODE=registry the token registry on
 * the PostgreSQL pool the audit log opened, this collector's token cache (loaded from PostgreSQL,
 * refreshed through Redis pub/sub), the open-transaction counts in Redis and the registry-backed
 * authorizer; with accept-all, `acceptAll` (and a warning at start).
 */
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { AUTHORIZATION_STATUSES } from '@chargewatch/model';
import { AccountStore, TokenCache, TokenRegistry, TokenTransactions, tokenChangeNotifier, type Logger, type StationStore } from '@chargewatch/platform';
import type { AccessSettings } from './access-settings';
import { acceptAll, type Authorizer } from './authorizer';
import { RegistryAuthorizer } from './registry-authorizer';
import { StationPlaces } from './station-places';

export interface OpenedAccess {
  mode: AccessSettings['mode'];
  authorizer: Authorizer;
  /** Present in registry mode: the API's tokens and accounts routes use them. */
  registry?: TokenRegistry;
  accounts?: AccountStore;
  cache?: TokenCache;
  /** Readiness: the database is migrated (the routes answer 503 until then). */
  ready: () => boolean;
  /** A station's metadata changed (its site or time zone may have). */
  forgetStation(stationId: string): void;
  close(): Promise<void>;
}

export async function openAccess(o: {
  settings: AccessSettings;
  pool?: Pool;
  migrated?: () => boolean;
  redis: Redis;
  prefix: string;
  store: StationStore;
  metrics: Registry;
  logger: Logger;
}): Promise<OpenedAccess> {
  if (o.settings.mode === 'accept-all' || !o.pool) {
    o.logger.warn('ACCESS_MODE=accept-all: every token is Accepted (set DATABASE_URL for the token registry)');
    return { mode: 'accept-all', authorizer: acceptAll, ready: () => false, forgetStation: () => undefined, close: async () => undefined };
  }
  const pins = { hashSecret: o.settings.pinSecret ?? Buffer.alloc(0), ...(o.settings.pinKey ? { sealKey: o.settings.pinKey } : {}) };
  const registry = new TokenRegistry(o.pool, { pins, sealPins: o.settings.sendPins, notify: tokenChangeNotifier(o.redis, o.prefix) });
  const decisions = new Counter({
    name: 'chargewatch_access_decisions_total',
    help: 'Authorization decisions of the token registry by 2.0.1 status and purpose (authorize, start); no token labels',
    labelNames: ['status', 'purpose'],
    registers: [o.metrics],
  });
  for (const status of AUTHORIZATION_STATUSES) for (const purpose of ['authorize', 'start']) decisions.inc({ status, purpose }, 0);
  const reloads = new Counter({ name: 'chargewatch_access_cache_reloads_total', help: 'Token cache reloads by kind (full, partial) and outcome (ok, error)', labelNames: ['kind', 'outcome'], registers: [o.metrics] });
  const size = new Gauge({ name: 'chargewatch_access_tokens', help: 'Tokens in this collector\'s cache', registers: [o.metrics] });
  const loadedGauge = new Gauge({ name: 'chargewatch_access_cache_loaded', help: '1 once this collector\'s token cache has loaded from PostgreSQL', registers: [o.metrics] });
  const cache: TokenCache = new TokenCache({
    source: registry,
    redis: o.redis,
    prefix: o.prefix,
    hashSecret: pins.hashSecret,
    fullReloadMs: o.settings.reloadSec * 1000,
    logger: o.logger,
    onReload: (kind, _n, _ms, err) => {
      reloads.inc({ kind, outcome: err ? 'error' : 'ok' });
      size.set(cache.size);
      loadedGauge.set(cache.loaded ? 1 : 0);
    },
  });
  await cache.start();
  if (cache.loaded && cache.size === 0) o.logger.warn('ACCESS_MODE=registry and the token registry is empty: every token is refused (Invalid) except on ACCESS_FREE_VEND_SITES');
  const places = new StationPlaces(o.store);
  const authorizer = new RegistryAuthorizer({
    tokens: cache,
    transactions: new TokenTransactions(o.redis, o.prefix, (id) => o.store.txKeys(id)),
    place: (id) => places.place(id),
    freeVendSites: o.settings.freeVendSites,
    logger: o.logger,
    onDecision: (d, purpose) => decisions.inc({ status: d.status, purpose }),
  });
  return {
    mode: 'registry',
    authorizer,
    registry,
    accounts: new AccountStore(o.pool),
    cache,
    ready: () => o.migrated?.() ?? true,
    forgetStation: (id) => places.forget(id),
    close: () => cache.stop(),
  };
}
