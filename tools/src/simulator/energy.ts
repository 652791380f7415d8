/**
 * The energy model of a simulated connector: what the meter reads (voltages, currents, SoC) and how
 * much power a session draws per tick. Random draws come from the connector's own stream, in a fixed
 * order, so a seed reproduces the readings.
 */
import type { ConnectorSim, MeterSample, ReadingContext, TxSim } from './model';
import type { StationProfile } from './profiles';

export function meterSample(p: StationProfile, c: ConnectorSim, context: ReadingContext, powerW: number, timestamp: string): MeterSample {
  const tx = c.tx;
  const r = c.rng;
  let voltages: number[];
  let currents: number[];
  if (p.kind === 'AC') {
    const phases = p.phases === 1 ? 1 : 3;
    voltages = Array.from({ length: phases }, () => Math.round((230 + r.float(-4, 4)) * 10) / 10);
    currents = voltages.map((v) => Math.round((powerW / phases / v) * 100) / 100);
  } else {
    const soc = tx?.soc ?? 50;
    const v = Math.round((360 + soc * 1.4 + r.float(-2, 2)) * 10) / 10;
    voltages = [v];
    currents = [Math.round((powerW / v) * 10) / 10];
  }
  return {
    timestamp,
    context,
    energyWh: c.energyWh,
    powerW: Math.round(powerW),
    kind: p.kind,
    unit: p.energyUnit,
    voltages,
    currents,
    soc: p.kind === 'DC' && tx ? Math.round(tx.soc * 10) / 10 : undefined,
  };
}

/** AC charging power this tick, kW: the lowest of station, vehicle and phase limits. */
export function acPowerKw(p: StationProfile, tx: TxSim, c: ConnectorSim): number {
  const cap = Math.min(p.maxPowerKw, tx.plan.vehicle.maxAcKw, p.phases === 1 ? 7.4 : 22);
  let kw = cap * c.rng.float(0.93, 1.0);
  // Onboard chargers back off near the end of the session.
  const remaining = tx.plan.chargeTicks - tx.ticks;
  if (remaining < Math.max(1, tx.plan.chargeTicks * 0.1)) kw *= 0.6;
  return kw;
}

/** DC charging power this tick, kW: full up to 50 % SoC, then tapering. */
export function dcPowerKw(p: StationProfile, tx: TxSim, c: ConnectorSim): number {
  const pmax = Math.min(p.maxPowerKw, tx.plan.vehicle.maxDcKw);
  const soc = tx.soc;
  let taper: number;
  if (soc < 50) taper = 1;
  else if (soc < 80) taper = 1 - ((soc - 50) / 30) * 0.6;
  else taper = Math.max(0.08, 0.4 - ((soc - 80) / 20) * 0.32);
  return pmax * taper * c.rng.float(0.96, 1.0);
}
