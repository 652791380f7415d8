/**
 * The Grafana plugin's routes against the real collector API: each plugin.json route sends its own
 * X-ChargeWatch-Role, and the collector must refuse (403) every resource the route reaches whose role
 * is higher — which is what grafana-plugin/src/plugin.routes.test.ts relies on (its
 * REFUSED_BY_ROLE_HEADER) — and serve the rest. Also every resource with every header role.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

type Role = 'viewer' | 'editor' | 'admin';
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

/**
 * A literal copy of MATRIX in grafana-plugin/src/plugin.routes.test.ts (that test runs in the plugin's
 * own jest with its own node_modules, which the collector's tests cannot import). Keep the two equal;
 * the REFUSED list below, derived from plugin.json with this matrix, checks that they still agree.
 */
const MATRIX: Array<{ method: string; path: string; role: Role }> = [
  { method: 'GET', path: '/fleet/summary', role: 'viewer' },
  { method: 'GET', path: '/stations', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}/history', role: 'viewer' },
  { method: 'PUT', path: '/stations/{id}/metadata', role: 'editor' },
  { method: 'POST', path: '/stations/metadata/import', role: 'editor' },
  { method: 'PUT', path: '/stations/{id}/registration', role: 'admin' },
  { method: 'GET', path: '/stations/{id}/security', role: 'admin' },
  { method: 'PUT', path: '/stations/{id}/security', role: 'admin' },
  { method: 'DELETE', path: '/stations/{id}/security', role: 'admin' },
  { method: 'GET', path: '/security/auth-failures', role: 'admin' },
];
/**
 * The firmware rows of the plugin's MATRIX, also literally. Without DATABASE_URL (as here) every
 * firmware route answers 503 once the role check has passed: a 403 below the role and a 503 at it
 * show that the collector asks exactly the role the plugin's routes are built for.
 */
const FIRMWARE_MATRIX: Array<{ method: string; path: string; role: Role }> = [
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
  { method: 'GET', path: '/firmware/campaigns', role: 'viewer' },
  { method: 'GET', path: '/firmware/campaigns/{id}', role: 'viewer' },
  { method: 'GET', path: '/firmware/campaigns/{id}/report', role: 'viewer' },
  { method: 'POST', path: '/firmware/campaigns/preview', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/pause', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/resume', role: 'editor' },
  { method: 'POST', path: '/firmware/campaigns/{id}/cancel', role: 'editor' },
];
const PLAN = { canary: { count: 1 }, waves: { count: 1 }, gate: { minVerifiedPercent: 90, withinSec: 3600, maxFailedPercent: 10 }, maxPerSite: 1 };
/** Bodies that pass each firmware route's schema, so what answers after the role check is the 503. */
const FIRMWARE_BODIES: Record<string, unknown> = {
  'POST /stations/{id}/firmware/update': { releaseId: '1' },
  'POST /firmware/releases': { vendor: 'Alfen', model: 'Eve', version: '2.0', location: 'https://fw.test/eve-2.0.bin' },
  'PUT /firmware/targets/{vendor}/{model}': { releaseId: '1' },
  'POST /firmware/campaigns/preview': { releaseId: '1', cohort: {}, plan: PLAN },
  'POST /firmware/campaigns': { name: 'roles', releaseId: '1', cohort: {}, plan: PLAN },
  'POST /firmware/campaigns/{id}/pause': {},
  'POST /firmware/campaigns/{id}/resume': {},
  'POST /firmware/campaigns/{id}/cancel': {},
  'POST /firmware/updates/{id}/cancel': {},
};

/**
 * The access-control rows of the plugin's MATRIX (tokens, accounts, misuse incidents, sessions, local lists), also literally.
 * Here without the token registry and PostgreSQL, past the role check every one answers 503 saying
 * so (the token scope's and the incident scope's own checks), as the firmware rows do.
 */
const ACCESS_MATRIX: Array<{ method: string; path: string; role: Role }> = [
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
  { method: 'GET', path: '/incidents', role: 'viewer' },
  { method: 'GET', path: '/incidents/{id}', role: 'viewer' },
  { method: 'POST', path: '/incidents/{id}/acknowledge', role: 'editor' },
  { method: 'POST', path: '/incidents/{id}/resolve', role: 'editor' },
  // charging sessions (collector/src/api/routes/sessions.ts)
  { method: 'GET', path: '/sessions', role: 'viewer' },
  { method: 'GET', path: '/sessions/{id}', role: 'viewer' },
  { method: 'GET', path: '/stations/{id}/local-list', role: 'viewer' },
  { method: 'POST', path: '/stations/{id}/local-list/sync', role: 'editor' },
  { method: 'GET', path: '/local-lists', role: 'viewer' },
];
/** Bodies the Access page sends, each passing its route's schema, so what answers after the role check is the 503. */
const ACCESS_BODIES: Record<string, unknown> = {
  'POST /tokens': { type: 'ISO14443', uid: '04A2B3C4' },
  'POST /tokens/import': [{ type: 'Central', uid: 'APP-1' }],
  'PATCH /tokens/{id}': { note: 'roles' },
  'POST /tokens/{id}/block': { reason: 'roles' },
  'POST /tokens/{id}/unblock': {},
  'POST /accounts': { kind: 'fleet', name: 'Roles' },
  'PATCH /accounts/{id}': { name: 'Roles 2' },
  'POST /incidents/{id}/acknowledge': {},
  'POST /incidents/{id}/resolve': { resolution: 'roles' },
  'POST /stations/{id}/local-list/sync': { full: true },
};

/** REFUSED_BY_ROLE_HEADER in the plugin's test, also literally. */
const REFUSED_BY_ROLE_HEADER = [
  'viewer/stations/* → GET /stations/{id}/security',
  'editor/stations/* → PUT /stations/{id}/registration',
  'editor/stations/* → PUT /stations/{id}/security',
];

interface PluginRoute {
  path: string;
  method: string;
  url: string;
  headers: Array<{ name: string; content: string }>;
}
const pluginJson = JSON.parse(readFileSync(path.join(__dirname, '../../../grafana-plugin/src/plugin.json'), 'utf8')) as { routes: PluginRoute[] };
const API = '{{ .JsonData.apiUrl }}/api/v1';

const STATION = 'CP-ROLES';
const BODIES: Record<string, unknown> = {
  'PUT /stations/{id}/metadata': { site: 'harbour' },
  'POST /stations/metadata/import': [{ stationId: STATION, site: 'quay' }],
  'PUT /stations/{id}/registration': { status: 'Accepted' },
  'PUT /stations/{id}/security': { profile: 0 },
};

/** Every (plugin route, resource of `matrix` it reaches) pair with the role the route sends. */
const reachedBy = (matrix: typeof MATRIX) => pluginJson.routes.flatMap((route) => {
  const role = route.headers.find((h) => h.name === 'X-ChargeWatch-Role')!.content as Role;
  const base = route.url.slice(API.length);
  const wildcard = route.path.endsWith('/*');
  return matrix.filter((m) => m.method === route.method && (wildcard ? m.path.startsWith(`${base}/`) : m.path === base)).map((m) => ({ route: route.path, sends: role, ...m }));
});
const REACHED = reachedBy(MATRIX);
const FIRMWARE_REACHED = reachedBy(FIRMWARE_MATRIX);
const ACCESS_REACHED = reachedBy(ACCESS_MATRIX);

describe('Grafana plugin routes against the collector', () => {
  let collector: TestCollector;
  let station: RPCClient;

  beforeAll(async () => {
    collector = await startTestCollector();
    station = stationClient(collector.ocppUrl, STATION, 'ocpp1.6');
    await station.connect();
    await station.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'Eve', firmwareVersion: '1.0' });
  });
  afterAll(async () => {
    await station.close({ force: true });
    await collector.stop();
  });

  async function send(method: string, resource: string, role: Role): Promise<number> {
    const key = `${method} ${resource}`;
    // DELETE needs settings to remove: give the station some first, as the token (admin).
    if (key === 'DELETE /stations/{id}/security') {
      const put = await collector.api(`/api/v1/stations/${STATION}/security`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"profile":0}' });
      expect(put.status).toBe(200);
    }
    const body = BODIES[key];
    const res = await collector.api(`/api/v1${resource.replace('{id}', STATION)}`, {
      method,
      headers: { 'x-chargewatch-role': role, 'x-grafana-user': 'alice', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  it('the plugin reaches above its role exactly where its own test says the collector must refuse', () => {
    const above = REACHED.filter((r) => RANK[r.role] > RANK[r.sends]).map((r) => `${r.route} → ${r.method} ${r.path}`);
    expect(above.sort()).toEqual([...REFUSED_BY_ROLE_HEADER].sort());
    expect(new Set(REACHED.map((r) => `${r.method} ${r.path}`)).size).toBe(MATRIX.length);
  });

  const expected = (held: Role, needs: Role) => (RANK[held] < RANK[needs] ? '403' : '2xx');
  const outcome = (status: number) => (status >= 200 && status < 300 ? '2xx' : String(status));

  it.each(REACHED.map((r) => [r.route, r.sends, r.method, r.path, r.role] as const))('%s (sends %s) → %s %s (needs %s)', async (_route, sends, method, resource, needs) => {
    expect(outcome(await send(method, resource, sends))).toBe(expected(sends, needs));
  });

  it.each(MATRIX.map((m) => [m.method, m.path, m.role] as const))('%s %s (needs %s) with every header role', async (method, resource, needs) => {
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      expect({ role, outcome: outcome(await send(method, resource, role)) }).toEqual({ role, outcome: expected(role, needs) });
    }
  });

  it('the plugin reaches every firmware resource, and none above the role its route sends', () => {
    expect(FIRMWARE_REACHED.filter((r) => RANK[r.role] > RANK[r.sends])).toEqual([]);
    expect(new Set(FIRMWARE_REACHED.map((r) => `${r.method} ${r.path}`)).size).toBe(FIRMWARE_MATRIX.length);
  });

  it.each(FIRMWARE_MATRIX.map((m) => [m.method, m.path, m.role] as const))('%s %s (needs %s): 403 below the role, past the role check at it', async (method, resource, needs) => {
    const url = `/api/v1${resource.replace('{id}', '1').replace('{vendor}', 'Alfen').replace('{model}', 'Eve').replace('/stations/1/', `/stations/${STATION}/`)}`;
    const body = FIRMWARE_BODIES[`${method} ${resource}`];
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const res = await collector.api(url, {
        method,
        headers: { 'x-chargewatch-role': role, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await res.json()) as { message?: string };
      // no PostgreSQL here: past the role check the firmware scope answers 503 saying so
      const seen = res.status === 503 && /PostgreSQL/.test(answer.message ?? '') ? 'passed' : String(res.status);
      expect({ role, seen }).toEqual({ role, seen: RANK[role] < RANK[needs] ? '403' : 'passed' });
    }
  });

  it('the plugin reaches every access resource, and none above the role its route sends', () => {
    expect(ACCESS_REACHED.filter((r) => RANK[r.role] > RANK[r.sends])).toEqual([]);
    expect(new Set(ACCESS_REACHED.map((r) => `${r.method} ${r.path}`)).size).toBe(ACCESS_MATRIX.length);
  });

  it.each(ACCESS_MATRIX.map((m) => [m.method, m.path, m.role] as const))('%s %s (needs %s): 403 below the role, past the role check at it', async (method, resource, needs) => {
    const url = `/api/v1${resource.replace('{id}', '1')}`;
    const body = ACCESS_BODIES[`${method} ${resource}`];
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const res = await collector.api(url, {
        method,
        headers: { 'x-chargewatch-role': role, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await res.json()) as { message?: string };
      // no registry and no PostgreSQL here: past the role check each scope answers 503 saying so
      const seen = res.status === 503 && /PostgreSQL/.test(answer.message ?? '') ? 'passed' : String(res.status);
      expect({ role, seen, message: seen === '403' || seen === 'passed' ? '' : answer.message }).toEqual({ role, seen: RANK[role] < RANK[needs] ? '403' : 'passed', message: '' });
    }
  });

  it('commands need editor to submit and viewer to read; the audit log needs admin', async () => {
    station.handle('Reset', async () => ({ status: 'Accepted' }));
    const submit = (role: Role) =>
      collector.api(`/api/v1/stations/${STATION}/commands/Reset?wait=5`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chargewatch-role': role }, body: '{"type":"soft"}' });
    expect((await submit('viewer')).status).toBe(403);
    const ok = await submit('editor');
    expect(ok.status).toBe(200);
    const { id } = (await ok.json()) as { id: string };
    expect((await collector.api(`/api/v1/commands/${id}`, { headers: { 'x-chargewatch-role': 'viewer' } })).status).toBe(200);
    expect((await collector.api(`/api/v1/stations/${STATION}/commands`, { headers: { 'x-chargewatch-role': 'viewer' } })).status).toBe(200);
    expect((await collector.api('/api/v1/audit', { headers: { 'x-chargewatch-role': 'editor' } })).status).toBe(403);
    expect((await collector.api('/api/v1/audit', { headers: { 'x-chargewatch-role': 'admin' } })).status).toBe(200);
  });

  it('counts the refusals by reason, and no per-user label', async () => {
    expect(await metric(collector, 'chargewatch_api_denied_total', { reason: 'role' })).toBeGreaterThanOrEqual(REFUSED_BY_ROLE_HEADER.length);
    const text = await (await fetch(`${collector.apiUrl}/metrics`)).text();
    expect(text).not.toMatch(/chargewatch_api_denied_total\{[^}]*alice/);
  });
});
