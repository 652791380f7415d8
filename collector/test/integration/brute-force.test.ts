/**
 * Password guessing against a real collector and Redis: a flood of wrong passwords for one identity
 * locks that identity out with a growing backoff and denies service to nobody else — a station whose
 * password was verified before connects from the cache, and a station that needs its first scrypt
 * verification still gets one while the flood runs.
 */
import WebSocket from 'ws';
import { eventually, influxQuery } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

function handshake(url: string, identity: string, password: string): Promise<{ status: number; body: string }> {
  const authorization = `Basic ${Buffer.from(`${identity}:${password}`).toString('base64')}`;
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/${identity}`, ['ocpp1.6'], { headers: { authorization } });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => resolve({ status: 0, body: 'error' }));
  });
}

const PW = { victim: 'victim-password-00001', cached: 'cached-password-00002', fresh: 'fresh-password-000003' };
const BASE_SEC = 2;

describe('brute force on one identity', () => {
  let c: TestCollector;
  const put = (id: string, password: string) =>
    c.api(`/api/v1/stations/${id}/security`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 1, password }) });

  beforeAll(async () => {
    c = await startTestCollector({
      OCPP_CONNECT_RATE_PER_ADDRESS: '0',
      OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
      OCPP_AUTH_LOCKOUT_THRESHOLD: '5',
      OCPP_AUTH_LOCKOUT_BASE_SEC: String(BASE_SEC),
      OCPP_AUTH_LOCKOUT_MAX_SEC: '8',
    });
    for (const [id, pw] of [['VICTIM', PW.victim], ['CACHED', PW.cached], ['FRESH', PW.fresh]] as const) expect((await put(id, pw)).status).toBe(200);
  });

  afterAll(async () => {
    await c?.stop();
  });

  it('300 wrong guesses lock the identity and nobody else; the lock backs off and a right password waits for it', async () => {
    expect((await handshake(c.ocppUrl, 'CACHED', PW.cached)).status).toBe(101);

    // 300 guesses: 100 at once — more than the scrypt queue holds (64) — then 40 at a time. The station
    // needing its first verification arrives right behind the first 100.
    const statuses: number[] = [];
    let fresh: Promise<{ status: number }> | undefined;
    for (const [round, size] of [100, 40, 40, 40, 40, 40].entries()) {
      const guesses = Array.from({ length: size }, (_, i) => handshake(c.ocppUrl, 'VICTIM', `wrong-guess-${round}-${i}-0000`));
      if (round === 0) fresh = handshake(c.ocppUrl, 'FRESH', PW.fresh);
      statuses.push(...(await Promise.all(guesses)).map((r) => r.status));
    }
    expect(statuses).toHaveLength(300);
    expect(statuses.every((s) => s === 401 || s === 429 || s === 503)).toBe(true);
    // One verification at a time for the identity (the rest of each batch is busy), five of them, then locked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40);
    expect((await fresh!).status).toBe(101);
    expect((await handshake(c.ocppUrl, 'CACHED', PW.cached)).status).toBe(101);

    // The right password is refused while the lock lasts, and no scrypt runs for it.
    const locked = await handshake(c.ocppUrl, 'VICTIM', PW.victim);
    expect(locked).toMatchObject({ status: 429, body: expect.stringContaining('too many wrong passwords') });
    expect(await metric(c, 'chargewatch_auth_lockouts_total')).toBe(1);
    const view = (await (await c.api('/api/v1/stations/VICTIM/security')).json()) as { lockedForSec: number; recentFailures: { byReason: Record<string, number> } };
    expect(view.lockedForSec).toBeGreaterThan(0);
    expect(view.lockedForSec).toBeLessThanOrEqual(BASE_SEC);
    expect(view.recentFailures.byReason).toMatchObject({ bad_password: 5 });
    expect(await metric(c, 'chargewatch_auth_failures_total', { reason: 'locked_out' })).toBeGreaterThanOrEqual(41);

    // After it expires, five more wrong guesses lock it again for twice as long.
    await eventually(async () => expect((await handshake(c.ocppUrl, 'VICTIM', 'still-wrong-000000000')).status).toBe(401), 10_000, 250);
    for (let i = 0; i < 4; i++) await handshake(c.ocppUrl, 'VICTIM', `again-wrong-${i}-000000`);
    const second = await handshake(c.ocppUrl, 'VICTIM', PW.victim);
    expect(second).toMatchObject({ status: 429, body: expect.stringMatching(/retry in [34] s/) });
    expect(await metric(c, 'chargewatch_auth_lockouts_total')).toBe(2);
    const t0 = Date.now();
    await eventually(async () => expect((await handshake(c.ocppUrl, 'VICTIM', PW.victim)).status).toBe(101), 10_000, 250);
    expect(Date.now() - t0).toBeGreaterThan(2 * BASE_SEC * 1000 - 1500);

    // Each lockout is a security event of the station (it is known: it has a security record).
    await eventually(async () => {
      const rows = await influxQuery(c.config.influx.url, c.database, `SELECT * FROM security_event WHERE station_id = 'VICTIM' AND event_type = 'AuthenticationLockout'`);
      expect(rows).toHaveLength(2);
      expect(String(rows[1]!.tech_info)).toContain('lockout=2');
    });
  });
});

describe('brute force spread over two collectors on one Redis', () => {
  // Two collectors behind one load balancer (or two COLLECTOR_PROCESSES): the guesser alternates
  // between them, and the lock must come after the threshold in all, not the threshold per collector.
  let a: TestCollector;
  let b: TestCollector;
  const prefix = `cwlock${Math.random().toString(16).slice(2, 8)}:`;

  beforeAll(async () => {
    const env = {
      REDIS_PREFIX: prefix,
      OCPP_CONNECT_RATE_PER_ADDRESS: '0',
      OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
      OCPP_AUTH_LOCKOUT_THRESHOLD: '4',
      OCPP_AUTH_LOCKOUT_BASE_SEC: String(BASE_SEC),
      OCPP_AUTH_LOCKOUT_MAX_SEC: '8',
    };
    a = await startTestCollector({ ...env, COLLECTOR_ID: 'lock-a' });
    b = await startTestCollector({ ...env, COLLECTOR_ID: 'lock-b' });
    const res = await a.api('/api/v1/stations/SPREAD/security', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ profile: 1, password: PW.victim }) });
    expect(res.status).toBe(200);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('locks the identity on both after four wrong passwords in all, and a good login clears it on both', async () => {
    for (let i = 0; i < 4; i++) expect((await handshake((i % 2 ? b : a).ocppUrl, 'SPREAD', `wrong-guess-${i}-00000000`)).status).toBe(401);
    // Each collector saw two failures only; the lock is shared.
    for (const c of [a, b]) expect(await handshake(c.ocppUrl, 'SPREAD', PW.victim)).toMatchObject({ status: 429, body: expect.stringContaining('too many wrong passwords') });
    const view = (await (await b.api('/api/v1/stations/SPREAD/security')).json()) as { lockedForSec: number };
    expect(view.lockedForSec).toBeGreaterThan(0);
    expect((await metric(a, 'chargewatch_auth_lockouts_total')) + (await metric(b, 'chargewatch_auth_lockouts_total'))).toBe(1);

    await new Promise((r) => setTimeout(r, BASE_SEC * 1000 + 200));
    expect((await handshake(b.ocppUrl, 'SPREAD', PW.victim)).status).toBe(101);
    // The good login reset the shared count: three more wrong ones (on the other collector) do not lock.
    for (let i = 0; i < 3; i++) expect((await handshake(a.ocppUrl, 'SPREAD', `wrong-again-${i}-0000000`)).status).toBe(401);
    expect((await handshake(a.ocppUrl, 'SPREAD', PW.victim)).status).toBe(101);
  });
});
