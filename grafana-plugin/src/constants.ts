import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/**
 * Grafana's plugin proxy: `api/plugin-proxy/<id>/<role>/<resource>` goes to the collector's
 * `/api/v1/<resource>` through the route of plugin.json for that role and method (src/api/client.ts).
 */
export const API_BASE = `api/plugin-proxy/${PLUGIN_ID}`;

/** Default auto-refresh period of the live pages. */
export const REFRESH_INTERVAL_MS = 10_000;
