/**
 * Station passwords (OCPP security profiles 1 and 2, HTTP Basic). Only a slow hash is stored:
 * `scrypt$N$r$p$salt$hash` with base64 salt and hash. Verification is constant-time over the derived
 * keys and runs through a small concurrency limit, because each scrypt takes tens of milliseconds and
 * N·r·128 bytes of memory (32 MiB at the defaults) on libuv's thread pool, which file and DNS work share.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** OCPP 2.0.1 BasicAuthPassword and the 1.6 security whitepaper: 16 to 40 characters. */
export const PASSWORD_MIN_LENGTH = 16;
export const PASSWORD_MAX_LENGTH = 40;

export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;
/** Bounds accepted when parsing a stored hash, so a corrupted record cannot make verification explode. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export class PasswordPolicyError extends Error {}

function scrypt(password: Buffer, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

const memFor = (N: number, r: number, p: number) => 128 * N * r * (p + 1) + 1024 * 1024;

/**
 * Checks a password set through the API: 16–40 characters of printable ASCII (the set every station
 * firmware can type into its configuration; no spaces, no control characters).
 */
export function validatePassword(password: unknown): string {
  if (typeof password !== 'string') throw new PasswordPolicyError('password must be a string');
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new PasswordPolicyError(`password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long (OCPP), got ${password.length}`);
  }
  if (!/^[\x21-\x7e]+$/.test(password)) throw new PasswordPolicyError('password may contain only printable ASCII characters without spaces');
  return password;
}

export async function hashPassword(password: string | Buffer, params: { N?: number; r?: number; p?: number } = {}): Promise<string> {
  const N = params.N ?? SCRYPT_DEFAULTS.N;
  const r = params.r ?? SCRYPT_DEFAULTS.r;
  const p = params.p ?? SCRYPT_DEFAULTS.p;
  const salt = randomBytes(SCRYPT_DEFAULTS.saltBytes);
  const key = await scrypt(Buffer.from(password), salt, SCRYPT_DEFAULTS.keyBytes, { N, r, p, maxmem: memFor(N, r, p) });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

export function parseHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map((x) => (/^\d{1,8}$/.test(x!) ? Number(x) : NaN)) as [number, number, number];
  // N must be a power of two above 1 (scrypt's own rule).
  if (!(N > 1 && N <= MAX_N && (N & (N - 1)) === 0) || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return undefined;
  return { N, r, p, salt, key };
}

/** true when `password` matches `stored`; false for a mismatch or an unparseable stored hash. */
export async function verifyPassword(password: string | Buffer, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const candidate = await scrypt(Buffer.from(password), h.salt, h.key.length, { N: h.N, r: h.r, p: h.p, maxmem: memFor(h.N, h.r, h.p) });
  return timingSafeEqual(candidate, h.key);
}

export class BusyError extends Error {}

/**
 * At most `concurrency` tasks run at once and at most `maxQueue` wait; beyond that `run` throws
 * BusyError at once instead of queueing without bound. An aborted signal drops a waiting task.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      if (this.waiting.length >= this.maxQueue) throw new BusyError('too many verifications in progress');
      // A released slot is handed over directly (running is not decremented), so no newcomer can
      // slip in between and exceed the limit.
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(go);
      });
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
