/**
 * What the API's routes need from the collector. Its own module so the routes and the server that
 * registers them both import it without importing each other.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AuditLog, Logger, StationStore } from '@chargewatch/platform';
import type { InfluxReader } from './influx-reader';
import type { StationQuery } from './station-query';

export interface ApiDeps {
  store: StationStore;
  query: StationQuery;
  influx: InfluxReader;
  registry: Registry;
  /** Series labelled per station, served on /metrics/stations; none: that endpoint is empty. */
  stationRegistry?: Registry;
  token: string;
  auth: boolean;
  logger: Logger;
  /** Readiness probes by dependency name. */
  ready: Record<string, () => Promise<boolean>>;
  onMetadataChanged(stationId: string): void;
  /** Where API changes are audited (api/audit-changes.ts); none: not audited (unit tests). */
  audit?: AuditLog;
  /** Counts a request that failed with a 500 (chargewatch_internal_errors_total{where="api"}). */
  onInternalError?: () => void;
  /** Extra route plugins from later stages (history, operations). */
  plugins?: Array<(app: FastifyInstance, deps: ApiDeps) => Promise<void>>;
}
