/**
 * Filtering, sorting and paging over the station registry for the API and the plugin's fleet table.
 * The registry is read with one pipelined round trip and cached for a second, so a wall of dashboards
 * refreshing together costs one Redis scan, not one per viewer.
 */
import { hasOpenError, isStationLevelConnector, statusSeverityRank } from '@chargewatch/model';
import type { ConnectorState, StationState, StationStore } from '@chargewatch/platform';

export const SORT_KEYS = ['id', 'site', 'vendor', 'model', 'firmwareVersion', 'lastHeartbeat', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface StationFilter {
  site?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  online?: boolean;
  status?: string;
  q?: string;
}

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

/** Worst status first, so sorting by status puts problems at the top; offline before everything. */
function statusRank(s: StationState): number {
  if (!s.online) return -1;
  return Math.min(99, ...outlets(s).map((c) => statusSeverityRank(c.status)));
}

export class StationQuery {
  private cache?: { at: number; stations: StationState[] };

  constructor(
    private readonly store: StationStore,
    private readonly cacheMs = 1000,
  ) {}

  async all(): Promise<StationState[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < this.cacheMs) return this.cache.stations;
    const stations = await this.store.getMany(await this.store.listIds());
    this.cache = { at: now, stations };
    return stations;
  }

  invalidate(): void {
    this.cache = undefined;
  }

  static matches(s: StationState, f: StationFilter): boolean {
    if (f.site !== undefined && (s.metadata.site ?? '') !== f.site) return false;
    if (f.vendor !== undefined && s.vendor !== f.vendor) return false;
    if (f.model !== undefined && s.model !== f.model) return false;
    if (f.firmware !== undefined && s.firmwareVersion !== f.firmware) return false;
    if (f.online !== undefined && s.online !== f.online) return false;
    if (f.status !== undefined && !outlets(s).some((c) => c.status === f.status)) return false;
    if (f.q) {
      const q = f.q.toLowerCase();
      const hay = [s.id, s.serialNumber, s.metadata.site, s.metadata.address].filter(Boolean).join(' ').toLowerCase();
      if (!hay.includes(q)) return false;
    }
    return true;
  }

  async list(f: StationFilter, sort: SortKey, order: 'asc' | 'desc', limit: number, offset: number) {
    const stations = await this.all();
    const matching = stations.filter((s) => StationQuery.matches(s, f));
    const key = (s: StationState): string | number => {
      switch (sort) {
        case 'site':
          return s.metadata.site ?? '';
        case 'lastHeartbeat':
          return s.lastSeen ?? 0;
        case 'status':
          return statusRank(s);
        case 'id':
          return s.id;
        default:
          return s[sort] ?? '';
      }
    };
    const dir = order === 'desc' ? -1 : 1;
    matching.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb));
      return c !== 0 ? c * dir : a.id.localeCompare(b.id);
    });
    const now = Date.now();
    const facet = (pick: (s: StationState) => string | undefined) =>
      [...new Set(stations.map(pick).filter((v): v is string => Boolean(v)))].sort();
    return {
      total: matching.length,
      items: matching.slice(offset, offset + limit).map((s) => summarize(s, now)),
      facets: {
        sites: facet((s) => s.metadata.site),
        vendors: facet((s) => s.vendor),
        models: facet((s) => s.model),
        firmwareVersions: facet((s) => s.firmwareVersion),
      },
    };
  }
}
