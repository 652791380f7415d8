/**
 * Per-station OCPP security profile, in Redis next to the station's state:
 *
 *   {prefix}station:{id}:security   hash: profile (0–3), passwordHash (scrypt$…), certFingerprint
 *                                   (SHA-256, upper-case hex without colons), updatedAt (epoch ms)
 *
 * Profiles (OCPP 1.6 security whitepaper / 2.0.1 part 2, A00): 0 none, 1 HTTP Basic over ws or wss,
 * 2 HTTP Basic over TLS only, 3 TLS with a client certificate for the station identity (no password).
 * A station without a record gets OCPP_DEFAULT_SECURITY_PROFILE.
 *
 * The handshake path reads records through a short-lived cache (a reconnect storm after a restart
 * must not become one Redis read per attempt) and caches successful password checks, keyed by the
 * stored hash and a digest of the presented password, so a station reconnecting does not cost an
 * scrypt each time while a rotated password stops working as soon as the record is re-read.
 * Writes through this class drop the local cache at once; other collector instances see a change
 * within `recordTtlMs`.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BoundedLru } from './lru';
import { ConcurrencyLimiter, PasswordPolicyError, hashPassword, validatePassword, verifyPassword } from './passwords';

export const SECURITY_PROFILES = [0, 1, 2, 3] as const;
export type SecurityProfile = (typeof SECURITY_PROFILES)[number];

export interface StationSecurityRecord {
  profile: SecurityProfile;
  passwordHash?: string;
  certFingerprint?: string;
  updatedAt: number;
}

export interface SecurityUpdate {
  profile: SecurityProfile;
  /** New password (16–40 printable ASCII characters); omitted keeps the stored one. */
  password?: string;
  /** Pinned client certificate (SHA-256, hex, colons optional); "" removes the pin; omitted keeps it. */
  certFingerprint?: string;
}

export interface StationSecurityOptions {
  defaultProfile: SecurityProfile;
  recordTtlMs?: number;
  verifiedTtlMs?: number;
  cacheSize?: number;
  /** scrypt runs at once / waiting; beyond that verifications are refused as busy. */
  verifyConcurrency?: number;
  verifyQueue?: number;
  /** scrypt cost for new hashes (tests lower it). */
  scryptN?: number;
  now?: () => number;
}

export function isSecurityProfile(v: unknown): v is SecurityProfile {
  return typeof v === 'number' && (SECURITY_PROFILES as readonly number[]).includes(v);
}

/** Normalises a SHA-256 fingerprint (`AB:CD:…` as Node prints it, or plain hex) to upper-case hex. */
export function normaliseFingerprint(raw: string): string {
  const hex = raw.replace(/:/g, '').trim().toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new PasswordPolicyError('certFingerprint must be a SHA-256 fingerprint: 64 hex digits, colons allowed');
  return hex;
}

export class StationSecurity {
  readonly defaultProfile: SecurityProfile;
  /** Records with the time they were read; kept past their TTL only as a fallback while Redis fails. */
  private readonly records: BoundedLru<string, { record?: StationSecurityRecord; readAt: number }>;
  private readonly recordTtlMs: number;
  private readonly verified: BoundedLru<string, true>;
  readonly limiter: ConcurrencyLimiter;
  private readonly scryptN?: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StationSecurityOptions,
  ) {
    this.defaultProfile = opts.defaultProfile;
    this.now = opts.now ?? Date.now;
    this.recordTtlMs = opts.recordTtlMs ?? 5_000;
    this.records = new BoundedLru(opts.cacheSize ?? 10_000, 0, this.now);
    this.verified = new BoundedLru(opts.cacheSize ?? 10_000, opts.verifiedTtlMs ?? 60_000, this.now);
    this.limiter = new ConcurrencyLimiter(opts.verifyConcurrency ?? 2, opts.verifyQueue ?? 64);
    this.scryptN = opts.scryptN;
  }

  key(stationId: string): string {
    return `${this.prefix}station:${stationId}:security`;
  }

  /** The stored record, read from Redis (no cache); undefined when the station has none. */
  async get(stationId: string): Promise<StationSecurityRecord | undefined> {
    const h = await this.redis.hgetall(this.key(stationId));
    if (!h || Object.keys(h).length === 0) return undefined;
    const profile = Number(h.profile);
    // Fail closed: a record that cannot be read must not fall back to "no authentication".
    if (!isSecurityProfile(profile)) throw new Error(`invalid security profile "${h.profile}" stored for station ${stationId}`);
    return {
      profile,
      passwordHash: h.passwordHash || undefined,
      certFingerprint: h.certFingerprint || undefined,
      updatedAt: Number(h.updatedAt) || 0,
    };
  }

  /**
   * Profile that applies to the station (its own or the default), through the short-lived cache.
   * While Redis fails, a record read earlier is used however old it is (`stale: true`); a station
   * with nothing cached is refused by the caller (fail closed: it might have a record).
   */
  async effective(stationId: string): Promise<{ profile: SecurityProfile; record?: StationSecurityRecord; stale?: boolean }> {
    let cached = this.records.get(stationId);
    let stale = false;
    if (!cached || this.now() - cached.readAt >= this.recordTtlMs) {
      try {
        cached = { record: await this.get(stationId), readAt: this.now() };
        this.records.set(stationId, cached);
      } catch (err) {
        if (!cached) throw err;
        stale = true;
      }
    }
    return { profile: cached.record?.profile ?? this.defaultProfile, record: cached.record, ...(stale ? { stale } : {}) };
  }

  /** Creates or changes a station's record; throws PasswordPolicyError for input the caller must fix. */
  async set(stationId: string, update: SecurityUpdate): Promise<StationSecurityRecord> {
    if (!isSecurityProfile(update.profile)) throw new PasswordPolicyError('profile must be 0, 1, 2 or 3');
    const current = await this.get(stationId);
    const fields: Record<string, string> = { profile: String(update.profile), updatedAt: String(this.now()) };
    if (update.password !== undefined) {
      fields.passwordHash = await hashPassword(validatePassword(update.password), this.scryptN ? { N: this.scryptN } : {});
    } else if ((update.profile === 1 || update.profile === 2) && !current?.passwordHash) {
      throw new PasswordPolicyError(`profile ${update.profile} needs a password and none is stored for this station: send "password"`);
    }
    let dropPin = false;
    if (update.certFingerprint !== undefined) {
      if (update.certFingerprint === '') dropPin = true;
      else fields.certFingerprint = normaliseFingerprint(update.certFingerprint);
    }
    const m = this.redis.multi().hset(this.key(stationId), fields);
    if (dropPin) m.hdel(this.key(stationId), 'certFingerprint');
    await m.exec();
    this.invalidate(stationId);
    return (await this.get(stationId))!;
  }

  async remove(stationId: string): Promise<boolean> {
    const n = await this.redis.del(this.key(stationId));
    this.invalidate(stationId);
    return n > 0;
  }

  invalidate(stationId: string): void {
    this.records.delete(stationId);
  }

  /**
   * Checks a presented password against the stored hash. Successful checks are remembered for
   * `verifiedTtlMs` under a digest of (stored hash, password): the cache never holds the password,
   * and a new stored hash (rotation) misses it. Throws BusyError when too many checks are waiting.
   */
  async checkPassword(storedHash: string, password: Buffer, signal?: AbortSignal): Promise<boolean> {
    if (this.isVerified(storedHash, password)) return true;
    const ok = await this.limiter.run(() => verifyPassword(password, storedHash), signal);
    if (ok) this.verified.set(verifiedDigest(storedHash, password), true);
    return ok;
  }

  /** Whether this password was verified against this stored hash recently: no scrypt, no queue. */
  isVerified(storedHash: string, password: Buffer): boolean {
    return this.verified.get(verifiedDigest(storedHash, password)) === true;
  }

  /** A station the collector has seen or that has a security record (others get no security events). */
  async isKnown(stationId: string): Promise<boolean> {
    const [inRegistry, hasRecord] = await Promise.all([
      this.redis.sismember(`${this.prefix}stations`, stationId),
      this.redis.exists(this.key(stationId)),
    ]);
    return inRegistry === 1 || hasRecord === 1;
  }
}

const verifiedDigest = (storedHash: string, password: Buffer) => createHash('sha256').update(storedHash).update('\0').update(password).digest('base64');
