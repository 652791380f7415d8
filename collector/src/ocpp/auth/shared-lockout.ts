/**
 * The handshake lockout as every collector sees it. AuthLockout (lockout.ts) counts wrong passwords in
 * one process's memory, so behind a load balancer, or with COLLECTOR_PROCESSES on one host (where the
 * kernel hands each connection to any process), an attacker got the threshold once per process before
 * all of them had locked the identity. The count and the lock now also live in Redis, in the station's
 * own keys (`st:{<s>}:authfail`, `st:{<s>}:authlock`, model/src/keys.ts), updated by one script so two
 * collectors' failures add up; the lock is a key that expires, so no collector's clock decides it.
 *
 * While Redis fails, the process's own AuthLockout counts instead (and its locks are checked first), so
 * the lockout still holds per process rather than every station being locked out or none; a Redis
 * error is counted and the handshake goes on to the password check, bounded by the scrypt shares. Only
 * failures Redis could not record are counted locally: a local count of every failure would miss the
 * good logins other collectors saw and lock an identity the shared count had cleared.
 */
import { RedisKeys } from '@chargewatch/model';
import type { Redis } from 'ioredis';
import { AuthLockout, type LockoutOptions } from './lockout';

export interface Lock {
  lockedForMs: number;
  level: number;
  failures: number;
}

/** An identity's lock state is forgotten after a day without failures (as AuthLockout's). */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

/**
 * KEYS: authfail, authlock. ARGV: threshold, baseMs, maxMs, forgetMs. Counts one wrong password; at the
 * threshold sets the lock for base · 2^level (capped) and returns {lockedForMs, level, failures}, else
 * {0, level, failures}.
 */
const FAIL_SCRIPT = `
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0') + 1
local l = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
local threshold, base, max, forget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if f >= threshold then
  local ms = math.min(max, base * 2 ^ math.min(l, 30))
  redis.call('HSET', KEYS[1], 'f', 0, 'l', l + 1)
  redis.call('PEXPIRE', KEYS[1], forget + ms)
  redis.call('SET', KEYS[2], '1', 'PX', ms)
  return {ms, l + 1, f}
end
redis.call('HSET', KEYS[1], 'f', f)
redis.call('PEXPIRE', KEYS[1], forget)
return {0, l, f}
`;

export class SharedLockout {
  private readonly local: AuthLockout;
  private readonly keys: RedisKeys;

  constructor(
    readonly o: LockoutOptions,
    private readonly redis: Pick<Redis, 'pttl' | 'eval' | 'del'> | undefined,
    prefix: string,
    private readonly onRedisError: (err: unknown) => void,
    now?: () => number,
  ) {
    this.local = new AuthLockout(o, now);
    this.keys = new RedisKeys(prefix);
  }

  get enabled(): boolean {
    return this.local.enabled;
  }

  /** Milliseconds the identity stays locked on any collector; 0 when it is not locked. */
  async lockedFor(identity: string): Promise<number> {
    const here = this.local.lockedFor(identity);
    if (here > 0 || !this.enabled || !this.redis) return here;
    try {
      return Math.max(0, await this.redis.pttl(this.keys.authLock(identity)));
    } catch (err) {
      this.onRedisError(err);
      return 0;
    }
  }

  /** Records a wrong password here and for every collector; returns the lock when this failure starts one. */
  async failed(identity: string): Promise<Lock | undefined> {
    if (!this.enabled) return undefined;
    if (!this.redis) return this.local.failed(identity);
    try {
      const [ms, level, failures] = (await this.redis.eval(
        FAIL_SCRIPT,
        2,
        this.keys.authFailures(identity),
        this.keys.authLock(identity),
        this.o.threshold,
        this.o.baseMs,
        this.o.maxMs,
        FORGET_AFTER_MS,
      )) as [number, number, number];
      return ms > 0 ? { lockedForMs: ms, level, failures } : undefined;
    } catch (err) {
      this.onRedisError(err);
      return this.local.failed(identity);
    }
  }

  /** A correct password: the identity starts from scratch everywhere. */
  async succeeded(identity: string): Promise<void> {
    this.local.succeeded(identity);
    if (!this.enabled || !this.redis) return;
    try {
      await this.redis.del(this.keys.authFailures(identity), this.keys.authLock(identity));
    } catch (err) {
      this.onRedisError(err);
    }
  }
}
