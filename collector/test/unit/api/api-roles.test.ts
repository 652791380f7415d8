/**
 * Item 12, collector side: every /api route declares a role, the request's role comes from the token
 * lowered by X-ChargeWatch-Role, a too-low role is a 403 before the handler, and the actor is the
 * Grafana user when X-Grafana-User names one.
 */
import type { FastifyInstance } from 'fastify';
import { grafanaLogin, requestRole } from '../../../src/api/api-auth';
import { requestActor } from '../../../src/api/request-actor';
import { TOKEN, rawRequest, startApi, type ApiUnderTest } from './api-under-test';

const whoami = async (app: FastifyInstance) => {
  app.get('/whoami', { config: { role: 'viewer' } }, async (req) => requestActor(req));
  app.put('/admin-thing', { config: { role: 'admin' } }, async () => ({ ok: true }));
};

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({}, [whoami]);
});
afterAll(() => api.close());
beforeEach(() => api.reached.splice(0));

const auth = { authorization: `Bearer ${TOKEN}` };
const denied = async (reason: string) => (await api.registry.getSingleMetric('chargewatch_api_denied_total')!.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('requestRole', () => {
  it('is the token\'s role unless the header lowers it', () => {
    expect(requestRole(undefined)).toBe('admin');
    expect(requestRole('viewer')).toBe('viewer');
    expect(requestRole('editor')).toBe('editor');
    expect(requestRole('admin')).toBe('admin');
  });
  it('never raises it', () => {
    expect(requestRole('admin', 'viewer')).toBe('viewer');
    expect(requestRole('editor', 'viewer')).toBe('viewer');
    expect(requestRole('viewer', 'editor')).toBe('viewer');
  });
  it.each(['', 'Admin', 'root', 'viewer ', 'viewer, admin', 'ADMIN'])('refuses %j', (v) => {
    expect(() => requestRole(v)).toThrow(/X-ChargeWatch-Role must be one of viewer, editor, admin/);
  });
});

describe('grafanaLogin', () => {
  it('takes a login, decoding the UTF-8 bytes node read as latin1', () => {
    expect(grafanaLogin(undefined)).toBeUndefined();
    expect(grafanaLogin('alice')).toBe('alice');
    expect(grafanaLogin('alice@example.com')).toBe('alice@example.com');
    expect(grafanaLogin(Buffer.from('zoë', 'utf8').toString('latin1'))).toBe('zoë');
    expect(grafanaLogin('x'.repeat(190))).toBe('x'.repeat(190));
  });
  it.each([['empty', ''], ['blank', '   '], ['too long', 'x'.repeat(191)], ['control', 'al\x07ice'], ['tab', 'a\tb'], ['not UTF-8', '\xff\xfe'], ['bidi override', Buffer.from('a\u202eb', 'utf8').toString('latin1')]])('refuses %s', (_name, v) => {
    expect(() => grafanaLogin(v)).toThrow(/X-Grafana-User must be a Grafana login/);
  });
});

describe('startup check', () => {
  it('refuses an /api route without a role', async () => {
    await expect(startApi({ plugins: [async (app) => void app.get('/open', async () => 'x')] })).rejects.toThrow('GET /api/v1/open: every /api route must declare config.role (viewer, editor, admin)');
  });
  it('refuses a route module written with full /api/v1 paths', async () => {
    await expect(startApi({ plugins: [async (app) => void app.get('/api/v1/deadletters', { config: { role: 'admin' } }, async () => 'x')] })).rejects.toThrow('GET /api/v1/api/v1/deadletters: paths of /api route modules are relative to /api/v1');
  });
  it('refuses an /api route with an unknown role', async () => {
    await expect(startApi({ plugins: [async (app) => void app.get('/open', { config: { role: 'root' as never } }, async () => 'x')] })).rejects.toThrow(/GET \/api\/v1\/open: every \/api route must declare config.role/);
  });
});

describe('the auth hook', () => {
  it('answers 403 with a message when the header lowers the role below the route\'s, before the handler', async () => {
    const before = await denied('role');
    for (const target of ['/api/v1/stations/CP-1/security', '/%61pi/v1/stations/CP-1/security']) {
      const res = await rawRequest(api.port, 'PUT', target, { ...auth, 'x-chargewatch-role': 'editor', 'content-type': 'application/json' }, '{"profile":0}');
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ error: 'Forbidden', message: 'PUT /api/v1/stations/:id/security needs role admin; this request holds editor (X-ChargeWatch-Role)' });
    }
    expect(api.reached).toEqual([]);
    expect(await denied('role')).toBe(before + 2);
  });

  it('lets a high enough role through to the handler', async () => {
    expect((await rawRequest(api.port, 'PUT', '/api/v1/admin-thing', { ...auth, 'x-chargewatch-role': 'admin' })).status).toBe(200);
    expect((await rawRequest(api.port, 'PUT', '/api/v1/admin-thing', auth)).status).toBe(200);
    expect((await rawRequest(api.port, 'PUT', '/api/v1/admin-thing', { ...auth, 'x-chargewatch-role': 'viewer' })).status).toBe(403);
    expect((await rawRequest(api.port, 'GET', '/api/v1/whoami', { ...auth, 'x-chargewatch-role': 'viewer' })).status).toBe(200);
  });

  it('answers 400 to a malformed or repeated role header, counted as "header"', async () => {
    const before = await denied('header');
    const bad = await rawRequest(api.port, 'GET', '/api/v1/whoami', { ...auth, 'x-chargewatch-role': 'superuser' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toBe('X-ChargeWatch-Role must be one of viewer, editor, admin');
    const twice = await rawRequest(api.port, 'GET', '/api/v1/whoami', [['authorization', auth.authorization], ['X-ChargeWatch-Role', 'viewer'], ['X-ChargeWatch-Role', 'admin']]);
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body).message).toBe('x-chargewatch-role sent 2 times; send it once');
    expect(await denied('header')).toBe(before + 2);
  });

  it('asks for the token first: a bad header without a token is a 401', async () => {
    const before = await denied('token');
    expect((await rawRequest(api.port, 'GET', '/api/v1/whoami', { 'x-chargewatch-role': 'nope' })).status).toBe(401);
    expect(await denied('token')).toBe(before + 1);
  });

  it('decorates the request with the Grafana user, or the token, and the role it holds', async () => {
    const who = async (headers: Record<string, string>) => JSON.parse((await rawRequest(api.port, 'GET', '/api/v1/whoami', { ...auth, ...headers })).body);
    expect(await who({})).toEqual({ kind: 'api-token', name: 'default', role: 'admin' });
    expect(await who({ 'x-chargewatch-role': 'editor' })).toEqual({ kind: 'api-token', name: 'default', role: 'editor' });
    expect(await who({ 'x-grafana-user': 'alice', 'x-chargewatch-role': 'viewer' })).toEqual({ kind: 'grafana-user', name: 'alice', role: 'viewer' });
    expect(await who({ 'x-grafana-user': 'bob' })).toEqual({ kind: 'grafana-user', name: 'bob', role: 'admin' });
  });

  it('answers 400 to an X-Grafana-User that is no login', async () => {
    const res = await rawRequest(api.port, 'GET', '/api/v1/whoami', { ...auth, 'x-grafana-user': 'x'.repeat(300) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toMatch(/X-Grafana-User must be a Grafana login/);
  });

  it('exposes the counter with fixed reasons only', async () => {
    const text = await api.registry.metrics();
    const reasons = [...text.matchAll(/^chargewatch_api_denied_total\{reason="([^"]+)"\}/gm)].map((m) => m[1]);
    expect(reasons.sort()).toEqual(['header', 'role', 'token']);
  });
});
