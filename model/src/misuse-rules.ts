/**
 * The misuse rules as pure functions over a per-key sliding state. The consumer (platform/src/misuse)
 * keeps the state in Redis — windows as sorted sets of `<subject>/<event key>` members scored by event
 * time, so adding the same event twice changes nothing and the order events arrive in does not matter —
 * and asks these functions whether the event in hand makes a finding.
 *
 * Every window ends at the judged event's own time: a replay judges an event as it was judged first.
 */
import type { MaintenanceWindow } from './firmware-campaign';
import { inMaintenanceWindow } from './firmware-campaign';
import type { AuthorizationRequested, ChargeEvent, ConnectorRef, IdToken } from './events';
import type { MisuseThresholds } from './misuse';
import { maskIdToken } from './access';

// ---------------------------------------------------------------- authorizations

export type AuthorizationClass = 'accepted' | 'unknown' | 'blocked' | 'keycode_refused' | 'other_refusal';

/**
 * What an answered Authorize says for the rules: a refused KeyCode is a wrong PIN whatever the status;
 * Blocked/Expired a known but barred token; Invalid/Unknown (1.6 answers Invalid for unknown ids) an
 * unknown one.
 */
export function classifyAuthorization(e: Pick<AuthorizationRequested, 'idToken' | 'result'>): AuthorizationClass {
  if (e.result === 'Accepted') return 'accepted';
  if (e.idToken.type === 'KeyCode') return 'keycode_refused';
  if (e.result === 'Blocked' || e.result === 'Expired') return 'blocked';
  if (e.result === 'Invalid' || e.result === 'Unknown') return 'unknown';
  return 'other_refusal';
}

/** The id the rules compare: 1.6 sends no type and UIDs come in either case, so only the upper-cased id. */
export function normalizedTokenId(token: IdToken): string {
  return token.id.toUpperCase();
}

// ---------------------------------------------------------------- sliding windows

export interface WindowEntry {
  /** `<subject>/<event key>`: the subject counted (a token hash, a station) and the event that added it. */
  member: string;
  at: number;
}

export const windowMember = (subject: string, eventKey: string): string => `${subject}/${eventKey}`;
export const memberSubject = (member: string): string => {
  const slash = member.indexOf('/');
  return slash < 0 ? member : member.slice(0, slash);
};

export interface WindowVerdict {
  fired: boolean;
  /** What the window holds at the event (distinct subjects when asked). */
  count: number;
  /** The members counted, oldest first (the evidence). */
  members: string[];
}

/**
 * Does the window (windowSec ending at `at`, inclusive) hold at least `count` entries — or, with
 * `distinct`, entries of at least `count` different subjects?
 */
export function windowFires(entries: readonly WindowEntry[], at: number, rule: { count: number; windowSec: number }, distinct = false): WindowVerdict {
  const from = at - rule.windowSec * 1000;
  const inside = entries.filter((e) => e.at > from && e.at <= at).sort((a, b) => a.at - b.at || (a.member < b.member ? -1 : 1));
  let members = inside.map((e) => e.member);
  if (distinct) {
    const seen = new Map<string, string>();
    for (const m of members) seen.set(memberSubject(m), m);
    members = [...seen.values()];
  }
  return { fired: members.length >= rule.count, count: members.length, members };
}

// ---------------------------------------------------------------- impossible travel

export interface TokenUse {
  stationId: string;
  at: number;
  latitude?: number;
  longitude?: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

const located = (u: TokenUse): u is TokenUse & { latitude: number; longitude: number } =>
  typeof u.latitude === 'number' && typeof u.longitude === 'number' && Number.isFinite(u.latitude) && Number.isFinite(u.longitude);

export interface TravelFinding {
  other: TokenUse;
  distanceKm: number;
  /** Infinity when both uses have the same time. */
  speedKmh: number;
}

/**
 * The fastest travel `current` implies from another use of the same token within the window, when it
 * is faster than maxSpeedKmh over at least minDistanceKm; uses without coordinates are left out.
 */
export function findImpossibleTravel(current: TokenUse, others: readonly TokenUse[], t: MisuseThresholds['impossibleTravel']): TravelFinding | undefined {
  if (!located(current)) return undefined;
  let worst: TravelFinding | undefined;
  for (const o of others) {
    if (o.stationId === current.stationId || !located(o)) continue;
    const gapMs = Math.abs(current.at - o.at);
    if (gapMs > t.windowSec * 1000) continue;
    const d = distanceKm(current, o);
    if (d < t.minDistanceKm) continue;
    const speed = gapMs === 0 ? Infinity : d / (gapMs / 3_600_000);
    if (speed > t.maxSpeedKmh && (!worst || speed > worst.speedKmh)) worst = { other: o, distanceKm: d, speedKmh: speed };
  }
  return worst;
}

// ---------------------------------------------------------------- concurrent sessions

export interface OpenSession {
  stationId: string;
  transactionId: string;
  startedAt: number;
}

/** The sessions of one token open at `at` (started before it, within staleSec): a finding when two or more. */
export function liveSessions(open: readonly OpenSession[], at: number, t: MisuseThresholds['concurrentSessions']): OpenSession[] {
  return open.filter((s) => s.startedAt <= at && at - s.startedAt <= t.staleSec * 1000);
}

// ---------------------------------------------------------------- allowed hours

/** Outside every allowed window, in the site's time zone? No windows: no restriction. */
export function outsideAllowedHours(windows: readonly MaintenanceWindow[] | undefined, at: number, timeZone: string): boolean {
  if (!windows || windows.length === 0) return false;
  return !inMaintenanceWindow([...windows], timeZone, at);
}

// ---------------------------------------------------------------- idle bays

/** What an event says about a connector's bay: charging, charging over with the car still there, or the car gone. */
export type BaySignal = 'charging' | 'idle' | 'gone';

const IDLE_STATUSES: ReadonlySet<string> = new Set(['SuspendedEV', 'Finishing']);
const IDLE_CHARGING_STATES: ReadonlySet<string> = new Set(['EVConnected', 'SuspendedEV']);

/**
 * 1.6: StatusNotification Charging / SuspendedEV or Finishing / Available. 2.0.1: chargingState Charging
 * / EVConnected or SuspendedEV / Idle (no EV connected), StatusNotification Available, and an end whose
 * reason is EVDisconnected. An end otherwise means charging is over while the car may still be there.
 * SuspendedEVSE is the station's choice, not the driver's, and says nothing.
 */
export function baySignal(e: ChargeEvent): { ref: ConnectorRef; signal: BaySignal } | undefined {
  let signal: BaySignal | undefined;
  let ref: ConnectorRef | undefined;
  if (e.type === 'connector.status') {
    ref = e;
    if (e.status === 'Charging') signal = 'charging';
    else if (IDLE_STATUSES.has(e.status)) signal = 'idle';
    else if (e.status === 'Available') signal = 'gone';
  } else if (e.type === 'transaction.updated' && e.chargingState) {
    ref = e;
    if (e.chargingState === 'Charging') signal = 'charging';
    else if (IDLE_CHARGING_STATES.has(e.chargingState)) signal = 'idle';
    else if (e.chargingState === 'Idle') signal = 'gone';
  } else if (e.type === 'transaction.ended' && !e.resent) {
    ref = e;
    signal = e.stoppedReason === 'EVDisconnected' ? 'gone' : 'idle';
  }
  if (!signal || !ref || ref.evseId === 0) return undefined;
  return { ref: { evseId: ref.evseId, connectorId: ref.connectorId }, signal };
}

export interface BayState {
  /** Charging was seen since the car arrived. */
  charged: boolean;
  /** When charging was first seen over, and the event that said so. */
  idleSince?: number;
  idleKey?: string;
  /** The finding was made for this idle period. */
  reported?: boolean;
}

/** The bay's state after a signal; undefined once the car is gone. */
export function nextBayState(state: BayState | undefined, signal: BaySignal, at: number, eventKey: string): BayState | undefined {
  if (signal === 'gone') return undefined;
  if (signal === 'charging') return { charged: true };
  if (!state?.charged) return state;
  if (state.idleSince !== undefined) return state;
  return { charged: true, idleSince: at, idleKey: eventKey };
}

/** A car still on the bay graceSec after charging ended, not yet reported. */
export function bayOverdue(state: BayState | undefined, at: number, t: MisuseThresholds['idleBay']): boolean {
  return state?.idleSince !== undefined && !state.reported && at - state.idleSince >= t.graceSec * 1000;
}

/** A bay is an EVSE: 2.0.1 transaction events may name only the EVSE, and one car occupies one EVSE. */
export const bayField = (ref: ConnectorRef): string => String(ref.evseId);

// ---------------------------------------------------------------- evidence

const TECH_INFO_MAX = 200;

/** An event as an incident keeps it: its key, the token masked, long station text cut. */
export function evidenceOf(key: string, e: ChargeEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { key, ...e };
  if ('idToken' in e && e.idToken) out.idToken = { type: e.idToken.type, id: maskIdToken(e.idToken) };
  if (e.type === 'transaction.ended' && e.start?.idToken) out.start = { ...e.start, idToken: { type: e.start.idToken.type, id: maskIdToken(e.start.idToken) } };
  if (e.type === 'security.event' && e.techInfo && e.techInfo.length > TECH_INFO_MAX) out.techInfo = `${e.techInfo.slice(0, TECH_INFO_MAX)}…`;
  return out;
}
