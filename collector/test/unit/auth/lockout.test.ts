/**
 * Brute force and registry flooding at the handshake, against in-memory fakes: per-identity lockout
 * with doubling backoff, fair shares of the scrypt queue, and the cap on new identities per address.
 * Real Redis and sockets: test/integration/brute-force.test.ts.
 */
import type { IncomingMessage } from 'node:http';
import type { Redis } from 'ioredis';
import type { IHandshakeInterface } from 'ocpp-rpc/lib/server-client';
import type { ChargeEvent } from '@chargewatch/model';
import { silentLogger } from '@chargewatch/platform';
import { CollectorMetrics } from '../../../src/sinks/prometheus/metrics';
import { EventDispatcher } from '../../../src/events/dispatcher';
import { FailureTracker } from '../../../src/ocpp/auth/failures';
import { HandshakeGuard, LOCKOUT_EVENT_TYPE } from '../../../src/ocpp/auth/guard';
import { AuthLockout, ScryptShares } from '../../../src/ocpp/auth/lockout';
import { SharedLockout } from '../../../src/ocpp/auth/shared-lockout';
import { NewIdentityLimit } from '../../../src/ocpp/auth/new-identities';
import { StationSecurity } from '../../../src/ocpp/auth/station-security';
import { fakeRedis } from './fake-redis';

function handshake(identity: string, password?: string, remoteAddress = '10.0.0.1'): IHandshakeInterface {
  return {
    identity,
    endpoint: '/ocpp',
    protocols: new Set(['ocpp1.6']),
    headers: password ? { authorization: 'Basic x' } : {},
    query: new URLSearchParams(),
    remoteAddress,
    password: password === undefined ? undefined : Buffer.from(password),
    request: { socket: {} } as unknown as IncomingMessage,
  };
}

async function metricValue(metrics: CollectorMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await metrics.registry.getSingleMetric(name)!.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

function setup(opts: { threshold?: number; newPerMin?: number; now?: () => number; verifyQueue?: number } = {}) {
  const redis = fakeRedis();
  const now = opts.now ?? Date.now;
  const security = new StationSecurity(redis as unknown as Redis, 't:', { defaultProfile: 0, scryptN: 1024, now, verifyConcurrency: 1, verifyQueue: opts.verifyQueue ?? 64 });
  const metrics = new CollectorMetrics();
  const recorded: ChargeEvent[] = [];
  const guard = new HandshakeGuard({
    security,
    failures: new FailureTracker(100),
    metrics,
    dispatcher: new EventDispatcher([{ name: 'capture', record: (e) => void recorded.push(...e) }]),
    logger: silentLogger,
    maxConnectionsPerAddress: 0,
    connectRatePerAddress: 0,
    connectBurstPerAddress: 1,
    clientCa: false,
    lockout: { threshold: opts.threshold ?? 3, baseMs: 10_000, maxMs: 35_000 },
    newIdentitiesPerAddressPerMin: opts.newPerMin,
    now,
  });
  return { redis, security, metrics, recorded, guard };
}

const PW = 'correct-horse-battery';
const WRONG = 'wrong-password-00000';
const flush = () => new Promise((r) => setTimeout(r, 10));

describe('AuthLockout', () => {
  it('locks after the threshold, doubles each lockout up to the maximum, and forgets on success', () => {
    let t = 0;
    const l = new AuthLockout({ threshold: 2, baseMs: 1000, maxMs: 3000 }, () => t);
    expect(l.failed('A')).toBeUndefined();
    expect(l.failed('A')).toEqual({ lockedForMs: 1000, level: 1, failures: 2 });
    expect(l.lockedFor('A')).toBe(1000);
    expect(l.lockedFor('B')).toBe(0);
    t = 1000;
    expect(l.lockedFor('A')).toBe(0);
    l.failed('A');
    expect(l.failed('A')).toMatchObject({ lockedForMs: 2000, level: 2 });
    t = 3000;
    l.failed('A');
    expect(l.failed('A')).toMatchObject({ lockedForMs: 3000, level: 3 });
    l.succeeded('A');
    l.failed('A');
    expect(l.failed('A')).toMatchObject({ lockedForMs: 1000, level: 1 });
  });

  it('threshold 0 never locks', () => {
    const l = new AuthLockout({ threshold: 0, baseMs: 1000, maxMs: 1000 });
    for (let i = 0; i < 100; i++) expect(l.failed('A')).toBeUndefined();
    expect(l.lockedFor('A')).toBe(0);
  });
});

describe('ScryptShares', () => {
  it('gives one identity one slot and one address a few', () => {
    const s = new ScryptShares(1, 2);
    const a = s.enter('A', 'x')!;
    expect(s.enter('A', 'y')).toBeUndefined();
    const b = s.enter('B', 'x')!;
    expect(s.enter('C', 'x')).toBeUndefined();
    expect(s.enter('C', 'y')).toBeDefined();
    a();
    a();
    expect(s.enter('A', 'x')).toBeDefined();
    b();
  });
});

describe('HandshakeGuard lockout', () => {
  it('locks an identity after wrong passwords: refused with 429 without scrypt, even with the right password, until it expires', async () => {
    let t = 1_000_000;
    const { guard, security, metrics, recorded, redis } = setup({ now: () => t });
    redis.sets.set('t:stations', new Set(['CP-1']));
    await security.set('CP-1', { profile: 1, password: PW });
    for (let i = 0; i < 3; i++) await expect(guard.authenticate(handshake('CP-1', WRONG))).resolves.toMatchObject({ status: 401 });
    expect(await metricValue(metrics, 'chargewatch_auth_lockouts_total')).toBe(1);
    const spy = jest.spyOn(security, 'checkPassword');
    await expect(guard.authenticate(handshake('CP-1', PW))).resolves.toMatchObject({ status: 429, message: expect.stringContaining('retry in 10 s') });
    await expect(guard.authenticate(handshake('CP-1', WRONG))).resolves.toMatchObject({ status: 429 });
    expect(spy).not.toHaveBeenCalled();
    expect(await metricValue(metrics, 'chargewatch_auth_failures_total', { reason: 'locked_out' })).toBe(2);
    await flush();
    const lockEvents = recorded.filter((e) => e.type === 'security.event' && e.eventType === LOCKOUT_EVENT_TYPE);
    expect(lockEvents).toEqual([expect.objectContaining({ stationId: 'CP-1', source: 'collector', techInfo: expect.stringContaining('lockedForSec=10') })]);
    t += 10_000;
    // The next lockout lasts twice as long.
    for (let i = 0; i < 3; i++) await guard.authenticate(handshake('CP-1', WRONG));
    await expect(guard.authenticate(handshake('CP-1', PW))).resolves.toMatchObject({ status: 429, message: expect.stringContaining('retry in 20 s') });
    t += 20_000;
    await expect(guard.authenticate(handshake('CP-1', PW))).resolves.toBeUndefined();
    await expect(guard.lockout.lockedFor('CP-1')).resolves.toBe(0);
  });

  it('a guess flood on one identity takes one scrypt slot: another station still gets its first verification', async () => {
    const { guard, security } = setup({ threshold: 1000, verifyQueue: 2 });
    await security.set('VICTIM', { profile: 1, password: PW });
    await security.set('OTHER', { profile: 1, password: PW });
    const flood = Array.from({ length: 50 }, (_, i) => guard.authenticate(handshake('VICTIM', WRONG, `10.0.1.${i}`)));
    const legit = guard.authenticate(handshake('OTHER', PW, '10.0.9.9'));
    await expect(legit).resolves.toBeUndefined();
    const results = await Promise.all(flood);
    expect(results.filter((r) => r?.status === 503).length).toBe(49);
    expect(results.filter((r) => r?.status === 401).length).toBe(1);
  });

  it('a password verified before is accepted without the queue, even while the queue is full', async () => {
    const { guard, security } = setup({ verifyQueue: 0 });
    await security.set('CP-1', { profile: 1, password: PW });
    await expect(guard.authenticate(handshake('CP-1', PW))).resolves.toBeUndefined();
    // Occupy the only slot, so any verification that needs scrypt is busy.
    await security.set('CP-2', { profile: 1, password: PW });
    const slow = guard.authenticate(handshake('CP-2', WRONG, '10.9.9.9'));
    await expect(guard.authenticate(handshake('CP-3', PW, '10.9.9.8'))).resolves.toBeUndefined(); // profile 0
    await expect(guard.authenticate(handshake('CP-1', PW))).resolves.toBeUndefined();
    await slow;
  });
});

describe('HandshakeGuard new identities per address', () => {
  it('lets an address add N unknown identities per minute, known ones always, and counts the rest', async () => {
    let t = 0;
    const { guard, metrics, redis } = setup({ newPerMin: 5, now: () => t });
    redis.sets.set('t:stations', new Set(['KNOWN']));
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await guard.authenticate(handshake(`NEW-${i}`, undefined, '10.0.0.7')));
    expect(results.filter((r) => r === undefined)).toHaveLength(5);
    expect(results[5]).toMatchObject({ status: 429, message: expect.stringContaining('new station identities') });
    expect(await metricValue(metrics, 'chargewatch_connections_rejected_total', { reason: 'new_identity_limit' })).toBe(15);
    // Known stations and identities already admitted pass; other addresses have their own budget.
    await expect(guard.authenticate(handshake('KNOWN', undefined, '10.0.0.7'))).resolves.toBeUndefined();
    await expect(guard.authenticate(handshake('NEW-0', undefined, '10.0.0.7'))).resolves.toBeUndefined();
    await expect(guard.authenticate(handshake('NEW-99', undefined, '10.0.0.8'))).resolves.toBeUndefined();
    t += 12_000; // one token per 12 s
    await expect(guard.authenticate(handshake('NEW-100', undefined, '10.0.0.7'))).resolves.toBeUndefined();
    await expect(guard.authenticate(handshake('NEW-101', undefined, '10.0.0.7'))).resolves.toMatchObject({ status: 429 });
  });
});

describe('HandshakeGuard new identities when Redis fails', () => {
  it('refuses with 503 and counts auth_unavailable instead of letting an unknown identity in', async () => {
    const { guard, metrics, redis } = setup({ newPerMin: 5 });
    redis.sismember = async () => {
      throw new Error('redis down');
    };
    await expect(guard.authenticate(handshake('NEW-1'))).resolves.toMatchObject({ status: 503 });
    expect(await metricValue(metrics, 'chargewatch_connections_rejected_total', { reason: 'auth_unavailable' })).toBe(1);
  });
});

describe('NewIdentityLimit', () => {
  it('remembers admitted identities until they are forgotten (pruned), then they are new again', async () => {
    let lookups = 0;
    const limit = new NewIdentityLimit(1, async () => (lookups++, false), () => 0);
    await expect(limit.admit('A', 'addr')).resolves.toBe(true);
    await expect(limit.admit('A', 'addr')).resolves.toBe(true);
    expect(lookups).toBe(1);
    await expect(limit.admit('B', 'addr')).resolves.toBe(false);
    limit.forget('A');
    await expect(limit.admit('A', 'addr')).resolves.toBe(false);
  });

  it('passes a registry error to the caller', async () => {
    const limit = new NewIdentityLimit(1, async () => {
      throw new Error('redis down');
    });
    await expect(limit.admit('A', 'addr')).rejects.toThrow('redis down');
  });
});

describe('SharedLockout while Redis fails', () => {
  it('counts in this process instead: the identity still locks at the threshold, and each Redis error is reported', async () => {
    let t = 5_000_000;
    const down = () => Promise.reject(new Error('connect ECONNREFUSED'));
    const redis = { pttl: down, eval: down, del: down } as unknown as ConstructorParameters<typeof SharedLockout>[1];
    const errors: unknown[] = [];
    const lockout = new SharedLockout({ threshold: 3, baseMs: 10_000, maxMs: 60_000 }, redis, 't:', (e) => errors.push(e), () => t);
    await expect(lockout.failed('CP-1')).resolves.toBeUndefined();
    await expect(lockout.failed('CP-1')).resolves.toBeUndefined();
    await expect(lockout.failed('CP-1')).resolves.toMatchObject({ lockedForMs: 10_000, level: 1 });
    await expect(lockout.lockedFor('CP-1')).resolves.toBe(10_000);
    await expect(lockout.lockedFor('CP-2')).resolves.toBe(0);
    expect(errors.length).toBe(4);
    t += 10_000;
    await expect(lockout.lockedFor('CP-1')).resolves.toBe(0);
  });
});
