/**
 * OCPP 1.6J frames for the benchmark load generator, built as strings so the generator spends its time
 * on the wire, not on JSON.stringify. Each simulated station keeps a plausible charging session: the
 * energy register only grows, power drifts around its set point, currents follow power, SoC climbs.
 */
import { mulberry32 } from '../simulator/random';

/** Sampled values per MeterValues frame, by measurand (per-phase measurands count one per phase). */
export const SAMPLES_PER_FRAME: Readonly<Record<string, number>> = {
  'Energy.Active.Import.Register': 1,
  'Power.Active.Import': 1,
  'Current.Import': 3,
  Voltage: 3,
  SoC: 1,
};
/** Simulated seconds of charging between two frames of one station. */
const SAMPLE_PERIOD_SEC = 10;

/** Deterministic values, so every run offers the same load. */
export const prng = mulberry32;

export interface Frame {
  id: string;
  text: string;
}

export class BenchStation {
  private readonly rnd: () => number;
  private readonly tag: string;
  private seq = 0;
  private lastTs = 0;
  private energyWh: number;
  private soc: number;
  private readonly setPointW: number;
  private readonly txId: number;
  private readonly ring: string[] = [];
  private readonly ringPowerW: number[] = [];

  constructor(
    readonly id: string,
    seed: number,
  ) {
    this.rnd = prng(seed);
    this.tag = seed.toString(36);
    this.energyWh = Math.round(500_000 + this.rnd() * 4_000_000);
    this.soc = 10 + Math.floor(this.rnd() * 40);
    this.setPointW = [7_400, 11_000, 22_000][Math.floor(this.rnd() * 3)]!;
    this.txId = 1 + Math.floor(this.rnd() * 1_000_000);
    this.buildRing();
  }

  private nextId(): string {
    this.seq++;
    return `${this.tag}.${this.seq}`;
  }

  boot(): Frame {
    const id = this.nextId();
    const payload =
      `{"chargePointVendor":"BenchCo","chargePointModel":"AC-22","chargePointSerialNumber":"SN-${this.id.slice(-20)}",` +
      `"firmwareVersion":"1.4.2","meterType":"DZG DVH4013"}`;
    return { id, text: `[2,"${id}","BootNotification",${payload}]` };
  }

  /**
   * A MeterValues call stamped with the current time. Timestamps strictly increase per station (at least
   * 1 ms apart), so InfluxDB never merges two readings of one station into one point. Power, currents and
   * voltages come from a ring of pre-encoded readings; the register and SoC are encoded per frame.
   */
  meterValues(): Frame {
    const id = this.nextId();
    const ts = Math.max(Date.now(), this.lastTs + 1);
    this.lastTs = ts;
    const k = this.seq & (RING - 1);
    this.energyWh += (this.ringPowerW[k]! * SAMPLE_PERIOD_SEC) / 3600;
    this.soc = this.soc >= 99 ? 10 : this.soc + 0.05;
    return {
      id,
      text:
        `[2,"${id}","MeterValues",{"connectorId":1,"transactionId":${this.txId},"meterValue":[{"timestamp":"${new Date(ts).toISOString()}",` +
        `"sampledValue":[${sv(this.energyWh.toFixed(1), 'Energy.Active.Import.Register', 'Wh')},${this.ring[k]},` +
        `${sv(this.soc.toFixed(0), 'SoC', 'Percent')}]}]}]`,
    };
  }

  private buildRing(): void {
    for (let k = 0; k < RING; k++) {
      const powerW = this.setPointW * (0.92 + this.rnd() * 0.08);
      const v = [228 + this.rnd() * 5, 228 + this.rnd() * 5, 228 + this.rnd() * 5];
      const a = v.map((volts) => powerW / 3 / volts);
      this.ringPowerW.push(powerW);
      this.ring.push(
        [
          sv(powerW.toFixed(0), 'Power.Active.Import', 'W'),
          sv(a[0]!.toFixed(2), 'Current.Import', 'A', 'L1'),
          sv(a[1]!.toFixed(2), 'Current.Import', 'A', 'L2'),
          sv(a[2]!.toFixed(2), 'Current.Import', 'A', 'L3'),
          sv(v[0]!.toFixed(1), 'Voltage', 'V', 'L1-N'),
          sv(v[1]!.toFixed(1), 'Voltage', 'V', 'L2-N'),
          sv(v[2]!.toFixed(1), 'Voltage', 'V', 'L3-N'),
        ].join(','),
      );
    }
  }
}

/** Pre-encoded readings per station (a power of two). */
const RING = 32;

function sv(value: string, measurand: string, unit: string, phase?: string): string {
  return `{"value":"${value}","context":"Sample.Periodic","measurand":"${measurand}",${phase ? `"phase":"${phase}",` : ''}"location":"Outlet","unit":"${unit}"}`;
}
