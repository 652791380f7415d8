/**
 * Per-identity lockout after wrong passwords. `threshold` wrong passwords in a row lock the identity
 * for `baseMs`; each further lockout before a successful login doubles it, up to `maxMs`. While
 * locked, the handshake is refused before any password check, so a guesser costs no scrypt and learns
 * nothing; a correct password is refused too until the lock ends (otherwise the lock would be an
 * oracle). Only verified wrong passwords count: refusals that cost nothing (missing credentials, no
 * password set) cannot lock a station out.
 *
 * This is one process's state, in a capped LRU (identities reaching it have a stored password, so the
 * set is the fleet's, not the attacker's). The guard uses it through SharedLockout (shared-lockout.ts),
 * which keeps the count in Redis for every collector and falls back to this one while Redis fails.
 */
import { BoundedLru } from './lru';

export interface LockoutOptions {
  /** Wrong passwords in a row that lock the identity; 0 = never lock. */
  threshold: number;
  baseMs: number;
  maxMs: number;
}

interface Entry {
  failures: number;
  /** Lockouts since the last successful login; the next one lasts base · 2^level. */
  level: number;
  lockedUntil: number;
}

/** An identity's lock state is forgotten after a day without failures. */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

export class AuthLockout {
  private readonly entries: BoundedLru<string, Entry>;

  constructor(
    readonly o: LockoutOptions,
    private readonly now: () => number = Date.now,
    capacity = 20_000,
  ) {
    this.entries = new BoundedLru(capacity, FORGET_AFTER_MS, now);
  }

  get enabled(): boolean {
    return this.o.threshold > 0;
  }

  /** Milliseconds the identity stays locked; 0 when it is not locked. */
  lockedFor(identity: string): number {
    const e = this.entries.peek(identity);
    return e ? Math.max(0, e.lockedUntil - this.now()) : 0;
  }

  /** Records a wrong password; returns the new lock when this failure starts one. */
  failed(identity: string): { lockedForMs: number; level: number; failures: number } | undefined {
    if (!this.enabled) return undefined;
    const t = this.now();
    const e = this.entries.get(identity) ?? { failures: 0, level: 0, lockedUntil: 0 };
    e.failures++;
    let lock: { lockedForMs: number; level: number; failures: number } | undefined;
    if (e.failures >= this.o.threshold) {
      const lockedForMs = Math.min(this.o.maxMs, this.o.baseMs * 2 ** Math.min(e.level, 30));
      lock = { lockedForMs, level: e.level + 1, failures: e.failures };
      e.level++;
      e.failures = 0;
      e.lockedUntil = t + lockedForMs;
    }
    this.entries.set(identity, e);
    return lock;
  }

  /** A correct password: the identity starts from scratch. */
  succeeded(identity: string): void {
    this.entries.delete(identity);
  }

  get tracked(): number {
    return this.entries.size;
  }
}

/**
 * Fair shares of the scrypt queue: at most `perIdentity` verifications waiting or running for one
 * identity and `perAddress` for one address, so one attacker (one identity flooded with guesses, or
 * one address guessing many) cannot fill the queue that every other station's first login needs.
 */
export class ScryptShares {
  private readonly byIdentity = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(
    readonly perIdentity = 1,
    readonly perAddress = 4,
  ) {}

  /** A release function when both shares have room; undefined when the caller must refuse as busy. */
  enter(identity: string, address: string): (() => void) | undefined {
    if ((this.byIdentity.get(identity) ?? 0) >= this.perIdentity || (this.byAddress.get(address) ?? 0) >= this.perAddress) return undefined;
    bump(this.byIdentity, identity, 1);
    bump(this.byAddress, address, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      bump(this.byIdentity, identity, -1);
      bump(this.byAddress, address, -1);
    };
  }

  get inFlight(): number {
    let n = 0;
    for (const v of this.byIdentity.values()) n += v;
    return n;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
