/**
 * The "Add release" form: its fields as typed, the checks the collector makes (the model's
 * FIRMWARE_LIMITS and URL schemes, and platform/src/firmware/firmware-validation.ts's rules for the
 * checksum, certificate, signature and version match), run before anything is sent, and the request
 * body built from a valid form.
 */
import {
  FIRMWARE_LIMITS,
  FIRMWARE_URL_SCHEMES,
  parseVersionMatch,
  VERSION_SEPARATOR_MAX,
} from '@chargewatch/model/firmware';
import type { NewFirmwareRelease } from '../../api/firmwareTypes';

/** Lengths as OCPP and the catalogue allow them (vendor and model as in BootNotification). */
export const RELEASE_LIMITS = { ...FIRMWARE_LIMITS, minPriorVersion: FIRMWARE_LIMITS.version } as const;

export interface ReleaseFormState {
  vendor: string;
  model: string;
  version: string;
  location: string;
  checksum: string;
  matchMode: 'exact' | 'prefix' | 'before';
  separator: string;
  minPriorVersion: string;
  releaseNotes: string;
  signingCertificate: string;
  signature: string;
}

export const EMPTY_RELEASE: ReleaseFormState = {
  vendor: '',
  model: '',
  version: '',
  location: '',
  checksum: '',
  matchMode: 'exact',
  separator: '',
  minPriorVersion: '',
  releaseNotes: '',
  signingCertificate: '',
  signature: '',
};

export type ReleaseErrors = Partial<Record<keyof ReleaseFormState, string>>;

const CONTROL = /[\u0000-\u001f\u007f]/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function locationProblem(text: string): string | undefined {
  if (/\s/.test(text)) {
    return 'No white space in a URL';
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'Not an absolute URL';
  }
  if (!(FIRMWARE_URL_SCHEMES as readonly string[]).includes(url.protocol.replace(/:$/, ''))) {
    return `The station downloads it: ${FIRMWARE_URL_SCHEMES.join(', ')} URLs only`;
  }
  return url.hostname ? undefined : 'The URL must name a host';
}

function tooLong(value: string, max: number): string | undefined {
  return value.length > max ? `At most ${max} characters (${value.length} now)` : undefined;
}

/** The form's problems by field; empty when it can be sent. */
export function validateRelease(f: ReleaseFormState): ReleaseErrors {
  const e: ReleaseErrors = {};
  const required = (key: 'vendor' | 'model' | 'version' | 'location') => {
    const value = f[key].trim();
    e[key] = value === '' ? 'Required' : tooLong(value, RELEASE_LIMITS[key]);
  };
  required('vendor');
  required('model');
  required('version');
  required('location');
  for (const key of ['vendor', 'model', 'version', 'location', 'minPriorVersion'] as const) {
    if (!e[key] && CONTROL.test(f[key])) {
      e[key] = 'No control characters';
    }
  }
  if (!e.location) {
    e.location = locationProblem(f.location.trim());
  }
  if (f.checksum.trim() && !/^[0-9a-fA-F]{64}$/.test(f.checksum.trim())) {
    e.checksum = 'SHA-256 as 64 hex digits';
  }
  e.minPriorVersion = tooLong(f.minPriorVersion.trim(), RELEASE_LIMITS.minPriorVersion);
  e.releaseNotes = tooLong(f.releaseNotes, RELEASE_LIMITS.releaseNotes);
  e.signingCertificate = tooLong(f.signingCertificate.trim(), RELEASE_LIMITS.signingCertificate);
  e.signature = tooLong(f.signature.trim(), RELEASE_LIMITS.signature);
  const cert = f.signingCertificate.trim();
  if (
    !e.signingCertificate &&
    cert &&
    !(cert.includes('-----BEGIN CERTIFICATE-----') && cert.includes('-----END CERTIFICATE-----'))
  ) {
    e.signingCertificate = 'A PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)';
  }
  const sig = f.signature.trim();
  if (!e.signature && sig && (!BASE64.test(sig) || sig.length % 4 !== 0)) {
    e.signature = 'base64';
  }
  if (!e.signingCertificate && !e.signature && !cert !== !sig) {
    e[f.signature.trim() ? 'signingCertificate' : 'signature'] =
      'A signed release needs both the certificate and the signature';
  }
  if (f.matchMode === 'before') {
    const parsed = parseVersionMatch({ mode: 'before', separator: f.separator });
    if (!parsed.ok) {
      e.separator = `1 to ${VERSION_SEPARATOR_MAX} characters, no surrounding spaces`;
    }
  }
  for (const key of Object.keys(e) as Array<keyof ReleaseFormState>) {
    if (!e[key]) {
      delete e[key];
    }
  }
  return e;
}

/** The `POST /firmware/releases` body of a valid form (empty optional fields left out). */
export function releaseBody(f: ReleaseFormState): NewFirmwareRelease {
  const opt = (value: string) => (value.trim() ? value.trim() : undefined);
  const body: NewFirmwareRelease = {
    vendor: f.vendor.trim(),
    model: f.model.trim(),
    version: f.version.trim(),
    location: f.location.trim(),
    versionMatch: f.matchMode === 'before' ? { mode: 'before', separator: f.separator } : { mode: f.matchMode },
  };
  const optional = {
    checksum: opt(f.checksum)?.toLowerCase(),
    minPriorVersion: opt(f.minPriorVersion),
    releaseNotes: opt(f.releaseNotes),
    signingCertificate: opt(f.signingCertificate),
    signature: opt(f.signature),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) {
      (body as unknown as Record<string, string>)[key] = value;
    }
  }
  return body;
}
