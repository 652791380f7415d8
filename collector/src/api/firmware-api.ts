/**
 * The firmware routes of the collector's API (catalogue, inventory, station updates, campaigns), wired to the PostgreSQL pool the audit log opened
 * (DATABASE_URL). Without one the routes exist all the same and answer 503 saying why, so the API
 * document and the plugin's calls do not depend on the deployment.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { CampaignStore, FirmwareCatalogue, FirmwareUpdates, type AuditLog, type CommandBus, type Logger, type StationStore } from '@chargewatch/platform';
import type { ApiDeps } from './deps';
import { campaignRoutes } from './routes/campaigns';
import { firmwareRoutes, type FirmwareApiContext } from './routes/firmware';
import { stationFirmwareRoutes } from './routes/station-firmware';

export function firmwareApi(o: {
  opened: { pool?: ConstructorParameters<typeof FirmwareUpdates>[0]; migrated?: () => boolean };
  audit: AuditLog;
  bus: CommandBus;
  store: StationStore;
  redis: Redis;
  prefix: string;
  logger: Logger;
}): Array<(app: FastifyInstance, deps: ApiDeps) => Promise<void>> {
  const pool = o.opened.pool;
  const ctx: FirmwareApiContext = {
    redis: o.redis,
    prefix: o.prefix,
    ready: () => o.opened.migrated?.() ?? false,
    ...(pool ? { service: { updates: new FirmwareUpdates(pool), catalogue: new FirmwareCatalogue(pool), bus: o.bus, stations: o.store, audit: o.audit, logger: o.logger } } : {}),
  };
  return [firmwareRoutes(ctx), stationFirmwareRoutes(ctx), campaignRoutes(ctx, pool ? { campaigns: new CampaignStore(pool), pool, store: o.store } : undefined)];
}
