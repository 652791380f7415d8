import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Grafana's plugin proxy forwards `api/plugin-proxy/<id>/api/*` to the collector (see plugin.json routes). */
export const API_BASE = `api/plugin-proxy/${PLUGIN_ID}/api/v1`;

export enum ROUTES {
  Fleet = 'fleet',
  Station = 'station',
}

/** Default auto-refresh period of the live pages. */
export const REFRESH_INTERVAL_MS = 10_000;
