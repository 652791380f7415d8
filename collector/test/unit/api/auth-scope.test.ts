/**
 * Item 4: every /api route is behind the token, whatever the spelling of the request target. The
 * router decodes and normalises some spellings (`/%61pi/…`, absolute-form targets) and not others
 * (`//api`, `/API`, dot segments): either way no handler may run without the token.
 */
import fc from 'fast-check';
import { METHODS, TOKEN, documentedRoutes, rawRequest, startApi, type ApiUnderTest } from './api-under-test';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());
beforeEach(() => api.reached.splice(0));

const fill = (path: string) => path.replace(/\{[^}]+\}/g, 'CP-1');

describe('the public routes', () => {
  it('need no token', async () => {
    for (const p of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect([p, (await rawRequest(api.port, 'GET', p)).status]).toEqual([p, 200]);
  });
});

describe('the /api scope without a token', () => {
  it('has a tripwire that works: with the token, handlers run', async () => {
    const res = await rawRequest(api.port, 'GET', '/api/v1/stations', { authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(500);
    expect(api.reached).toEqual(['query.list']);
  });

  // The router sends these into the /api scope (401) or to the root 404 handler (404); never a handler.
  const TARGETS: Array<[string, 401 | 404]> = [
    ['/api/v1/stations', 401],
    ['/%61pi/v1/stations', 401],
    ['/%61%70%69/v1/stations/CP-1/security', 401],
    ['/api/%761/stations', 401],
    ['/api/v1/stations%2FCP-1%2Fsecurity', 401],
    ['/api%2Fv1%2Fstations', 404],
    ['//api/v1/stations', 404],
    ['/api//v1/stations', 401],
    ['/API/v1/stations', 404],
    ['/Api/v1/stations', 404],
    ['/api/v1/stations/', 401],
    ['/api/v1/stations/CP-1/security/', 401],
    ['/x/../api/v1/stations', 404],
    ['/api/v1/x/../stations', 401],
    ['/api/./v1/stations', 401],
    ['http://x/api/v1/stations', 401],
    ['http://x/%61pi/v1/stations/CP-1/registration', 401],
    ['https://127.0.0.1:1/api/v1/security/auth-failures', 401],
    ['/api/v1/stations?limit=1', 401],
    ['/api/v1/stations;x', 401],
    ['/api/v1/nope', 401],
    ['/api/v2/stations', 401],
    ['/api', 401],
    ['/api/', 401],
  ];

  it.each(TARGETS)('%s answers %s to every method, no handler runs', async (target, expected) => {
    for (const method of METHODS) {
      const res = await rawRequest(api.port, method, target, {}, method === 'PUT' || method === 'POST' || method === 'PATCH' ? '{}' : undefined);
      expect({ method, target, status: res.status }).toEqual({ method, target, status: expected });
      if (expected === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    expect(api.reached).toEqual([]);
  });

  it('a wrong token or scheme is refused the same way', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `bearer ${TOKEN}`, `Basic ${TOKEN}`, `Bearer  ${TOKEN}`, 'Bearer ']) {
      expect((await rawRequest(api.port, 'PUT', '/%61pi/v1/stations/CP-1/security', { authorization, 'content-type': 'application/json' }, '{"profile":0}')).status).toBe(401);
    }
    expect(api.reached).toEqual([]);
  });

  it('an unknown path under /api answers 404 only with the token', async () => {
    expect((await rawRequest(api.port, 'GET', '/api/v1/nope', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });
});

describe('random spellings of every documented route', () => {
  const encodeChar = (c: string, upper: boolean) => {
    const hex = c.charCodeAt(0).toString(16).padStart(2, '0');
    return `%${upper ? hex.toUpperCase() : hex}`;
  };
  /** One change to the request target; each keeps it a plausible HTTP target. */
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('encode' as const), at: fc.nat(), upper: fc.boolean() }),
    fc.record({ kind: fc.constant('double-slash' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('upper' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('trailing-slash' as const) }),
    fc.record({ kind: fc.constant('dot-segment' as const), at: fc.nat(), segment: fc.constantFrom('/.', '/x/..', '/%2e', '/%2E%2E', '/..') }),
    fc.record({ kind: fc.constant('absolute' as const), origin: fc.constantFrom('http://x', 'http://127.0.0.1:9100', 'https://collector') }),
    fc.record({ kind: fc.constant('suffix' as const), suffix: fc.constantFrom('?', '?a=1', ';', '#', '%00', '%20', '/') }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function apply(target: string, m: Mutation): string {
    switch (m.kind) {
      case 'encode': {
        const i = 1 + (m.at % (target.length - 1));
        return target.slice(0, i) + encodeChar(target[i]!, m.upper) + target.slice(i + 1);
      }
      case 'double-slash': {
        const slashes = [...target].flatMap((c, i) => (c === '/' ? [i] : []));
        const i = slashes[m.at % slashes.length]!;
        return `${target.slice(0, i)}/${target.slice(i)}`;
      }
      case 'upper': {
        const i = m.at % target.length;
        return target.slice(0, i) + target[i]!.toUpperCase() + target.slice(i + 1);
      }
      case 'trailing-slash':
        return `${target}/`;
      case 'dot-segment': {
        const slashes = [...target].flatMap((c, i) => (c === '/' ? [i] : []));
        const i = slashes[m.at % slashes.length]!;
        return target.slice(0, i) + m.segment + target.slice(i);
      }
      case 'absolute':
        return target.startsWith('/') ? m.origin + target : target;
      case 'suffix':
        return target + m.suffix;
    }
  }

  it('none gets a 2xx or 3xx, or reaches a handler, without the token', async () => {
    const routes = await documentedRoutes(api.port);
    expect(routes.length).toBeGreaterThanOrEqual(15);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom(...METHODS), fc.array(mutation, { minLength: 0, maxLength: 3 }), async (route, method, mutations) => {
        const target = mutations.reduce(apply, fill(route.path));
        const res = await rawRequest(api.port, method, target, { 'content-type': 'application/json' }, '{}');
        if ((res.status >= 200 && res.status < 400) || api.reached.length) throw new Error(`${method} ${target} → ${res.status}, reached ${api.reached.join(',')}`);
      }),
      { numRuns: 400 },
    );
  });
});
