/**
 * What happens in one simulated session, decided up front from the connector's random stream: the
 * vehicle, the id tag, how long it charges and idles, how it ends. Test hooks and CSMS commands override
 * parts of it.
 */
import type { ConnectorSim, SessionPlan, StopReason } from './model';
import type { StationProfile } from './profiles';
import type { DriverToken } from './drivers';
import type { Rng } from './random';
import type { ForceSessionOptions } from './station-options';

/** What a plan depends on besides the connector. */
export interface PlanContext {
  meterIntervalSec: number;
  zeroEnergyProbability: number;
  idTags: readonly string[];
  kind: StationProfile['kind'];
  /** A driver population to draw from instead of idTags (drivers.ts). */
  pickDriver?: (r: Rng) => DriverToken;
}

export type PlanOptions = ForceSessionOptions & { remote?: boolean; remoteStartId?: number; needsAuth?: boolean };

export function planSession(c: ConnectorSim, station: PlanContext, o: PlanOptions): SessionPlan {
  const r = c.rng;
  const dt = station.meterIntervalSec;
  const vehicle = {
    batteryKwh: r.pick([40, 52, 58, 64, 77, 82, 100]),
    maxAcKw: r.pick([7.4, 11, 11, 22]),
    maxDcKw: r.pick([50, 100, 135, 150, 170]),
    socStart: Math.round(r.float(8, 60)),
    socTarget: r.pick([80, 80, 85, 90, 100]),
  };
  const zeroEnergy = o.zeroEnergy ?? r.chance(station.zeroEnergyProbability);
  // Only with a population does the draw differ, so fleets without one replay as before.
  const driver = o.idTag === undefined && station.pickDriver ? station.pickDriver(r) : undefined;
  const idTag = o.idTag ?? driver?.id ?? r.pick(station.idTags);
  const idTokenType = o.idTokenType ?? driver?.type;
  const typos = o.typos ?? (driver?.typos.length ? driver.typos : undefined);
  const authDelaySec = o.remote ? r.float(1, 4) : r.float(3, 20);
  let chargeTicks: number;
  let suspendTicks: number;
  if (zeroEnergy) {
    chargeTicks = 0;
    suspendTicks = r.int(2, 6);
  } else if (station.kind === 'AC') {
    chargeTicks = Math.max(1, Math.round(r.float(1200, 10800) / dt));
    suspendTicks = r.chance(0.3) ? r.int(1, 6) : 0;
  } else {
    chargeTicks = Math.max(1, Math.round(5400 / dt)); // cap; DC sessions usually end on SoC
    suspendTicks = 0;
  }
  if (o.ticks !== undefined) {
    if (zeroEnergy) suspendTicks = Math.max(1, o.ticks);
    else chargeTicks = Math.max(1, o.ticks);
  }
  if (o.suspendTicks !== undefined) suspendTicks = o.suspendTicks;
  const endReason: StopReason = o.endReason ?? (r.chance(0.5) ? 'Local' : 'EVDisconnected');
  return {
    idTag,
    ...(idTokenType ? { idTokenType } : {}),
    ...(typos ? { typos } : {}),
    needsAuth: o.needsAuth ?? true,
    authDelaySec: o.authDelaySec ?? authDelaySec,
    chargeTicks,
    suspendTicks,
    zeroEnergy,
    vehicle,
    endReason,
    unplugDelaySec: r.float(10, 120),
    remote: !!o.remote,
    remoteStartId: o.remoteStartId,
  };
}

/** A version-4 UUID from the connector's stream (2.0.1 transaction ids), reproducible by seed. */
export function uuidFrom(r: Rng): string {
  const h = r.hex(32).toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
