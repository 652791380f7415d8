/**
 * Misuse detection settings of the worker: the thresholds of every rule (model misuse.ts, defaults
 * there), which rules run, which of them block the token, the token hash secret and the metrics
 * interval. Part of the worker's SETTINGS, so the README's worker table lists them.
 */
import {
  DEFAULT_MISUSE_THRESHOLDS as D,
  DEFAULT_WATCHED_SECURITY_EVENTS,
  MISUSE_RULES,
  isMisuseRule,
  type MisuseRule,
  type MisuseThresholds,
} from '@chargewatch/model';

export interface MisuseSettings {
  thresholds: MisuseThresholds;
  /** Rules whose new incidents ask the token registry to block the token. */
  blockOn: ReadonlySet<MisuseRule>;
  hashSecret: string;
  metricsIntervalSec: number;
}

const S = (env: string, def: string | number, meaning: string) => ({ env, default: String(def), meaning });

export const MISUSE_SETTINGS = [
  S('MISUSE_RULES', 'all', `Misuse rules the worker's \`misuse\` journal consumer runs: \`all\`, \`none\`, or a comma list of ${MISUSE_RULES.join(', ')} (needs DATABASE_URL)`),
  S('MISUSE_UNKNOWN_BURST_COUNT', D.unknownBurst.count, 'unknown_token_burst: this many different tokens refused as unknown (Invalid/Unknown) at one station…'),
  S('MISUSE_UNKNOWN_BURST_WINDOW_SEC', D.unknownBurst.windowSec, '…within this many seconds'),
  S('MISUSE_BLOCKED_RETRY_COUNT', D.blockedRetry.count, 'blocked_token_retry: one token refused Blocked or Expired this many times…'),
  S('MISUSE_BLOCKED_RETRY_WINDOW_SEC', D.blockedRetry.windowSec, '…within this many seconds'),
  S('MISUSE_PIN_FAILURES', D.pinGuessing.count, 'pin_guessing: this many refused KeyCode (PIN) tokens at one station…'),
  S('MISUSE_PIN_WINDOW_SEC', D.pinGuessing.windowSec, '…within this many seconds'),
  S('MISUSE_PIN_LOCKOUT_SEC', D.pinGuessing.lockoutSec, 'After PIN guessing, every KeyCode at that station is answered Invalid for this long (0 = no lockout)'),
  S('MISUSE_CONCURRENT_STALE_SEC', D.concurrentSessions.staleSec, 'concurrent_sessions: a session of the token open longer than this (its end was lost) is not counted'),
  S('MISUSE_TRAVEL_MAX_KMH', D.impossibleTravel.maxSpeedKmh, 'impossible_travel: uses of one token at two stations implying more than this speed (station metadata latitude/longitude)…'),
  S('MISUSE_TRAVEL_MIN_KM', D.impossibleTravel.minDistanceKm, '…when at least this far apart (closer stations are one site)…'),
  S('MISUSE_TRAVEL_WINDOW_SEC', D.impossibleTravel.windowSec, '…and at most this many seconds apart'),
  S('MISUSE_IDLE_GRACE_SEC', D.idleBay.graceSec, 'idle_bay: a car still on the bay this long after charging ended (1.6 SuspendedEV/Finishing; 2.0.1 EVConnected/SuspendedEV, or an end)'),
  S('MISUSE_SECURITY_EVENTS', DEFAULT_WATCHED_SECURITY_EVENTS.join(','), 'security_event: station security event types that make an incident (comma list)'),
  S('MISUSE_MERGE_SEC', D.mergeSec, 'Findings of one rule about one subject (station, token, bay) less than this after the last are one incident'),
  S('MISUSE_BLOCK_TOKEN_RULES', '', 'Rules whose new incidents block the token in the token registry (comma list; audited; `unavailable` until a registry is wired in). Empty: none'),
  S('MISUSE_TOKEN_HASH_SECRET', '', 'Secret of the keyed hash that correlates incidents and charging sessions of one token; empty: plain SHA-256, which short card UIDs do not protect'),
  S('WORKER_MISUSE_METRICS_INTERVAL_SEC', 60, 'How often the open-incidents gauge is read from PostgreSQL'),
];

const defaults = Object.fromEntries(MISUSE_SETTINGS.map((s) => [s.env, s.default]));

function rules(raw: string, name: string, fail: (m: string) => Error): Set<MisuseRule> {
  if (raw === 'all') return new Set(MISUSE_RULES);
  if (raw === 'none' || raw === '') return new Set();
  const out = new Set<MisuseRule>();
  for (const r of raw.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!isMisuseRule(r)) throw fail(`${name} names an unknown rule "${r}" (rules: ${MISUSE_RULES.join(', ')})`);
    out.add(r);
  }
  return out;
}

export function readMisuseSettings(env: NodeJS.ProcessEnv, fail: (message: string) => Error): MisuseSettings {
  const str = (name: string) => (env[name]?.trim() || defaults[name]) ?? '';
  const int = (name: string, min: number, max: number) => {
    const raw = str(name);
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) throw fail(`${name} must be an integer >= ${min} and <= ${max}, got "${raw}"`);
    return n;
  };
  const week = 7 * 86_400;
  return {
    thresholds: {
      enabled: rules(str('MISUSE_RULES'), 'MISUSE_RULES', fail),
      unknownBurst: { count: int('MISUSE_UNKNOWN_BURST_COUNT', 2, 10_000), windowSec: int('MISUSE_UNKNOWN_BURST_WINDOW_SEC', 1, week) },
      blockedRetry: { count: int('MISUSE_BLOCKED_RETRY_COUNT', 1, 10_000), windowSec: int('MISUSE_BLOCKED_RETRY_WINDOW_SEC', 1, week) },
      pinGuessing: { count: int('MISUSE_PIN_FAILURES', 2, 10_000), windowSec: int('MISUSE_PIN_WINDOW_SEC', 1, week), lockoutSec: int('MISUSE_PIN_LOCKOUT_SEC', 0, week) },
      concurrentSessions: { staleSec: int('MISUSE_CONCURRENT_STALE_SEC', 60, 30 * 86_400) },
      impossibleTravel: { maxSpeedKmh: int('MISUSE_TRAVEL_MAX_KMH', 1, 100_000), minDistanceKm: int('MISUSE_TRAVEL_MIN_KM', 0, 20_000), windowSec: int('MISUSE_TRAVEL_WINDOW_SEC', 60, week) },
      idleBay: { graceSec: int('MISUSE_IDLE_GRACE_SEC', 60, week) },
      securityEvents: new Set(str('MISUSE_SECURITY_EVENTS').split(',').map((x) => x.trim()).filter(Boolean)),
      mergeSec: int('MISUSE_MERGE_SEC', 1, 30 * 86_400),
    },
    blockOn: rules(env.MISUSE_BLOCK_TOKEN_RULES?.trim() ?? '', 'MISUSE_BLOCK_TOKEN_RULES', fail),
    hashSecret: env.MISUSE_TOKEN_HASH_SECRET ?? '',
    metricsIntervalSec: int('WORKER_MISUSE_METRICS_INTERVAL_SEC', 1, 86_400),
  };
}
