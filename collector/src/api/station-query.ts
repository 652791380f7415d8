/**
 * Filtering, sorting and paging over the station registry for the API and the plugin's fleet table.
 * Filters and orders come from the in-memory fleet index (fleet-index.ts), at most a second old, so a
 * wall of dashboards refreshing together costs no Redis scan; a page reads only its own stations.
 */
import { hasOpenError, isStationLevelConnector } from '@chargewatch/model';
import type { ConnectorState, StationState, StationStore } from '@chargewatch/platform';
import { FleetIndex, decodeCursor } from './fleet-index';
import { matchesRow, toRow, type SortKey, type StationFilter } from './fleet-rows';

export { SORT_KEYS, type SortKey, type StationFilter } from './fleet-rows';

export interface StationSummary {
  id: string;
  online: boolean;
  site?: string;
  vendor?: string;
  model?: string;
  firmwareVersion?: string;
  lastHeartbeat?: string;
  heartbeatAgeSec?: number;
  connectors: Array<{ evseId: number; connectorId: number; status: string; errorCode: string; since: string; transactionId?: string }>;
  openErrors: number;
  activeTransactions: number;
}

/** Connectors a user plugs into: 1.6 connector 0 describes the whole station and is left out. */
export const outlets = (s: StationState): ConnectorState[] => s.connectors.filter((c) => !isStationLevelConnector(c.evseId));

/** Epoch ms as an ISO string for API answers; undefined stays undefined (the field is left out). */
export const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function summarize(s: StationState, now = Date.now()): StationSummary {
  const seen = s.lastSeen ?? s.lastHeartbeat;
  return {
    id: s.id,
    online: s.online,
    site: s.metadata.site,
    vendor: s.vendor,
    model: s.model,
    firmwareVersion: s.firmwareVersion,
    lastHeartbeat: iso(seen),
    heartbeatAgeSec: seen === undefined ? undefined : Math.max(0, Math.round((now - seen) / 1000)),
    connectors: outlets(s).map((c) => ({
      evseId: c.evseId,
      connectorId: c.connectorId,
      status: c.status,
      errorCode: c.errorCode,
      since: new Date(c.since).toISOString(),
      transactionId: c.transactionId,
    })),
    openErrors: s.connectors.filter((c) => hasOpenError(c.status, c.errorCode)).length,
    activeTransactions: s.transactions.length,
  };
}

export class StationQuery {
  readonly index: FleetIndex;

  constructor(
    private readonly store: StationStore,
    cacheMs = 1000,
  ) {
    this.index = new FleetIndex(store, { refreshMs: cacheMs });
  }

  invalidate(): void {
    this.index.invalidate();
  }

  static matches(s: StationState, f: StationFilter): boolean {
    return matchesRow(toRow(s), f);
  }

  /**
   * One page from the index; only the page's stations are read from Redis. A cursor that does not
   * decode is the caller's mistake (answered 400).
   */
  async list(f: StationFilter, sort: SortKey, order: 'asc' | 'desc', limit: number, offset: number, cursor?: string) {
    const at = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !at) throw Object.assign(new Error('cursor is not one this API gave out'), { statusCode: 400 });
    await this.index.fresh();
    const page = await this.index.page(f, sort, order, limit, offset, at);
    const f2 = this.index.facets();
    const now = Date.now();
    // A station pruned between the index's look and this read is left out of the page.
    const states = (await this.store.getExisting(page.ids)).filter((s): s is StationState => s !== undefined);
    return {
      total: page.total,
      items: states.map((s) => summarize(s, now)),
      nextCursor: page.nextCursor,
      facets: { sites: f2.site, vendors: f2.vendor, models: f2.model, firmwareVersions: f2.firmware },
    };
  }
}
