/**
 * plugin.json routes: least privilege, checked with an imitation of Grafana's plugin proxy
 * (standalone/grafana-proxy.mjs; see its header for the Grafana code it follows).
 *
 * Two layers keep a user to their role: Grafana refuses a route whose reqRole the user lacks, and
 * every route sends `X-ChargeWatch-Role` (set by Grafana, replacing anything the browser sent), with
 * which the collector lowers the token's rights. Grafana forwards the part a trailing `*` matched
 * decoded, and can forward nothing after it, so per-station routes necessarily reach every
 * sub-resource below /stations/{id}; for those the second layer is what refuses, and the tests below
 * list each such case.
 */
import path from 'path';
import pluginJson from './plugin.json';
import {
  cleanProxyPath,
  type GrafanaRole,
  matchRoutePath,
  type PluginRoute,
  proxyRequest,
  type ProxyResult,
} from '../standalone/grafana-proxy.mjs';

type Role = 'viewer' | 'editor' | 'admin';
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
const GRAFANA: Record<Role, GrafanaRole> = { viewer: 'Viewer', editor: 'Editor', admin: 'Admin' };
const USERS: GrafanaRole[] = ['None', 'Viewer', 'Editor', 'Admin'];
const userRank = (r: GrafanaRole) => USERS.indexOf(r);

/** The collector's /api/v1 routes (README route table, collector/src/api/routes/*.ts) and the role each needs. */
const MATRIX: Array<{ method: string; path: string; role: Role }> = [
  { method: 'GET', path: '/fleet/summary', role: 'viewer' },
  { method: 'GET', path: '/stations', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}/history', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}/commands', role: 'viewer' },
  { method: 'GET', path: '/commands/{id}', role: 'viewer' },
  // one route per command name (collector/src/api/routes/commands.ts); these are the ones the Station page sends
  { method: 'POST', path: '/stations/{id}/commands/Reset', role: 'editor' },
  { method: 'POST', path: '/stations/{id}/commands/TriggerMessage', role: 'editor' },
  { method: 'POST', path: '/stations/{id}/commands/UnlockConnector', role: 'editor' },
  { method: 'POST', path: '/stations/{id}/commands/ChangeAvailability', role: 'editor' },
  { method: 'PUT', path: '/stations/{id}/metadata', role: 'editor' },
  { method: 'POST', path: '/stations/metadata/import', role: 'editor' },
  { method: 'PUT', path: '/stations/{id}/registration', role: 'admin' },
  { method: 'GET', path: '/stations/{id}/security', role: 'admin' },
  { method: 'PUT', path: '/stations/{id}/security', role: 'admin' },
  { method: 'DELETE', path: '/stations/{id}/security', role: 'admin' },
  { method: 'GET', path: '/security/auth-failures', role: 'admin' },
  // firmware (collector/src/api/routes/firmware.ts, station-firmware.ts)
  { method: 'GET', path: '/stations/{id}/firmware', role: 'viewer' },
  { method: 'POST', path: '/stations/{id}/firmware/update', role: 'editor' },
  { method: 'GET', path: '/firmware/releases', role: 'viewer' },
  { method: 'POST', path: '/firmware/releases', role: 'editor' },
  { method: 'GET', path: '/firmware/releases/{id}', role: 'viewer' },
  { method: 'DELETE', path: '/firmware/releases/{id}', role: 'editor' },
  { method: 'GET', path: '/firmware/targets', role: 'viewer' },
  { method: 'PUT', path: '/firmware/targets/{vendor}/{model}', role: 'editor' },
  { method: 'GET', path: '/firmware/inventory', role: 'viewer' },
  { method: 'GET', path: '/firmware/drift', role: 'viewer' },
  { method: 'GET', path: '/firmware/updates/{id}', role: 'viewer' },
  { method: 'POST', path: '/firmware/updates/{id}/cancel', role: 'editor' },
  { method: 'GET', path: '/firmware/maintenance', role: 'viewer' },
  // firmware campaigns (collector/src/api/routes/campaigns.ts); the dry-run preview is an Editor's too
  { method: 'GET', path: '/firmware/campaigns', role: 'viewer' },
  { method: 'GET', path: '/firmware/campaigns/{id}', role: 'viewer' },
  { method: 'GET', path: '/firmware/campaigns/{id}/report', role: 'viewer' },
  { method: 'POST', path: '/firmware/campaigns/preview', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/pause', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/resume', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/cancel', role: 'editor' },
  // access control (collector/src/api/routes/tokens.ts, accounts.ts)
  { method: 'GET', path: '/tokens', role: 'viewer' },
  { method: 'GET', path: '/tokens/export', role: 'viewer' },
  { method: 'GET', path: '/tokens/{id}', role: 'viewer' },
  { method: 'POST', path: '/tokens', role: 'editor' },
  { method: 'POST', path: '/tokens/import', role: 'editor' },
  { method: 'PATCH', path: '/tokens/{id}', role: 'editor' },
  { method: 'DELETE', path: '/tokens/{id}', role: 'editor' },
  { method: 'POST', path: '/tokens/{id}/block', role: 'editor' },
  { method: 'POST', path: '/tokens/{id}/unblock', role: 'editor' },
  { method: 'GET', path: '/accounts', role: 'viewer' },
  { method: 'GET', path: '/accounts/{id}', role: 'viewer' },
  { method: 'GET', path: '/accounts/{id}/tokens', role: 'viewer' },
  { method: 'POST', path: '/accounts', role: 'editor' },
  { method: 'PATCH', path: '/accounts/{id}', role: 'editor' },
  // misuse incidents (collector/src/api/routes/incidents.ts)
  { method: 'GET', path: '/incidents', role: 'viewer' },
  { method: 'GET', path: '/incidents/{id}', role: 'viewer' },
  { method: 'POST', path: '/incidents/{id}/acknowledge', role: 'editor' },
  { method: 'POST', path: '/incidents/{id}/resolve', role: 'editor' },
  // charging sessions (collector/src/api/routes/sessions.ts)
  { method: 'GET', path: '/sessions', role: 'viewer' },
  { method: 'GET', path: '/sessions/{id}', role: 'viewer' },
  // local authorization lists (collector/src/api/routes/local-lists.ts)
  { method: 'GET', path: '/stations/{id}/local-list', role: 'viewer' },
  { method: 'POST', path: '/stations/{id}/local-list/sync', role: 'editor' },
  { method: 'GET', path: '/local-lists', role: 'viewer' },
];

/**
 * Resources a route reaches below its wildcard although they need a higher role than the route's;
 * the collector refuses them because the route sends its own, lower X-ChargeWatch-Role.
 */
const REFUSED_BY_ROLE_HEADER = [
  'viewer/stations/* → GET /stations/{id}/security',
  'editor/stations/* → PUT /stations/{id}/registration',
  'editor/stations/* → PUT /stations/{id}/security',
];

const routes = pluginJson.routes as PluginRoute[];
const SETTINGS = {
  jsonData: { apiUrl: 'http://collector:9100' },
  secureJsonData: { apiToken: 'tok' },
  sendUserHeader: true,
};
const API = '{{ .JsonData.apiUrl }}/api/v1';
const roleOf = (r: PluginRoute) => r.reqRole!.toLowerCase() as Role;
const fill = (template: string) =>
  template.replace('{id}', 'CP-1').replace('{vendor}', 'Alfen').replace('{model}', 'Eve');

function send(role: GrafanaRole, method: string, proxyPath: string, headers?: Record<string, string>): ProxyResult {
  return proxyRequest(routes, { method, path: proxyPath, headers }, { role, login: 'alice' }, SETTINGS);
}

/** The collector resource an upstream path names, dot segments resolved (as a normalising hop would). */
function resourceOf(method: string, upstreamPath: string) {
  const p = path.posix.normalize(upstreamPath);
  return MATRIX.find((m) => {
    if (m.method !== method) {
      return false;
    }
    const re = new RegExp(`^/api/v1${m.path.replace(/\{[a-z]+\}/g, '[^/]+')}$`);
    return re.test(p);
  });
}

describe("Grafana's plugin proxy, as imitated (behaviours read in grafana/grafana)", () => {
  const r = (p: string, extra: Partial<PluginRoute> = {}): PluginRoute => ({ path: p, url: 'http://u/base', ...extra });

  it('matches route paths as patterns, not prefixes', () => {
    // the plugin's former single "api" route therefore never matched /api/v1/... in Grafana 9.1+
    expect(matchRoutePath(r('api'), '/api/v1/stations')).toBeUndefined();
    expect(matchRoutePath(r('api'), '/api')).toBe('');
    expect(matchRoutePath(r('a/*'), '/a')).toBeUndefined();
    expect(matchRoutePath(r('a/*'), '/a/b/c')).toBe('b/c');
    expect(matchRoutePath(r('a/b'), '/a/b%2Fc')).toBeUndefined();
  });

  it('resolves literal dot segments before matching, decodes escapes only in what * takes', () => {
    expect(cleanProxyPath('viewer/stations/../../admin/x')).toBe('/admin/x');
    expect(cleanProxyPath('a//b/')).toBe('/a/b');
    expect(cleanProxyPath('a/%2e%2e/b')).toBe('/a/%2e%2e/b');
    expect(matchRoutePath(r('a/*'), '/a/x%2Fy%2e%2e')).toBe('x/y..');
  });

  it('lets the first matching route decide, with 403 and no fall-through', () => {
    const pair = [r('x/*', { reqRole: 'Admin' }), r('x/*', { reqRole: 'Viewer' })];
    expect(proxyRequest(pair, { method: 'GET', path: 'x/y' }, { role: 'Viewer' }, {}).status).toBe(403);
    expect(proxyRequest(pair, { method: 'GET', path: 'z' }, { role: 'Admin' }, {}).status).toBe(404);
  });

  it('refuses route shapes Grafana cannot forward', () => {
    expect(() => matchRoutePath(r('stations/:id/history'), '/stations/1/history')).toThrow(/trailing \*/);
    expect(() => matchRoutePath(r('stations/*/history'), '/stations/1/history')).toThrow(/trailing \*/);
  });
});

describe('plugin.json routes', () => {
  it('every route names one method, a role, the token and its role header', () => {
    for (const route of routes) {
      const role = roleOf(route);
      expect({ path: route.path, method: route.method }).toEqual({
        path: route.path,
        method: expect.stringMatching(/^(GET|PUT|POST|PATCH|DELETE)$/),
      });
      expect(['Viewer', 'Editor', 'Admin']).toContain(route.reqRole);
      expect(route.path.startsWith(`${role}/`)).toBe(true);
      expect(route.url.startsWith(`${API}/`)).toBe(true);
      expect(route.headers).toEqual([
        { name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' },
        { name: 'X-ChargeWatch-Role', content: role },
      ]);
    }
  });

  it('no two routes can answer the same request', () => {
    const keys = routes.map((x) => `${x.method} ${x.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  describe.each(MATRIX)('$method $path', ({ method, path: resource, role }) => {
    const proxyPath = `${role}/${fill(resource).slice(1)}`;

    it(`needs Grafana role ${GRAFANA[role]} and reaches the collector as ${role}`, () => {
      const res = send(GRAFANA[role], method, proxyPath);
      if (res.status !== 'forward') {
        throw new Error(`${method} ${proxyPath}: Grafana answers ${res.status}`);
      }
      expect(res.url).toBe(`http://collector:9100/api/v1${fill(resource)}`);
      expect(res.route.reqRole).toBe(GRAFANA[role]);
      expect(res.headers['authorization']).toBe('Bearer tok');
      expect(res.headers['x-chargewatch-role']).toBe(role);
      expect(res.headers['x-grafana-user']).toBe('alice');
    });

    it('is refused by Grafana for every lower role', () => {
      for (const user of USERS.filter((u) => userRank(u) < userRank(GRAFANA[role]))) {
        expect({ user, status: send(user, method, proxyPath).status }).toEqual({ user, status: 403 });
      }
    });
  });

  it('no route is broader than needed', () => {
    const reachedAbove: string[] = [];
    for (const route of routes) {
      const role = roleOf(route);
      const base = route.url.slice(API.length); // e.g. "/stations"
      const wildcard = route.path.endsWith('/*');
      const sameMethod = MATRIX.filter((m) => m.method === route.method);
      const reached = sameMethod.filter((m) => (wildcard ? m.path.startsWith(`${base}/`) : m.path === base));
      // a fixed resource an earlier exact route forwards is that route's (the first match decides)
      const takenEarlier = (m: (typeof MATRIX)[number]) =>
        routes
          .slice(0, routes.indexOf(route))
          .some((o) => o.method === m.method && !o.path.endsWith('/*') && o.url.slice(API.length) === m.path);
      const served = reached.filter((m) => m.role === role && !(wildcard && takenEarlier(m)));
      // a route exists for resources of its own role only…
      expect({ route: route.path, method: route.method, serves: served.length > 0 }).toEqual({
        route: route.path,
        method: route.method,
        serves: true,
      });
      // …and forwards from the longest fixed prefix they share: a wildcard only where an id follows
      for (const m of served) {
        expect(wildcard ? m.path.startsWith(`${base}/{`) : m.path === base).toBe(true);
      }
      for (const m of reached.filter((x) => RANK[x.role] > RANK[role])) {
        reachedAbove.push(`${route.path} → ${m.method} ${m.path}`);
      }
    }
    expect(reachedAbove.sort()).toEqual([...REFUSED_BY_ROLE_HEADER].sort());
  });
});

describe('path tricks never raise a role', () => {
  type Case = [GrafanaRole, string, string, number | Role];
  const cases: Case[] = [
    // a Viewer reaching for admin resources
    ['Viewer', 'GET', 'viewer/stations/CP-1/security', 'viewer'],
    ['Viewer', 'GET', 'viewer/stations/CP-1%2Fsecurity', 'viewer'],
    ['Viewer', 'GET', 'viewer//stations/CP-1/security/', 'viewer'],
    ['Viewer', 'GET', 'viewer/stations/..%2Fsecurity%2Fauth-failures', 'viewer'],
    ['Viewer', 'GET', 'viewer/stations/%2e%2e/security/auth-failures', 'viewer'],
    ['Viewer', 'GET', 'viewer/stations/CP-1/%2e%2e/%2e%2e/security/auth-failures', 'viewer'],
    ['Viewer', 'GET', 'viewer/../admin/security/auth-failures', 403],
    ['Viewer', 'GET', 'viewer/stations/x/../../../admin/stations/CP-1/security', 403],
    ['Viewer', 'GET', 'admin%2Fsecurity%2Fauth-failures', 404],
    ['Viewer', 'GET', 'Admin/security/auth-failures', 404],
    ['Viewer', 'GET', 'viewer/fleet/summary%2F..%2F..%2Fsecurity%2Fauth-failures', 404],
    ['Viewer', 'GET', 'viewer/security/auth-failures', 404],
    ['Viewer', 'PUT', 'viewer/stations/CP-1/metadata', 404],
    ['Viewer', 'PUT', 'editor/stations/CP-1/metadata', 403],
    ['Viewer', 'DELETE', 'viewer/stations/CP-1/security', 404],
    ['Viewer', 'DELETE', 'admin/stations/CP-1/security', 403],
    ['None', 'GET', 'viewer/fleet/summary', 403],
    // an Editor reaching for registration and security
    ['Editor', 'PUT', 'editor/stations/CP-1/registration', 'editor'],
    ['Editor', 'PUT', 'editor/stations/CP-1%2Fsecurity', 'editor'],
    ['Editor', 'PUT', 'editor/stations/CP-1/metadata/..%2Fsecurity', 'editor'],
    ['Editor', 'PUT', 'editor/stations/x/../../../admin/stations/CP-1/registration', 403],
    ['Editor', 'GET', 'admin/security/auth-failures', 403],
    // …past the import route, the command route forwards it as editor (and the collector has no POST there)
    ['Editor', 'POST', 'editor/stations/metadata/import/..%2F..%2FCP-1%2Fregistration', 'editor'],
    // tokens: a Viewer cannot write, an Editor's routes never reach beyond tokens
    ['Viewer', 'POST', 'editor/tokens/import', 403],
    ['Viewer', 'PATCH', 'viewer/tokens/1', 404],
    ['Viewer', 'GET', 'viewer/tokens/..%2F..%2Fsecurity%2Fauth-failures', 'viewer'],
    ['Editor', 'POST', 'editor/tokens/1%2F..%2F..%2Fstations%2FCP-1%2Fregistration', 'editor'],
    ['Viewer', 'DELETE', 'editor/tokens/1', 403],
    ['Viewer', 'POST', 'editor/tokens/1/block', 403],
    ['Viewer', 'POST', 'viewer/tokens/1/block', 404],
    ['Viewer', 'GET', 'viewer/tokens/export%2F..%2F..%2Fsecurity%2Fauth-failures', 'viewer'],
    // accounts and incidents: reading is a Viewer's, changing an Editor's
    ['Viewer', 'POST', 'editor/accounts', 403],
    ['Viewer', 'PATCH', 'editor/accounts/1', 403],
    ['Viewer', 'PATCH', 'viewer/accounts/1', 404],
    ['Viewer', 'GET', 'viewer/accounts/1%2F..%2F..%2Fsecurity%2Fauth-failures', 'viewer'],
    ['Viewer', 'POST', 'editor/incidents/11/acknowledge', 403],
    ['Viewer', 'POST', 'viewer/incidents/11/resolve', 404],
    ['Viewer', 'GET', 'viewer/incidents/..%2Fsecurity%2Fauth-failures', 'viewer'],
    ['Editor', 'POST', 'editor/incidents/11%2F..%2F..%2Fstations%2FCP-1%2Fregistration', 'editor'],
    ['Editor', 'PATCH', 'editor/accounts/1%2F..%2F..%2Fstations%2FCP-1%2Fsecurity', 'editor'],
    // commands: Editors only, whatever the path says
    ['Viewer', 'POST', 'editor/stations/CP-1/commands/Reset', 403],
    ['Viewer', 'POST', 'viewer/stations/CP-1/commands/Reset', 404],
    ['Viewer', 'POST', 'viewer/commands/..%2Fstations%2FCP-1%2Fcommands%2FReset', 404],
    ['Viewer', 'GET', 'viewer/commands/..%2Fstations%2FCP-1%2Fsecurity', 'viewer'],
    ['Editor', 'POST', 'editor/stations/CP-1/commands/..%2F..%2FCP-1%2Fregistration', 'editor'],
    // firmware: reading is a Viewer's, changing the catalogue or a campaign an Editor's
    ['Viewer', 'POST', 'viewer/firmware/campaigns/7/pause', 404],
    ['Viewer', 'POST', 'editor/firmware/campaigns/7/pause', 403],
    ['Viewer', 'POST', 'editor/firmware/campaigns/preview', 403],
    ['Viewer', 'PUT', 'editor/firmware/targets/ABB/Terra', 403],
    ['Viewer', 'DELETE', 'viewer/firmware/releases/1', 404],
    ['Viewer', 'GET', 'viewer/firmware/releases/..%2F..%2Fstations%2FCP-1%2Fsecurity', 'viewer'],
    ['Editor', 'POST', 'editor/firmware/campaigns/..%2F..%2Fstations%2FCP-1%2Fregistration', 'editor'],
  ];

  it.each(cases)('%s %s %s → %s', (user, method, proxyPath, expected) => {
    const res = send(user, method, proxyPath, { 'X-ChargeWatch-Role': 'admin', 'X-Grafana-User': 'admin' });
    if (typeof expected === 'number') {
      expect(res.status).toBe(expected);
      return;
    }
    if (res.status !== 'forward') {
      throw new Error(`expected a forward with role ${expected}, Grafana answers ${res.status}`);
    }
    const sent = res.headers['x-chargewatch-role'] as Role;
    // the browser's own role and user headers never survive
    expect(sent).toBe(expected);
    expect(res.headers['x-grafana-user']).toBe('alice');
    expect(RANK[sent]).toBeLessThanOrEqual(userRank(user));
    // whatever the path resolves to upstream, the collector sees a role too low for anything above the user
    const target = resourceOf(method, res.upstreamPath);
    if (target && RANK[target.role] > userRank(user)) {
      expect(RANK[sent]).toBeLessThan(RANK[target.role]);
    }
  });

  it('the tricks above do reach higher resources upstream (the role header is what stops them)', () => {
    const reached = cases
      .map(([user, method, p]) => ({ user, method, res: send(user, method, p) }))
      .filter(({ res }) => res.status === 'forward')
      .map(({ method, res }) => resourceOf(method, (res as { upstreamPath: string }).upstreamPath))
      .filter((m) => m && m.role === 'admin');
    expect(reached.length).toBeGreaterThanOrEqual(5);
  });
});

describe('the paths the Access page asks for', () => {
  // accessApi builds them with proxyPath(); the export is a plain link the browser follows
  it.each([
    ['Viewer', 'GET', 'viewer/tokens/export', '/api/v1/tokens/export'],
    ['Viewer', 'GET', 'viewer/tokens/7', '/api/v1/tokens/7'],
    ['Viewer', 'GET', 'viewer/accounts/3/tokens', '/api/v1/accounts/3/tokens'],
    ['Editor', 'POST', 'editor/tokens/import', '/api/v1/tokens/import'],
    ['Editor', 'POST', 'editor/tokens/7/block', '/api/v1/tokens/7/block'],
    ['Editor', 'PATCH', 'editor/tokens/7', '/api/v1/tokens/7'],
    ['Editor', 'PATCH', 'editor/accounts/3', '/api/v1/accounts/3'],
    ['Editor', 'POST', 'editor/incidents/11/acknowledge', '/api/v1/incidents/11/acknowledge'],
  ] as Array<[GrafanaRole, string, string, string]>)('%s %s %s → %s', (user, method, p, upstream) => {
    const res = send(user, method, p);
    expect(res.status === 'forward' && res.upstreamPath).toBe(upstream);
  });
});

describe('X-Grafana-User', () => {
  const viaGrafana = (sendUserHeader: boolean, user = { role: 'Viewer' as GrafanaRole, login: 'alice' }) =>
    proxyRequest(routes, { method: 'GET', path: 'viewer/stations', headers: { 'X-Grafana-User': 'mallory' } }, user, {
      ...SETTINGS,
      sendUserHeader,
    });

  it('is the signed-in login with [dataproxy] send_user_header = true, never what the browser sent', () => {
    const on = viaGrafana(true);
    const off = viaGrafana(false);
    expect(on.status === 'forward' && on.headers['x-grafana-user']).toBe('alice');
    expect(off.status === 'forward' && off.headers['x-grafana-user']).toBeUndefined();
  });
});
