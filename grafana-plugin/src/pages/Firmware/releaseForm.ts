/**
 * The "Add release" form: its fields as typed, the checks the collector makes (the firmware_releases
 * limits of platform/migrations/0003_firmware.sql and the version-match rule of model/src/firmware.ts),
 * run before anything is sent, and the request body built from a valid form.
 */
import { parseVersionMatch, VERSION_SEPARATOR_MAX } from '@chargewatch/model/firmware';
import type { NewFirmwareRelease } from '../../api/firmwareTypes';

/** Lengths as OCPP and the catalogue allow them (vendor and model as in BootNotification). */
export const RELEASE_LIMITS = {
  vendor: 20,
  model: 20,
  version: 50,
  location: 512,
  signingCertificate: 5500,
  signature: 800,
  releaseNotes: 10_000,
  minPriorVersion: 50,
} as const;

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

const URL_SCHEMES = ['http:', 'https:', 'ftp:', 'ftps:', 'sftp:'];

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
  if (!e.location) {
    try {
      const url = new URL(f.location.trim());
      if (!URL_SCHEMES.includes(url.protocol)) {
        e.location = `The station downloads it: ${URL_SCHEMES.map((s) => s.slice(0, -1)).join(', ')} URLs only`;
      }
    } catch {
      e.location = 'Not a URL';
    }
  }
  if (f.checksum.trim() && !/^[0-9a-f]{64}$/.test(f.checksum.trim())) {
    e.checksum = 'SHA-256 as 64 lowercase hex digits';
  }
  e.minPriorVersion = tooLong(f.minPriorVersion.trim(), RELEASE_LIMITS.minPriorVersion);
  e.releaseNotes = tooLong(f.releaseNotes, RELEASE_LIMITS.releaseNotes);
  e.signingCertificate = tooLong(f.signingCertificate.trim(), RELEASE_LIMITS.signingCertificate);
  e.signature = tooLong(f.signature.trim(), RELEASE_LIMITS.signature);
  if (!e.signingCertificate && !e.signature && !f.signingCertificate.trim() !== !f.signature.trim()) {
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
    checksum: opt(f.checksum),
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
