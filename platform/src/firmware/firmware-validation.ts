/**
 * Checks a firmware release before it enters the catalogue: every field within what the OCPP messages
 * that carry it allow (model FIRMWARE_LIMITS), a download URL of a scheme stations speak, a sha256
 * checksum as 64 hex digits, certificate and signature both or neither. Errors name the field, so the
 * API can answer 400 with them as they are.
 */
import {
  FIRMWARE_LIMITS,
  FIRMWARE_URL_SCHEMES,
  parseVersionMatch,
  type FirmwareVersionMatch,
} from '@chargewatch/model';

export interface NewFirmwareRelease {
  vendor: string;
  model: string;
  version: string;
  location: string;
  /** sha256 of the image, lower-case hex. */
  checksum?: string;
  signingCertificate?: string;
  signature?: string;
  releaseNotes?: string;
  minPriorVersion?: string;
  versionMatch: FirmwareVersionMatch;
}

// Bounded input and single character classes: no backtracking to speak of.
const HEX64 = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Control characters and white space never belong in a URL, a vendor name or a version sent to a station.
const CONTROL = /[\u0000-\u001f\u007f]/;

type Check = (value: unknown, field: string) => string | undefined;

const text =
  (max: number, opts: { trim?: boolean } = {}): Check =>
  (v, field) => {
    if (typeof v !== 'string') return `${field} must be a string`;
    if (v.length === 0) return `${field} must not be empty`;
    if (v.length > max) return `${field} must be at most ${max} characters (it is ${v.length})`;
    if (opts.trim !== false && v.trim() !== v) return `${field} must not begin or end with white space`;
    if (CONTROL.test(v) && opts.trim !== false) return `${field} must not hold control characters`;
    return undefined;
  };

/** The download URL's problem, or undefined when a station can fetch it. */
export function checkFirmwareLocation(v: unknown): string | undefined {
  const base = text(FIRMWARE_LIMITS.location)(v, 'location');
  if (base) return base;
  const s = v as string;
  if (/\s/.test(s)) return 'location must not hold white space';
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return 'location must be an absolute URL';
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!(FIRMWARE_URL_SCHEMES as readonly string[]).includes(scheme)) return `location must be a ${FIRMWARE_URL_SCHEMES.join(', ')} URL (not ${scheme})`;
  if (!url.hostname) return 'location must name a host';
  return undefined;
}

function checkCertificate(v: unknown): string | undefined {
  const base = text(FIRMWARE_LIMITS.signingCertificate, { trim: false })(v, 'signingCertificate');
  if (base) return base;
  const s = v as string;
  if (!s.includes('-----BEGIN CERTIFICATE-----') || !s.includes('-----END CERTIFICATE-----')) return 'signingCertificate must be a PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  return undefined;
}

function checkSignature(v: unknown): string | undefined {
  const base = text(FIRMWARE_LIMITS.signature)(v, 'signature');
  if (base) return base;
  const s = v as string;
  if (!BASE64.test(s) || s.length % 4 !== 0) return 'signature must be base64';
  return undefined;
}

const KNOWN = new Set(['vendor', 'model', 'version', 'location', 'checksum', 'signingCertificate', 'signature', 'releaseNotes', 'minPriorVersion', 'versionMatch']);

/** A release from untrusted input, or every problem it has. */
export function validateFirmwareRelease(input: unknown): { ok: true; release: NewFirmwareRelease } | { ok: false; errors: string[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: ['a release must be an object'] };
  const b = input as Record<string, unknown>;
  const errors: string[] = [];
  for (const k of Object.keys(b)) if (!KNOWN.has(k)) errors.push(`unknown field ${k}`);
  const req = (field: string, check: Check) => {
    const e = b[field] === undefined ? `${field} is required` : check(b[field], field);
    if (e) errors.push(e);
  };
  const opt = (field: string, check: Check) => {
    if (b[field] === undefined || b[field] === null) return;
    const e = check(b[field], field);
    if (e) errors.push(e);
  };
  req('vendor', text(FIRMWARE_LIMITS.vendor));
  req('model', text(FIRMWARE_LIMITS.model));
  req('version', text(FIRMWARE_LIMITS.version));
  req('location', (v) => checkFirmwareLocation(v));
  opt('checksum', (v) => (typeof v === 'string' && HEX64.test(v) ? undefined : 'checksum must be a sha256 as 64 hex digits'));
  opt('signingCertificate', (v) => checkCertificate(v));
  opt('signature', (v) => checkSignature(v));
  opt('releaseNotes', text(FIRMWARE_LIMITS.releaseNotes, { trim: false }));
  opt('minPriorVersion', text(FIRMWARE_LIMITS.version));
  const hasCert = b.signingCertificate !== undefined && b.signingCertificate !== null;
  const hasSig = b.signature !== undefined && b.signature !== null;
  if (hasCert !== hasSig) errors.push('signingCertificate and signature go together: give both or neither');
  const match = parseVersionMatch(b.versionMatch);
  if (!match.ok) errors.push(match.error);
  if (errors.length || !match.ok) return { ok: false, errors };
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
  const release: NewFirmwareRelease = {
    vendor: b.vendor as string,
    model: b.model as string,
    version: b.version as string,
    location: b.location as string,
    versionMatch: match.match,
  };
  const checksum = str('checksum');
  if (checksum) release.checksum = checksum.toLowerCase();
  for (const k of ['signingCertificate', 'signature', 'releaseNotes', 'minPriorVersion'] as const) {
    const v = str(k);
    if (v !== undefined) release[k] = v;
  }
  return { ok: true, release };
}
