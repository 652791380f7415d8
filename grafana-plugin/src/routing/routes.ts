/**
 * The app's pages and the links to them, in one place. Paths are relative to the app's base URL
 * (/a/chargewatch-fleet-app); AppRoutes.tsx mounts a page at each.
 */
import { PLUGIN_BASE_URL } from '../constants';

export const ROUTES = {
  Fleet: 'fleet',
  /** `:id` is the station identity, percent-encoded by stationUrl() */
  Station: 'station/:id',
  /** tabs and their state in the query string (pages/Firmware/firmwareView.ts) */
  Firmware: 'firmware',
  /** `:id` is the campaign id */
  FirmwareCampaign: 'firmware/campaigns/:id',
  /** tabs and their state in the query string (pages/Access/accessView.ts) */
  Access: 'access',
} as const;

/** The app's absolute URL for a route path relative to the app. */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

function withQuery(path: string, query?: URLSearchParams | string): string {
  const q = query === undefined ? '' : String(query).replace(/^\?/, '');
  return q ? `${path}?${q}` : path;
}

/** Fleet page; `query` is a view as fleetView.ts writes it (filters, sort, paging). */
export function fleetUrl(query?: URLSearchParams | string): string {
  return withQuery(prefixRoute(ROUTES.Fleet), query);
}

/** Station page of `id`; `query` carries its own view (e.g. the history period). */
export function stationUrl(id: string, query?: URLSearchParams | string): string {
  return withQuery(prefixRoute(ROUTES.Station.replace(':id', encodeURIComponent(id))), query);
}

/** Firmware page; `query` is a view as firmwareView.ts writes it (tab, drift page, campaign filter). */
export function firmwareUrl(query?: URLSearchParams | string): string {
  return withQuery(prefixRoute(ROUTES.Firmware), query);
}

/** Access page; `query` is a view as accessView.ts writes it (tab, filters, the token open). */
export function accessUrl(query?: URLSearchParams | string): string {
  return withQuery(prefixRoute(ROUTES.Access), query);
}

/** One firmware campaign's page. */
export function campaignUrl(id: string): string {
  return prefixRoute(ROUTES.FirmwareCampaign.replace(':id', encodeURIComponent(id)));
}

/**
 * What a link to the station page carries in the router's state: the fleet view it came from, so
 * "back to the fleet" returns to the same filters, sort and page.
 */
export interface FromFleetState {
  fleetSearch?: string;
}
