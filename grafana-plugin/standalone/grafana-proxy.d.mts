// Types of grafana-proxy.mjs (plain ESM so the harness server runs it without a build step).
export type GrafanaRole = 'None' | 'Viewer' | 'Editor' | 'Admin';

export interface PluginRoute {
  path: string;
  method?: string;
  reqRole?: GrafanaRole;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ProxyUser {
  role: GrafanaRole;
  login?: string;
  anonymous?: boolean;
}

export interface ProxySettings {
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, unknown>;
  sendUserHeader?: boolean;
}

export interface ProxyRequest {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
}

export type ProxyResult =
  | { status: 403 | 404; route?: PluginRoute }
  | { status: 'forward'; route: PluginRoute; url: string; upstreamPath: string; headers: Record<string, string> };

export const ROLES: GrafanaRole[];
export function roleIncludes(userRole: GrafanaRole, reqRole?: GrafanaRole): boolean;
export function cleanProxyPath(escapedRest: string): string;
export function matchRoutePath(route: PluginRoute, proxyPath: string): string | undefined;
export function proxyRequest(
  routes: PluginRoute[],
  request: ProxyRequest,
  user: ProxyUser,
  settings: ProxySettings
): ProxyResult;
