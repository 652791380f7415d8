/**
 * The Fleet page's view (filters, sort, paging) and its query-string form, so that a link reproduces
 * exactly what its sender saw: /a/chargewatch-fleet-app/fleet?site=North&online=offline&sort=lastHeartbeat&order=desc&page=3
 *
 * The query string is input like any other: unknown values fall back to the defaults, never throw.
 * Only values that differ from the defaults are written, and other parameters are kept.
 */
import { isConnectorStatus, type ConnectorStatus } from '@chargewatch/model/status';
import type { FleetFilters, SortOrder, StationListQuery, StationSortKey } from '../../api/types';

export type OnlineFilter = 'all' | 'online' | 'offline';

export interface FleetFilterState {
  site?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  online: OnlineFilter;
  status?: ConnectorStatus;
  q: string;
}

export interface TableSort {
  sort: StationSortKey;
  order: SortOrder;
}

export interface FleetView {
  filters: FleetFilterState;
  sort: TableSort;
  /** 0-based */
  page: number;
  pageSize: number;
}

export const EMPTY_FILTERS: FleetFilterState = { online: 'all', q: '' };
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_VIEW: FleetView = {
  filters: EMPTY_FILTERS,
  sort: { sort: 'id', order: 'asc' },
  page: 0,
  pageSize: 50,
};

const SORT_KEYS: readonly StationSortKey[] = [
  'id',
  'site',
  'vendor',
  'model',
  'firmwareVersion',
  'lastHeartbeat',
  'status',
];
const FACETS = ['site', 'vendor', 'model', 'firmware'] as const;
/** Longest filter value taken from a URL; the collector's own limits are lower. */
const MAX_VALUE_LENGTH = 200;
/** Every parameter the view owns (`page` is 1-based in the URL, as people count pages). */
const KEYS = [...FACETS, 'online', 'status', 'q', 'sort', 'order', 'page', 'size'];

const text = (v: string | null) => (v ? v.slice(0, MAX_VALUE_LENGTH) : undefined);

export function parseFleetView(params: URLSearchParams): FleetView {
  const filters: FleetFilterState = { ...EMPTY_FILTERS };
  for (const key of FACETS) {
    const v = text(params.get(key));
    if (v !== undefined) {
      filters[key] = v;
    }
  }
  const online = params.get('online');
  if (online === 'online' || online === 'offline') {
    filters.online = online;
  }
  const status = params.get('status');
  if (isConnectorStatus(status)) {
    filters.status = status;
  }
  filters.q = text(params.get('q')) ?? '';

  const sortKey = params.get('sort') as StationSortKey | null;
  const order = params.get('order');
  const page = Number(params.get('page'));
  const size = Number(params.get('size'));
  return {
    filters,
    sort: {
      sort: sortKey && SORT_KEYS.includes(sortKey) ? sortKey : DEFAULT_VIEW.sort.sort,
      order: order === 'desc' ? 'desc' : 'asc',
    },
    page: Number.isSafeInteger(page) && page >= 1 ? page - 1 : 0,
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_VIEW.pageSize,
  };
}

/** `view` written into `base` (other parameters kept); defaults are left out. */
export function fleetViewParams(view: FleetView, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  KEYS.forEach((k) => out.delete(k));
  const f = view.filters;
  for (const key of FACETS) {
    if (f[key]) {
      out.set(key, f[key]!);
    }
  }
  if (f.online !== 'all') {
    out.set('online', f.online);
  }
  if (f.status) {
    out.set('status', f.status);
  }
  if (f.q) {
    out.set('q', f.q);
  }
  if (view.sort.sort !== DEFAULT_VIEW.sort.sort || view.sort.order !== DEFAULT_VIEW.sort.order) {
    out.set('sort', view.sort.sort);
    out.set('order', view.sort.order);
  }
  if (view.page > 0) {
    out.set('page', String(view.page + 1));
  }
  if (view.pageSize !== DEFAULT_VIEW.pageSize) {
    out.set('size', String(view.pageSize));
  }
  return out;
}

export const isFiltered = (f: FleetFilterState) => JSON.stringify(f) !== JSON.stringify(EMPTY_FILTERS);

/** The filters the KPIs follow: the summary knows site, vendor, model and firmware only. */
export function toSummaryFilters(f: FleetFilterState): FleetFilters {
  return { site: f.site, vendor: f.vendor, model: f.model, firmware: f.firmware };
}

export function toStationQuery(view: FleetView): StationListQuery {
  const f = view.filters;
  return {
    ...toSummaryFilters(f),
    online: f.online === 'all' ? undefined : f.online === 'online',
    status: f.status,
    q: f.q.trim() || undefined,
    sort: view.sort.sort,
    order: view.sort.order,
    limit: view.pageSize,
    offset: view.page * view.pageSize,
  };
}
