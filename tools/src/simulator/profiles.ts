/**
 * Hardware profiles for simulated stations. Vendors and models are fictional; their characteristics
 * (power, phases, meter units, firmware naming) mimic what real fleets report.
 */
import { Rng } from './random';

export type OcppVersion = 'ocpp1.6' | 'ocpp2.0.1';

export interface StationProfile {
  vendor: string;
  model: string;
  kind: 'AC' | 'DC';
  /** Rated power per connector, kW. */
  maxPowerKw: number;
  /** AC phases (DC reports 0). */
  phases: 0 | 1 | 3;
  /** Firmware versions seen in the field, oldest first; the last one is the current release. */
  firmwareVersions: readonly string[];
  serialPrefix: string;
  meterType: string;
  /** Unit in which this model reports its energy register (exercises unit normalisation). */
  energyUnit: 'Wh' | 'kWh';
  connectorType: string;
  /** Vendor error codes this model emits alongside OCPP error codes. */
  vendorErrors: Readonly<Record<string, string>>;
  /**
   * Runs the OCPP 1.6 Security Whitepaper extensions when it speaks 1.6: reports security events
   * (SecurityEventNotification) and asks for a signed certificate (SignCertificate).
   */
  securityWhitepaper16?: boolean;
}

export const PROFILES: readonly StationProfile[] = [
  {
    vendor: 'Voltaro',
    model: 'VW-22 Wallbox',
    kind: 'AC',
    maxPowerKw: 22,
    phases: 3,
    firmwareVersions: ['3.4.1', '3.5.0', '3.6.2'],
    serialPrefix: 'VT22',
    meterType: 'Voltaro EM3',
    energyUnit: 'Wh',
    connectorType: 'cType2',
    vendorErrors: {
      GroundFailure: 'VT-RCD-30',
      OverCurrentFailure: 'VT-OC-12',
      ConnectorLockFailure: 'VT-LCK-03',
      EVCommunicationError: 'VT-CP-07',
      HighTemperature: 'VT-TMP-41',
    },
  },
  {
    vendor: 'GridBee',
    model: 'HomePro 7',
    kind: 'AC',
    maxPowerKw: 7.4,
    phases: 1,
    firmwareVersions: ['1.9.8', '2.0.3', '2.1.0'],
    serialPrefix: 'GB7',
    meterType: 'GB-M1 single phase',
    energyUnit: 'kWh',
    connectorType: 'cType2',
    vendorErrors: {
      GroundFailure: 'E21',
      OverCurrentFailure: 'E14',
      ConnectorLockFailure: 'E33',
      EVCommunicationError: 'E40',
      HighTemperature: 'E52',
    },
  },
  {
    vendor: 'Amperon',
    model: 'HyperDC 150',
    kind: 'DC',
    maxPowerKw: 150,
    phases: 0,
    firmwareVersions: ['5.2.0-r14', '5.3.1-r2', '5.4.0-r7'],
    serialPrefix: 'AHD',
    meterType: 'Amperon DCM-500',
    energyUnit: 'Wh',
    connectorType: 'cCCS2',
    securityWhitepaper16: true,
    vendorErrors: {
      GroundFailure: 'ISO_FAULT_0x12',
      OverCurrentFailure: 'PSU_OC_0x31',
      ConnectorLockFailure: 'LOCK_0x05',
      EVCommunicationError: 'PLC_SLAC_TIMEOUT',
      HighTemperature: 'CABLE_OT_0x44',
    },
  },
  {
    vendor: 'Northwatt',
    model: 'NW-DC50 Compact',
    kind: 'DC',
    maxPowerKw: 50,
    phases: 0,
    firmwareVersions: ['2.11', '2.12', '3.0'],
    serialPrefix: 'NW50',
    meterType: 'Northwatt DC meter',
    energyUnit: 'kWh',
    connectorType: 'cCCS2',
    securityWhitepaper16: true,
    vendorErrors: {
      GroundFailure: 'F-101',
      OverCurrentFailure: 'F-204',
      ConnectorLockFailure: 'F-310',
      EVCommunicationError: 'F-412',
      HighTemperature: 'F-520',
    },
  },
];

/** OCPP 1.6 error codes the simulator uses for faults (all valid ChargePointErrorCode values). */
export const FAULT_CODES = [
  'GroundFailure',
  'OverCurrentFailure',
  'ConnectorLockFailure',
  'EVCommunicationError',
  'HighTemperature',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];

export interface StationIdentity {
  stationId: string;
  protocol: OcppVersion;
  profile: StationProfile;
  firmwareVersion: string;
  serialNumber: string;
  meterSerialNumber: string;
  connectors: number;
  /** Seed of this station's own random streams. */
  seed: number;
}

export interface IdentityOptions {
  count: number;
  ocpp201Share: number;
  connectors: number;
  seed: number;
  prefix: string;
}

/** Deterministic list of station identities for a fleet. */
export function buildStationIdentities(opts: IdentityOptions): StationIdentity[] {
  const rng = new Rng(opts.seed >>> 0).fork('fleet');
  const n201 = Math.round(Math.max(0, Math.min(1, opts.ocpp201Share)) * opts.count);
  const order = rng.shuffle(Array.from({ length: opts.count }, (_, i) => i));
  const is201 = new Set(order.slice(0, n201));
  const width = Math.max(4, String(opts.count).length);
  const out: StationIdentity[] = [];
  for (let i = 0; i < opts.count; i++) {
    const profile = rng.pick(PROFILES);
    // Most of the fleet runs an older release, so firmware updates have something to do.
    const fwChoices = profile.firmwareVersions.slice(0, Math.max(1, profile.firmwareVersions.length - 1));
    out.push({
      stationId: `${opts.prefix}${String(i + 1).padStart(width, '0')}`,
      protocol: is201.has(i) ? 'ocpp2.0.1' : 'ocpp1.6',
      profile,
      firmwareVersion: rng.pick(fwChoices),
      serialNumber: `${profile.serialPrefix}${rng.digits(8)}`,
      meterSerialNumber: `M${rng.digits(10)}`,
      connectors: Math.max(1, opts.connectors),
      seed: rng.int(1, 0x7fffffff),
    });
  }
  return out;
}

/** A version-looking token: digits, dots, more digits, optionally a `-suffix` (3.6.2, 2.11, 5.4.0-r7, 1.5.2.0). */
const VERSION_TOKEN = /\d+\.\d+(?:\.\d+)*(?:-[A-Za-z0-9]+)?/;
const FILE_EXTENSIONS = /(\.(bin|tar|gz|tgz|zip|img|swu|fw|hex|pkg))+$/i;

/**
 * The version a station runs after installing the image at `location`. The convention, so the real
 * system can point stations at a catalogue release URL and see that version at their next boot:
 * 1. a `version` query parameter, percent-decoded (a `+` stays a `+`, as in 1.0+b7):
 *    `https://fw.example.com/img.bin?version=3.6.2`;
 * 2. else the first version-looking token of the last path segment, file extensions stripped
 *    (`…/vw22-3.6.2.bin` → 3.6.2), then of the earlier path segments from the end
 *    (`…/releases/3.6.2/image.bin` → 3.6.2); the host name never counts;
 * 3. else the profile's next release after `current`, or `current` with its last number bumped.
 * At most 50 characters (BootNotification's firmwareVersion).
 */
export function firmwareFromLocation(profile: StationProfile, current: string, location: string): string {
  const fromUrl = versionInLocation(location);
  if (fromUrl) return fromUrl.slice(0, 50);
  const idx = profile.firmwareVersions.indexOf(current);
  if (idx >= 0 && idx < profile.firmwareVersions.length - 1) return profile.firmwareVersions[idx + 1];
  const parts = current.split('.');
  const last = Number.parseInt(parts[parts.length - 1], 10);
  if (Number.isFinite(last)) {
    parts[parts.length - 1] = String(last + 1);
    return parts.join('.');
  }
  return `${current}.1`;
}

function versionInLocation(location: string): string | undefined {
  const query = /[?&]version=([^&#]*)/.exec(location);
  if (query) {
    let v = query[1];
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep it as written */
    }
    if (v.trim()) return v.trim();
  }
  // The path: drop scheme and authority (ftp://user@host:21/…), query and fragment.
  const path = location.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '').split(/[?#]/)[0];
  const segments = path.split('/').filter(Boolean);
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = i === segments.length - 1 ? segments[i].replace(FILE_EXTENSIONS, '') : segments[i];
    const m = VERSION_TOKEN.exec(seg);
    if (m) return m[0];
  }
  return undefined;
}

/** A pool of RFID-like id tags (14 hex chars: 7-byte ISO 14443 UIDs). */
export function buildIdTags(seed: number, n = 64): string[] {
  const rng = new Rng(seed >>> 0).fork('idtags');
  return Array.from({ length: n }, () => `04${rng.hex(12)}`);
}
