/**
 * A seeded population of drivers and their tokens, for the demo and the misuse tests: valid cards,
 * blocked and expired ones, cards the registry never heard of, PIN (KeyCode) users who mistype before
 * the right PIN, and cloned cards — one ISO 14443 UID used at two stations of different sites in
 * overlapping sessions (fleet.ts runs those). Only used when a fleet or station is given `drivers`;
 * without it the simulator draws from its plain id-tag pool as before.
 *
 * The simulator is the station side: what a token gets is the collector's decision. `decide` answers
 * as a token registry holding this population would, so tests (and a demo authorizer) can give the
 * collector one, and the population's blocked, expired, unknown and mistyped tokens are then refused.
 */
import { Rng } from './random';

export const DRIVER_KINDS = ['valid', 'blocked', 'expired', 'unknown', 'pin'] as const;
export type DriverKind = (typeof DRIVER_KINDS)[number];

/** Shares of each kind (any non-negative numbers; normalised). */
export type DriverMix = Record<DriverKind, number>;

export const DEFAULT_DRIVER_MIX: DriverMix = { valid: 70, blocked: 5, expired: 5, unknown: 10, pin: 10 };

export interface DriverToken {
  kind: DriverKind | 'cloned';
  /** ISO 14443 UID (hex, byte 0 first) or the right PIN. */
  id: string;
  type: 'ISO14443' | 'KeyCode';
  /** Wrong PINs tried, in order, before the right one (PIN drivers only). */
  typos: string[];
}

export interface DriverPopulation {
  readonly drivers: readonly DriverToken[];
  /** UIDs of the cloned cards (valid cards whose copy is in use elsewhere). */
  readonly cloned: readonly string[];
  /** A driver arriving at a connector (cloned cards are not drawn: the fleet runs them). */
  pick(r: Rng): DriverToken;
  /** The decision a registry holding this population gives: Accepted, Blocked, Expired or Invalid. */
  decide(id: string, type?: string): 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
}

export interface DriverPopulationOptions {
  seed?: number;
  /** Drivers in the population. Default 64. */
  size?: number;
  mix?: Partial<DriverMix>;
  /** Cloned cards. Default 0. */
  clonedCards?: number;
}

const uid = (r: Rng) => r.hex(r.chance(0.5) ? 8 : 14).toUpperCase();

/** A PIN with one digit off (or two swapped), never the right one. */
function typo(r: Rng, pin: string): string {
  for (;;) {
    const digits = pin.split('');
    if (r.chance(0.3) && digits.length > 1) {
      const i = r.int(0, digits.length - 2);
      [digits[i], digits[i + 1]] = [digits[i + 1]!, digits[i]!];
    } else digits[r.int(0, digits.length - 1)] = String(r.int(0, 9));
    const out = digits.join('');
    if (out !== pin) return out;
  }
}

export function buildDriverPopulation(o: DriverPopulationOptions = {}): DriverPopulation {
  const r = new Rng(o.seed ?? 1).fork('drivers');
  const mix = { ...DEFAULT_DRIVER_MIX, ...o.mix };
  const total = DRIVER_KINDS.reduce((s, k) => s + Math.max(0, mix[k]), 0);
  if (!(total > 0)) throw new Error('driver mix: at least one kind needs a positive share');
  const size = Math.max(1, o.size ?? 64);
  const drivers: DriverToken[] = [];
  for (let i = 0; i < size; i++) {
    let x = r.float(0, total);
    let kind: DriverKind = 'valid';
    for (const k of DRIVER_KINDS) {
      x -= Math.max(0, mix[k]);
      if (x < 0) {
        kind = k;
        break;
      }
    }
    if (kind === 'pin') {
      const pin = r.digits(r.chance(0.7) ? 4 : 6);
      drivers.push({ kind, id: pin, type: 'KeyCode', typos: Array.from({ length: r.int(1, 3) }, () => typo(r, pin)) });
    } else drivers.push({ kind, id: uid(r), type: 'ISO14443', typos: [] });
  }
  const cloned = Array.from({ length: Math.max(0, o.clonedCards ?? 0) }, () => uid(r));
  const byId = new Map<string, DriverToken>();
  for (const d of drivers) byId.set(`${d.type}:${d.id.toUpperCase()}`, d);
  for (const id of cloned) byId.set(`ISO14443:${id}`, { kind: 'cloned', id, type: 'ISO14443', typos: [] });
  return {
    drivers,
    cloned,
    pick: (rng) => rng.pick(drivers),
    decide(id, type) {
      const d = type === 'KeyCode' ? byId.get(`KeyCode:${id.toUpperCase()}`) : (byId.get(`ISO14443:${id.toUpperCase()}`) ?? byId.get(`KeyCode:${id.toUpperCase()}`));
      if (!d || d.kind === 'unknown') return 'Invalid';
      if (d.kind === 'blocked') return 'Blocked';
      if (d.kind === 'expired') return 'Expired';
      return 'Accepted';
    },
  };
}

/** `valid=60,blocked=10,expired=5,unknown=10,pin=15` → a mix; kinds not named get 0. */
export function parseDriverMix(spec: string): DriverMix {
  const mix: DriverMix = { valid: 0, blocked: 0, expired: 0, unknown: 0, pin: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!(DRIVER_KINDS as readonly string[]).includes(k ?? '') || v === undefined || !/^\d+(\.\d+)?$/.test(v)) {
      throw new Error(`driver mix: "${part}" is not kind=share with kind one of ${DRIVER_KINDS.join(', ')}`);
    }
    mix[k as DriverKind] = Number(v);
  }
  if (DRIVER_KINDS.every((k) => mix[k] === 0)) throw new Error('driver mix: at least one kind needs a positive share');
  return mix;
}
