/**
 * Misuse detection: the vocabulary (rule ids, severities, incident statuses) and the thresholds of each
 * rule with their defaults. The evaluators are in misuse-rules.ts; the journal consumer that keeps their
 * sliding state in Redis and stores incidents in PostgreSQL is platform/src/misuse.
 *
 * An incident never names a raw token id: `maskTokenId` (the last four characters) is what is shown,
 * and a keyed hash of the normalised id is what correlates findings of the same token.
 */
import type { MaintenanceWindow } from './firmware-campaign';

export const MISUSE_RULES = [
  /** Many different tokens refused as unknown (Invalid/Unknown) at one station. */
  'unknown_token_burst',
  /** The same token refused as Blocked or Expired again and again. */
  'blocked_token_retry',
  /** KeyCode (PIN) tokens refused at one station again and again; KeyCodes are then refused there a while. */
  'pin_guessing',
  /** One token in two open sessions at once. */
  'concurrent_sessions',
  /** One token at two stations too far apart for the time between (a cloned card). */
  'impossible_travel',
  /** A token used outside the hours it is allowed. */
  'outside_allowed_hours',
  /** A car left on a bay long after charging ended. */
  'idle_bay',
  /** A station reported a LocalListConflict (its local list disagrees with a decision). */
  'local_list_conflict',
  /** A station reported one of the watched security events (tamper, replay attacks, …). */
  'security_event',
] as const;
export type MisuseRule = (typeof MISUSE_RULES)[number];

export const MISUSE_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type MisuseSeverity = (typeof MISUSE_SEVERITIES)[number];

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const isMisuseRule = (s: string): s is MisuseRule => (MISUSE_RULES as readonly string[]).includes(s);
export const isMisuseSeverity = (s: string): s is MisuseSeverity => (MISUSE_SEVERITIES as readonly string[]).includes(s);

/** The severity of each rule's incidents (security events: by type, see securityEventSeverity). */
export const RULE_SEVERITY: Record<MisuseRule, MisuseSeverity> = {
  unknown_token_burst: 'warning',
  blocked_token_retry: 'warning',
  pin_guessing: 'critical',
  concurrent_sessions: 'critical',
  impossible_travel: 'critical',
  outside_allowed_hours: 'warning',
  idle_bay: 'info',
  local_list_conflict: 'warning',
  security_event: 'warning',
};

/** Security events that mean someone is at the station or the link: critical; the other watched ones warn. */
const CRITICAL_SECURITY_EVENTS: ReadonlySet<string> = new Set(['TamperDetectionActivated', 'AttemptedReplayAttacks', 'SecurityLogWasCleared', 'InvalidFirmwareSignature']);

export function securityEventSeverity(eventType: string): MisuseSeverity {
  return CRITICAL_SECURITY_EVENTS.has(eventType) ? 'critical' : 'warning';
}

export const severityRank = (s: MisuseSeverity): number => MISUSE_SEVERITIES.indexOf(s);

/** The thresholds of every rule. Windows are seconds and end at the event being judged. */
export interface MisuseThresholds {
  /** Rules that run; the others ignore every event. */
  enabled: ReadonlySet<MisuseRule>;
  /** Distinct unknown tokens at one station within windowSec. */
  unknownBurst: { count: number; windowSec: number };
  /** Refusals of one token as Blocked/Expired within windowSec. */
  blockedRetry: { count: number; windowSec: number };
  /** Refused KeyCodes at one station within windowSec; then every KeyCode is refused there for lockoutSec. */
  pinGuessing: { count: number; windowSec: number; lockoutSec: number };
  /** An open session older than staleSec (its end was lost) does not count as concurrent. */
  concurrentSessions: { staleSec: number };
  /** Above maxSpeedKmh between two uses at stations at least minDistanceKm apart, within windowSec. */
  impossibleTravel: { maxSpeedKmh: number; minDistanceKm: number; windowSec: number };
  /** A connector that stopped charging and still holds the car graceSec later. */
  idleBay: { graceSec: number };
  /** Security event types that make an incident. */
  securityEvents: ReadonlySet<string>;
  /** Findings of one rule and subject less than mergeSec after the last are one incident. */
  mergeSec: number;
}

/** The security events operators watch (docs: SPEC-NOTES §5). */
export const DEFAULT_WATCHED_SECURITY_EVENTS = [
  'TamperDetectionActivated',
  'InvalidMessages',
  'AttemptedReplayAttacks',
  'SettingSystemTime',
  'SecurityLogWasCleared',
  'FailedToAuthenticateAtCentralSystem',
  'FailedToAuthenticateAtCsms',
  'InvalidFirmwareSignature',
] as const;

export const DEFAULT_MISUSE_THRESHOLDS: MisuseThresholds = {
  enabled: new Set(MISUSE_RULES),
  unknownBurst: { count: 5, windowSec: 300 },
  blockedRetry: { count: 3, windowSec: 600 },
  // Typical keypad lockout: 60 s after 5 wrong PINs.
  pinGuessing: { count: 5, windowSec: 300, lockoutSec: 60 },
  concurrentSessions: { staleSec: 86_400 },
  impossibleTravel: { maxSpeedKmh: 250, minDistanceKm: 5, windowSec: 86_400 },
  idleBay: { graceSec: 1800 },
  securityEvents: new Set(DEFAULT_WATCHED_SECURITY_EVENTS),
  mergeSec: 3600,
};

/** Weekly windows in the site's time zone in which a token may be used (token registry data). */
export interface AllowedHours {
  windows: MaintenanceWindow[];
}

/** What a finding says about the token involved: never the raw id. */
export interface MaskedToken {
  masked: string;
  type: string;
  /** Keyed hash of the normalised id (platform tokenHash): the same card gives the same hash. */
  hash: string;
}

/**
 * The subject an incident is about: findings of one rule and subject within mergeSec are one incident.
 * Built from escaped parts so two subjects never collide.
 */
export function incidentSubject(rule: MisuseRule, parts: { stationId?: string; tokenHash?: string; connector?: string; other?: string }): string {
  const enc = (s: string | undefined) => (s === undefined ? '' : encodeURIComponent(s));
  return [rule, enc(parts.stationId), enc(parts.tokenHash), enc(parts.connector), enc(parts.other)].join('|');
}

/** The incident's deterministic identity: its subject and the journal event that opened it. */
export function incidentDedupeKey(subject: string, firstEventKey: string): string {
  return `${subject}#${firstEventKey}`;
}
