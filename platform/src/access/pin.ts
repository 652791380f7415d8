/**
 * PINs of KeyCode tokens. The registry stores a keyed hash (HMAC-SHA256 under ACCESS_PIN_SECRET), so a
 * presented PIN can be checked and found, but a dump of the database reveals nothing: without the
 * secret, even the 10,000 four-digit PINs cannot be tried. Only when the operator sends PINs in local
 * lists (ACCESS_SEND_PINS) is the PIN also kept sealed with AES-256-GCM under ACCESS_PIN_KEY, because a
 * station must receive the PIN itself. Neither the PIN nor the secrets are ever logged or returned.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface PinKeys {
  /** HMAC key: at least 32 bytes. */
  hashSecret: Buffer;
  /** AES-256-GCM key (32 bytes); only needed when PINs go into local lists. */
  sealKey?: Buffer;
}

/** A key from config: 64 hex digits or base64 of at least 32 bytes. Throws naming the setting. */
export function parseKey(value: string, setting: string, exactLength?: number): Buffer {
  const buf = /^[0-9a-fA-F]{64,}$/.test(value) && value.length % 2 === 0 ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (buf.length < 32 || (exactLength !== undefined && buf.length !== exactLength)) {
    throw new Error(`${setting} must be ${exactLength ?? 'at least 32'} bytes, as hex or base64 (generate one with: openssl rand -hex 32)`);
  }
  return buf;
}

/** Lower-case hex HMAC-SHA256 of the PIN. */
export function pinHash(pin: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(pin, 'utf8').digest('hex');
}

/** Does `pin` match the stored hash? Constant time. */
export function pinMatches(pin: string, storedHash: string, secret: Buffer): boolean {
  const a = Buffer.from(pinHash(pin, secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

const SEAL_VERSION = 'v1';

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts; a fresh 12-byte IV each time. */
export function sealPin(pin: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(pin, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** The PIN a sealPin value holds; throws when it was altered or sealed under another key. */
export function openPin(sealed: string, key: Buffer): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== SEAL_VERSION) throw new Error('not a sealed PIN');
  const [, iv, tag, ct] = parts as [string, string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}
