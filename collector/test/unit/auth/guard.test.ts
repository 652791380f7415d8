/**
 * The handshake guard against in-memory fakes: which profile asks for what, what each refusal
 * answers, and what it counts. Real TLS and Redis are in test/integration/auth.test.ts.
 */
import { TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import type { IHandshakeInterface } from 'ocpp-rpc/lib/server-client';
import { CollectorMetrics } from '../../../src/sinks/prometheus/metrics';
import { EventDispatcher } from '../../../src/events/dispatcher';
import type { ChargeEvent } from '@chargewatch/model';
import { silentLogger } from '@chargewatch/platform';
import { FailureTracker } from '../../../src/ocpp/auth/failures';
import { HandshakeGuard } from '../../../src/ocpp/auth/guard';
import { StationSecurity } from '../../../src/ocpp/auth/station-security';
import { fakeRedis } from './fake-redis';

function handshake(over: Partial<IHandshakeInterface> & { tls?: Partial<TLSSocket> } = {}): IHandshakeInterface {
  const { tls, ...rest } = over;
  const socket = tls ? Object.assign(Object.create(TLSSocket.prototype), { encrypted: true, authorized: false, getPeerCertificate: () => ({}) }, tls) : {};
  return {
    identity: 'CP-1',
    endpoint: '/ocpp',
    protocols: new Set(['ocpp1.6']),
    headers: {},
    query: new URLSearchParams(),
    remoteAddress: '10.0.0.1',
    password: undefined,
    request: { socket } as unknown as IncomingMessage,
    ...rest,
  };
}

async function metricValue(metrics: CollectorMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)!.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

function setup(opts: { defaultProfile?: 0 | 1 | 2 | 3; clientCa?: boolean; maxConn?: number; rate?: number; burst?: number } = {}) {
  const redis = fakeRedis();
  const security = new StationSecurity(redis as unknown as Redis, 't:', { defaultProfile: opts.defaultProfile ?? 0, scryptN: 1024 });
  const failures = new FailureTracker(100);
  const metrics = new CollectorMetrics();
  const recorded: ChargeEvent[] = [];
  const dispatcher = new EventDispatcher([{ name: 'capture', record: (e) => void recorded.push(...e) }]);
  const guard = new HandshakeGuard({
    security,
    failures,
    metrics,
    dispatcher,
    logger: silentLogger,
    maxConnectionsPerAddress: opts.maxConn ?? 0,
    connectRatePerAddress: opts.rate ?? 0,
    connectBurstPerAddress: opts.burst ?? 1,
    clientCa: opts.clientCa ?? true,
  });
  return { redis, security, failures, metrics, recorded, guard };
}

const PW = 'correct-horse-battery';
const flush = () => new Promise((r) => setTimeout(r, 10));

describe('HandshakeGuard.authenticate', () => {
  it('profile 0 (the default without a record) needs nothing', async () => {
    const { guard } = setup();
    await expect(guard.authenticate(handshake())).resolves.toBeUndefined();
  });

  it('profile 1: the right password passes, wrong or missing get 401, counted and recorded for a known station', async () => {
    const { guard, security, failures, metrics, recorded } = setup();
    await security.set('CP-1', { profile: 1, password: PW });
    await expect(guard.authenticate(handshake({ password: Buffer.from(PW) }))).resolves.toBeUndefined();
    await expect(guard.authenticate(handshake({ password: Buffer.from('wrong-password-123') }))).resolves.toEqual({ status: 401, message: 'invalid credentials' });
    await expect(guard.authenticate(handshake())).resolves.toMatchObject({ status: 401, message: expect.stringContaining('Basic') });
    await expect(guard.authenticate(handshake({ headers: { authorization: 'Basic eHg6eXk=' } }))).resolves.toMatchObject({ status: 401, message: expect.stringContaining('identity') });
    await flush();
    expect(await metricValue(metrics, 'chargewatch_auth_failures_total', { reason: 'bad_password' })).toBe(1);
    expect(await metricValue(metrics, 'chargewatch_auth_failures_total', { reason: 'missing_credentials' })).toBe(1);
    expect(await metricValue(metrics, 'chargewatch_auth_failures_total', { reason: 'malformed_credentials' })).toBe(1);
    expect(await metricValue(metrics, 'chargewatch_connections_rejected_total', { reason: 'auth' })).toBe(3);
    expect(failures.forStation('CP-1')).toMatchObject({ count: 3 });
    expect(failures.forAddress('10.0.0.1')).toMatchObject({ count: 3 });
    expect(recorded).toHaveLength(3);
    expect(recorded[0]).toMatchObject({ type: 'security.event', stationId: 'CP-1', eventType: 'InvalidBasicAuth', source: 'collector', techInfo: expect.stringContaining('reason=bad_password') });
  });

  it('records no security event for identities it has never seen (no registry pollution)', async () => {
    const { guard, recorded, failures } = setup({ defaultProfile: 1 });
    await expect(guard.authenticate(handshake({ identity: 'RANDOM-42', password: Buffer.from(PW) }))).resolves.toMatchObject({ status: 401 });
    await flush();
    expect(recorded).toHaveLength(0);
    expect(guard.eventsSkipped.unknownStation).toBe(1);
    expect(failures.forStation('RANDOM-42')).toMatchObject({ count: 1, lastReason: 'no_password_set' });
  });

  it('profile 2 refuses plain ws with 403 and accepts Basic over TLS', async () => {
    const { guard, security, recorded } = setup();
    await security.set('CP-1', { profile: 2, password: PW });
    await expect(guard.authenticate(handshake({ password: Buffer.from(PW) }))).resolves.toMatchObject({ status: 403, message: expect.stringContaining('TLS') });
    await expect(guard.authenticate(handshake({ password: Buffer.from(PW), tls: {} }))).resolves.toBeUndefined();
    await expect(guard.authenticate(handshake({ tls: {} }))).resolves.toMatchObject({ status: 401 });
    await flush();
    expect(recorded.map((e) => (e as { eventType: string }).eventType)).toEqual(['TLSRequired', 'InvalidBasicAuth']);
  });

  describe('profile 3', () => {
    const cert = (cn: unknown, fp = 'AA:BB') => ({ getPeerCertificate: () => ({ subject: { CN: cn }, fingerprint256: fp }) as never });

    it('accepts a trusted certificate whose CN is the identity', async () => {
      const { guard, security } = setup();
      await security.set('CP-1', { profile: 3 });
      await expect(guard.authenticate(handshake({ tls: { authorized: true, ...cert('CP-1') } }))).resolves.toBeUndefined();
    });

    it.each([
      ['no TLS', undefined, 403, 'tls_required'],
      ['no certificate', {}, 401, 'client_cert_missing'],
      ['an untrusted certificate', { authorized: false, ...cert('CP-1') }, 401, 'client_cert_untrusted'],
      ['another CN', { authorized: true, ...cert('CP-2') }, 401, 'client_cert_identity'],
      ['two CNs', { authorized: true, ...cert(['CP-1', 'CP-2']) }, 401, 'client_cert_identity'],
    ])('refuses %s', async (_name, tls, status, reason) => {
      const { guard, security, failures } = setup();
      await security.set('CP-1', { profile: 3 });
      await expect(guard.authenticate(handshake(tls ? { tls: tls as Partial<TLSSocket> } : {}))).resolves.toMatchObject({ status });
      expect(failures.forStation('CP-1')!.lastReason).toBe(reason);
    });

    it('with a pinned fingerprint, that certificate is accepted whatever its CN, and others are not', async () => {
      const { guard, security } = setup();
      const fp = 'AB'.repeat(32);
      await security.set('CP-1', { profile: 3, certFingerprint: fp.match(/../g)!.join(':').toLowerCase() });
      await expect(guard.authenticate(handshake({ tls: { authorized: true, ...cert('vendor-serial-77', fp.match(/../g)!.join(':')) } }))).resolves.toBeUndefined();
      await expect(guard.authenticate(handshake({ tls: { authorized: true, ...cert('CP-1', 'CD'.repeat(32)) } }))).resolves.toMatchObject({ status: 401 });
    });

    it('refuses when the collector has no client CA', async () => {
      const { guard, security } = setup({ clientCa: false });
      await security.set('CP-1', { profile: 3 });
      await expect(guard.authenticate(handshake({ tls: { authorized: true, ...cert('CP-1') } }))).resolves.toMatchObject({ status: 401 });
    });
  });

  it('caches records and verified passwords: a reconnect storm costs neither Redis nor scrypt per attempt', async () => {
    const { guard, security, redis } = setup();
    await security.set('CP-1', { profile: 1, password: PW });
    const before = redis.calls.hgetall;
    const spy = jest.spyOn(security.limiter, 'run');
    for (let i = 0; i < 50; i++) await expect(guard.authenticate(handshake({ password: Buffer.from(PW) }))).resolves.toBeUndefined();
    expect(redis.calls.hgetall - before).toBe(1);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('a rotated password takes effect at once on this instance: old refused, new accepted', async () => {
    const { guard, security } = setup();
    await security.set('CP-1', { profile: 1, password: PW });
    await expect(guard.authenticate(handshake({ password: Buffer.from(PW) }))).resolves.toBeUndefined();
    await security.set('CP-1', { profile: 1, password: 'a-brand-new-password-2' });
    await expect(guard.authenticate(handshake({ password: Buffer.from(PW) }))).resolves.toMatchObject({ status: 401 });
    await expect(guard.authenticate(handshake({ password: Buffer.from('a-brand-new-password-2') }))).resolves.toBeUndefined();
  });

  it('fails closed with 503 when the security record cannot be read', async () => {
    const { guard, redis } = setup();
    redis.hgetall = async () => {
      throw new Error('redis down');
    };
    await expect(guard.authenticate(handshake())).resolves.toMatchObject({ status: 503 });
  });

  it('while Redis fails, uses a record it read earlier (even expired), so known stations can reconnect', async () => {
    let now = 0;
    const redis = fakeRedis();
    const security = new StationSecurity(redis as unknown as Redis, 't:', { defaultProfile: 0, scryptN: 1024, recordTtlMs: 1000, now: () => now });
    await security.set('CP-1', { profile: 1, password: PW });
    await expect(security.effective('CP-1')).resolves.toMatchObject({ profile: 1 });
    redis.hgetall = async () => {
      throw new Error('redis down');
    };
    now += 60_000;
    await expect(security.effective('CP-1')).resolves.toMatchObject({ profile: 1, stale: true });
    await expect(security.effective('CP-2')).rejects.toThrow('redis down');
  });

  it('fails closed on a corrupt stored profile', async () => {
    const { guard, redis } = setup();
    redis.hashes.set('t:station:CP-1:security', { profile: 'none' });
    await expect(guard.authenticate(handshake())).resolves.toMatchObject({ status: 503 });
  });
});

describe('StationSecurity.set', () => {
  it('needs a password for profiles 1 and 2 when none is stored, and keeps it across profile changes', async () => {
    const { security } = setup();
    await expect(security.set('CP-1', { profile: 1 })).rejects.toThrow(/needs a password/);
    await security.set('CP-1', { profile: 1, password: PW });
    const r = await security.set('CP-1', { profile: 0 });
    expect(r.passwordHash).toMatch(/^scrypt\$/);
    await expect(security.set('CP-1', { profile: 2 })).resolves.toMatchObject({ profile: 2 });
  });

  it('validates password length and fingerprint format', async () => {
    const { security } = setup();
    await expect(security.set('CP-1', { profile: 1, password: 'short' })).rejects.toThrow(/16 to 40/);
    await expect(security.set('CP-1', { profile: 3, certFingerprint: 'xyz' })).rejects.toThrow(/64 hex/);
    await security.set('CP-1', { profile: 3, certFingerprint: 'ab'.repeat(32) });
    expect((await security.get('CP-1'))!.certFingerprint).toBe('AB'.repeat(32));
    await security.set('CP-1', { profile: 3, certFingerprint: '' });
    expect((await security.get('CP-1'))!.certFingerprint).toBeUndefined();
  });
});

describe('HandshakeGuard.admit', () => {
  it('rate-limits new connections per address with 429, and counts them', async () => {
    const { guard, metrics, failures } = setup({ rate: 1, burst: 3 });
    const results = Array.from({ length: 5 }, () => guard.admit(handshake()));
    expect(results.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(results[3]).toMatchObject({ status: 429 });
    expect(guard.admit(handshake({ remoteAddress: '10.0.0.2' }))).toBeUndefined();
    expect(await metricValue(metrics, 'chargewatch_connections_rejected_total', { reason: 'rate_limited' })).toBe(2);
    expect(failures.forAddress('10.0.0.1')).toMatchObject({ count: 2, lastReason: 'rate_limited' });
  });

  it('security events are capped globally, so a distributed attack cannot flood InfluxDB', async () => {
    const { guard, security, recorded } = setup();
    await security.set('CP-1', { profile: 1, password: PW });
    for (let i = 0; i < 300; i++) await guard.authenticate(handshake({ remoteAddress: `10.1.${i >> 8}.${i & 255}` }));
    await flush();
    expect(recorded.length).toBeLessThanOrEqual(101);
    expect(recorded.length + guard.eventsSkipped.budget).toBe(300);
  });
});
