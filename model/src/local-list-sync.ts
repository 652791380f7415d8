/**
 * The sync state of a station's local authorization list, as a pure function of what the last attempt
 * saw (platform/src/local-lists runs it, PostgreSQL `local_lists` stores it):
 *
 *   in_sync      the station accepted the list computed at the last sync (or a drift check found its
 *                version equal to the stored one);
 *   pending      a sync is due: requested (token change, boot, operator), or the station was offline or
 *                did not answer; it runs when the station is back or at the schedule;
 *   failed       the station refused (Failed, VersionMismatch on a Full, a CALLERROR): retried with
 *                back-off, always as a Full;
 *   unsupported  the station has no local list (1.6 NotSupported, LocalAuthListEnabled false or unknown,
 *                GetLocalListVersion −1; 2.0.1 LocalAuthListCtrlr unknown or Enabled false): nothing is
 *                sent; its limits are learned again after its next boot.
 *
 * The stored version moves only with an Accepted request. A Differential answered VersionMismatch or
 * Failed (OCPP 1.6 §5.15, 2.0.1 D01) and an uncertain outcome (timeout, interrupted: the station may
 * have applied it) make the next sync a Full.
 */
import type { CommandResult } from './commands';

export const LOCAL_LIST_STATES = ['in_sync', 'pending', 'failed', 'unsupported'] as const;
export type LocalListState = (typeof LOCAL_LIST_STATES)[number];

export function isLocalListState(s: string): s is LocalListState {
  return (LOCAL_LIST_STATES as readonly string[]).includes(s);
}

/** How one SendLocalList / GetLocalListVersion ended, in local-list terms (bounded: a metric label). */
export const LOCAL_LIST_OUTCOMES = ['accepted', 'version_mismatch', 'failed', 'not_supported', 'offline', 'uncertain', 'error'] as const;
export type LocalListOutcome = (typeof LOCAL_LIST_OUTCOMES)[number];

/** A command result as a local-list outcome. The station's status is in the rejected result's reason. */
export function localListOutcome(result: CommandResult | undefined): LocalListOutcome {
  if (!result) return 'uncertain';
  switch (result.status) {
    case 'accepted':
      return 'accepted';
    case 'rejected':
      return /\bVersionMismatch\b/.test(result.reason ?? '') ? 'version_mismatch' : 'failed';
    case 'not_supported':
      // The station said so (CALLERROR NotSupported/NotImplemented carries a code; 1.6 NotSupported a
      // reason); our adapter's own refusal (an id 1.6 cannot carry) is a bug of the computation: an error.
      return typeof result.data?.code === 'string' || /\b(NotSupported|NotImplemented|listVersion -1)\b/.test(result.reason ?? '') ? 'not_supported' : 'error';
    case 'offline':
      return 'offline';
    case 'timeout':
    case 'interrupted':
      return 'uncertain';
    case 'call_error':
      return 'error';
  }
}

export interface SyncStateUpdate {
  state: LocalListState;
  /** The next sync must be a Full. */
  needsFull: boolean;
  /** Consecutive failures (back-off). */
  failures: number;
}

/** The state after a sync (or drift check) ended with `outcome`. */
export function afterSyncOutcome(prev: { needsFull: boolean; failures: number }, outcome: LocalListOutcome): SyncStateUpdate {
  switch (outcome) {
    case 'accepted':
      return { state: 'in_sync', needsFull: false, failures: 0 };
    case 'version_mismatch':
    case 'failed':
    case 'error':
      return { state: 'failed', needsFull: true, failures: prev.failures + 1 };
    case 'not_supported':
      return { state: 'unsupported', needsFull: true, failures: 0 };
    case 'offline':
      // Nothing was sent: what the station holds is what we stored.
      return { state: 'pending', needsFull: prev.needsFull, failures: prev.failures };
    case 'uncertain':
      return { state: 'pending', needsFull: true, failures: prev.failures + 1 };
  }
}

/** Which update a sync sends: Full when never synced, after a refusal or uncertainty, or when asked. */
export function chooseUpdateType(s: { version?: number; needsFull: boolean }, forceFull = false): 'full' | 'differential' {
  return forceFull || s.needsFull || s.version === undefined ? 'full' : 'differential';
}

export interface SyncSchedule {
  /** Drift check period of a list in sync (and retry period of a pending one), ms. */
  checkEveryMs: number;
  /** First retry after a failure, ms; doubled per consecutive failure up to checkEveryMs. */
  retryBaseMs: number;
}

/** When the station is next due for a check or retry (epoch ms); unsupported: after checkEveryMs too. */
export function nextDueAt(state: LocalListState, failures: number, now: number, s: SyncSchedule): number {
  if (state === 'failed' || (state === 'pending' && failures > 0)) return now + Math.min(s.checkEveryMs, s.retryBaseMs * 2 ** Math.min(Math.max(failures - 1, 0), 20));
  return now + s.checkEveryMs;
}

/**
 * What a drift check (GetLocalListVersion) found: `in_sync` when the station reports the stored version,
 * `drift` (resync as a Full) when it reports another or we never stored one, else the outcome.
 */
export function driftVerdict(stored: number | undefined, result: CommandResult | undefined): { verdict: 'in_sync' | 'drift' } | { verdict: 'outcome'; outcome: LocalListOutcome } {
  const outcome = localListOutcome(result);
  if (outcome !== 'accepted') return { verdict: 'outcome', outcome };
  const reported = Number(result?.data?.version);
  return stored !== undefined && reported === stored ? { verdict: 'in_sync' } : { verdict: 'drift' };
}
