// How Grafana's app plugin proxy (`/api/plugin-proxy/<plugin-id>/<path>`) picks a route of plugin.json
// and what it forwards, as read in grafana/grafana (pkg/api/plugin_proxy.go, pkg/api/pluginproxy/
// pluginproxy.go and utils.go, pkg/web/tree.go, pkg/util/url.go; Grafana 9.1 and later):
//
//  1. proxy path = path.Join("/", <escaped request path after the plugin id>): literal `.`, `..` and
//     `//` are resolved first; escapes such as %2F and %2e stay escaped.
//  2. Routes are tried in plugin.json order. A route's `method` must equal the request's (empty or
//     "*" matches any). Its `path` is a pattern of Grafana's router tree, not a prefix: static
//     segments must equal the request's (each unescaped), and only a trailing `*` takes the rest.
//     So "api" matches "api" only, never "api/v1/x"; "a/*" does not match "a".
//  3. The FIRST route that matches decides. If the signed-in user's org role does not include the
//     route's `reqRole`, Grafana answers 403 without trying later routes; no match at all is 404.
//  4. The upstream path is the route's `url` joined with what `*` took, UNESCAPED: %2F becomes a
//     real "/", %2e%2e a real "..". Other patterns (`:id`, a `*` mid-path) match but forward nothing.
//  5. Route headers are rendered ({{ .JsonData.x }}, {{ .SecureJsonData.y }}) and SET, replacing any
//     header of that name the browser sent; cookies are dropped; X-Grafana-User is deleted, then set
//     to the user's login when `[dataproxy] send_user_header = true` (not for anonymous users).
//
// The standalone harness serves the plugin through this, and the route tests judge plugin.json with
// it; it supports the route shapes Grafana forwards (static paths, trailing `*`) and refuses others.
import path from 'node:path';

export const ROLES = ['None', 'Viewer', 'Editor', 'Admin'];

/** Grafana's org role check: Admin includes Editor includes Viewer. */
export function roleIncludes(userRole, reqRole) {
  if (!reqRole) {
    return true;
  }
  return ROLES.indexOf(userRole) >= ROLES.indexOf(reqRole) && ROLES.indexOf(reqRole) > 0;
}

/** Step 1: the proxy path of a request path below `/api/plugin-proxy/<id>/` (still escaped). */
export function cleanProxyPath(escapedRest) {
  // Go's path.Join also drops a trailing slash, which Node's keeps
  const joined = path.posix.join('/', escapedRest);
  return joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
}

function unescape(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function patternOf(route) {
  const segments = route.path.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  const wildcard = segments[segments.length - 1] === '*';
  const fixed = wildcard ? segments.slice(0, -1) : segments;
  for (const s of fixed) {
    if (s === '' || s.includes('*') || s.startsWith(':') || s.startsWith('?')) {
      throw new Error(`route path "${route.path}": only static segments and a trailing * are forwarded by Grafana`);
    }
  }
  return { fixed, wildcard };
}

/** Step 2 for one route: undefined when it does not match, else what `*` took (unescaped, "" if none). */
export function matchRoutePath(route, proxyPath) {
  const { fixed, wildcard } = patternOf(route);
  const trimmed = proxyPath.replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  if (wildcard ? parts.length <= fixed.length : parts.length !== fixed.length) {
    return undefined;
  }
  for (let i = 0; i < fixed.length; i++) {
    if (unescape(parts[i]) !== fixed[i]) {
      return undefined;
    }
  }
  if (!wildcard) {
    return '';
  }
  return unescape(parts.slice(fixed.length).join('/'));
}

function render(template, settings) {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_all, scope, key) => {
    const bag = scope === 'JsonData' ? settings.jsonData : settings.secureJsonData;
    return String(bag?.[key] ?? '');
  });
}

function joinUrlFragments(a, b) {
  if (b === '') {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/** Go's url.PathEscape-like encoding of a whole path: "/" and sub-delimiters stay, dots stay. */
function escapePath(p) {
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/%(3A|40|24|26|2B|2C|3B|3D)/gi, (e) => decodeURIComponent(e)))
    .join('/');
}

/**
 * What Grafana does with one request to the plugin proxy.
 *   routes:   plugin.json `routes`
 *   request:  { method, path (escaped, below /api/plugin-proxy/<id>/), query? ("?a=b"), headers? }
 *   user:     { role: 'None'|'Viewer'|'Editor'|'Admin', login, anonymous? }
 *   settings: { jsonData, secureJsonData, sendUserHeader? }
 * → { status: 404 | 403, route? } or { status: 'forward', route, url, upstreamPath (unescaped), headers }
 */
export function proxyRequest(routes, request, user, settings) {
  const proxyPath = cleanProxyPath(request.path);
  for (const route of routes) {
    if (route.method && route.method !== '*' && route.method !== request.method) {
      continue;
    }
    const rest = matchRoutePath(route, proxyPath);
    if (rest === undefined) {
      continue;
    }
    if (!roleIncludes(user.role, route.reqRole)) {
      return { status: 403, route };
    }
    const headers = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower !== 'cookie' && lower !== 'x-grafana-user') {
        headers[lower] = value;
      }
    }
    if (settings.sendUserHeader && !user.anonymous && user.login) {
      headers['x-grafana-user'] = user.login;
    }
    for (const h of route.headers ?? []) {
      headers[h.name.toLowerCase()] = render(h.content, settings);
    }
    // A string, not a URL object: WHATWG URLs resolve "..", Go's net/url (Grafana) sends it as it is.
    const base = new URL(render(route.url, settings));
    const upstreamPath = joinUrlFragments(base.pathname, rest);
    const url = `${base.origin}${escapePath(upstreamPath)}${request.query ?? ''}`;
    return { status: 'forward', route, url, upstreamPath, headers };
  }
  return { status: 404 };
}
