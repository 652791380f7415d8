/**
 * What a running firmware campaign does next, decided from a snapshot of it. One step at a time: the
 * worker's tick carries a step out, takes a new snapshot and asks again, so every decision sees the
 * effects of the one before, and a tick cut short by a crash is simply repeated by the next one.
 *
 * Order of precedence: a station that never came back after its install pauses the campaign (a bad
 * image may be bricking stations, so nothing more is sent until a person looks); then the current
 * wave's gate (fail: pause; pass: the next wave, or the end); then updates for the current wave's
 * stations that may take one now.
 */
import { evaluateGate, inMaintenanceWindow, type CampaignPlan, type CampaignStationState, type GateDecision, type WaveTally } from './firmware-campaign';

export type CampaignStatus = 'running' | 'paused' | 'completed' | 'cancelled';
export type CampaignPauseReason = 'gate_failed' | 'no_return' | 'operator';
export type DeferReason = 'offline' | 'charging' | 'outside_window' | 'site_busy';

export interface CampaignStationSnapshot {
  id: string;
  wave: number;
  site?: string;
  /** The site's IANA time zone; UTC when the site has none. */
  timeZone: string;
  state: CampaignStationState;
  /** The update's failure reason (`no_return`, `InstallationFailed`, …) when failed. */
  failureReason?: string;
  /** Epoch ms its update was sent. */
  dispatchedAt?: number;
  online: boolean;
  /** A transaction in progress at the station. */
  charging: boolean;
}

export interface CampaignSnapshot {
  status: CampaignStatus;
  /** Index of the wave in progress (0 = canary). */
  currentWave: number;
  waveCount: number;
  /** The operator resumed after the current wave's gate failed: it counts as passed once all are sent. */
  gateOverridden: boolean;
  /** `no_return` failures already seen by the operator (counted when they last resumed). */
  noReturnAcknowledged: number;
  plan: CampaignPlan;
  stations: CampaignStationSnapshot[];
}

export type CampaignStep =
  | { kind: 'idle'; gate?: GateDecision }
  | { kind: 'pause'; reason: Exclude<CampaignPauseReason, 'operator'>; detail: string }
  | { kind: 'advance'; toWave: number; gate: GateDecision }
  | { kind: 'complete'; gate: GateDecision }
  | { kind: 'dispatch'; stations: string[]; deferred: Array<{ id: string; reason: DeferReason }> };

/** What tallying a wave needs of its stations (the API's detail has no live state). */
type WaveStation = Pick<CampaignStationSnapshot, 'wave' | 'state' | 'dispatchedAt'>;

export function tallyWave(stations: readonly WaveStation[], wave: number): WaveTally {
  const t: WaveTally = { size: 0, verified: 0, failed: 0, updating: 0, pending: 0 };
  for (const s of stations) {
    if (s.wave !== wave || s.state === 'cancelled') continue;
    t.size++;
    if (s.state === 'verified') t.verified++;
    else if (s.state === 'failed') t.failed++;
    else if (s.state === 'updating') t.updating++;
    else t.pending++;
  }
  return t;
}

/** When the wave's last station was sent its update; undefined while some are not sent yet. */
export function waveDispatchedAt(stations: readonly WaveStation[], wave: number, tally = tallyWave(stations, wave)): number | undefined {
  if (tally.pending > 0) return undefined;
  return Math.max(0, ...stations.filter((s) => s.wave === wave && s.state !== 'cancelled').map((s) => s.dispatchedAt ?? 0));
}

export function nextCampaignStep(snap: CampaignSnapshot, now: number): CampaignStep {
  if (snap.status !== 'running') return { kind: 'idle' };
  const noReturn = snap.stations.filter((s) => s.state === 'failed' && s.failureReason === 'no_return');
  if (noReturn.length > snap.noReturnAcknowledged) {
    const ids = noReturn.map((s) => s.id).slice(0, 10);
    return { kind: 'pause', reason: 'no_return', detail: `${noReturn.length} station(s) did not come back after installing: ${ids.join(', ')}` };
  }

  const wave = snap.stations.filter((s) => s.wave === snap.currentWave && s.state !== 'cancelled');
  const tally = tallyWave(snap.stations, snap.currentWave);
  const dispatchedAt = waveDispatchedAt(snap.stations, snap.currentWave, tally);
  const evaluated = evaluateGate(tally, snap.plan.gate, dispatchedAt, now);
  const gate: GateDecision = snap.gateOverridden && tally.pending === 0 ? { ...evaluated, decision: 'pass', reason: 'passed by the operator on resume' } : evaluated;
  if (gate.decision === 'fail' && !snap.gateOverridden) return { kind: 'pause', reason: 'gate_failed', detail: `wave ${snap.currentWave}: ${gate.reason}` };
  if (gate.decision === 'pass') {
    if (snap.currentWave + 1 < snap.waveCount) return { kind: 'advance', toWave: snap.currentWave + 1, gate };
    const open = snap.stations.some((s) => s.state === 'pending' || s.state === 'updating');
    return open ? { kind: 'idle', gate } : { kind: 'complete', gate };
  }

  // Slots per site: updates in flight anywhere in the campaign count against the site's limit.
  const busy = new Map<string, number>();
  for (const s of snap.stations) if (s.state === 'updating') busy.set(s.site ?? '', (busy.get(s.site ?? '') ?? 0) + 1);
  const stations: string[] = [];
  const deferred: Array<{ id: string; reason: DeferReason }> = [];
  for (const s of wave) {
    if (s.state !== 'pending') continue;
    const site = s.site ?? '';
    if (!s.online) deferred.push({ id: s.id, reason: 'offline' });
    else if (s.charging) deferred.push({ id: s.id, reason: 'charging' });
    else if (!inMaintenanceWindow(snap.plan.windows, s.timeZone, now)) deferred.push({ id: s.id, reason: 'outside_window' });
    else if ((busy.get(site) ?? 0) >= snap.plan.maxPerSite) deferred.push({ id: s.id, reason: 'site_busy' });
    else {
      stations.push(s.id);
      busy.set(site, (busy.get(site) ?? 0) + 1);
    }
  }
  if (stations.length === 0) return deferred.length ? { kind: 'dispatch', stations, deferred } : { kind: 'idle', gate };
  return { kind: 'dispatch', stations, deferred };
}
