/**
 * Normalisation of meter readings and station timestamps, shared by the 1.6 and 2.0.1 adapters.
 *
 * Anything the schema lets through but that cannot be a real reading (non-numeric text, a negative
 * register, a clock years off) is refused with a CALLERROR rather than dropped: the station then knows
 * the message was not accepted, and nothing disappears silently.
 */
import type { SampledValue } from '@chargewatch/model';
import { propertyViolation, rpcError } from './errors';

export const DEFAULT_MEASURAND = 'Energy.Active.Import.Register';
/** Both specs' default reading context. */
export const DEFAULT_CONTEXT = 'Sample.Periodic';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Oldest station timestamp accepted, relative to receive time; older means a reset or unset clock. */
export const MAX_TIMESTAMP_AGE_MS = 365 * DAY_MS;
/** Furthest a station clock may run ahead of ours. */
export const MAX_TIMESTAMP_LEAD_MS = DAY_MS;

/** A sampled value as either OCPP version sends it, before normalisation. */
export interface RawSampledValue {
  /** 1.6 sends decimal text, 2.0.1 a JSON number. */
  value: string | number;
  measurand?: string;
  unit?: string;
  /** 2.0.1 `unitOfMeasure.multiplier`: the value is scaled by 10^multiplier. */
  multiplier?: number;
  phase?: string;
  location?: string;
  context?: string;
}

interface ScaledUnit {
  base: string;
  /** Power of ten from this unit to the base unit. */
  exponent: number;
}

const SCALED_UNITS: Readonly<Record<string, ScaledUnit>> = {
  kWh: { base: 'Wh', exponent: 3 },
  kvarh: { base: 'varh', exponent: 3 },
  kVAh: { base: 'VAh', exponent: 3 },
  kW: { base: 'W', exponent: 3 },
  kvar: { base: 'var', exponent: 3 },
  kVA: { base: 'VA', exponent: 3 },
};

const TO_CELSIUS: Readonly<Record<string, (value: number) => number>> = {
  Celsius: (v) => v,
  // OCPP 1.6 spells it this way in its own enum.
  Celcius: (v) => v,
  K: (v) => v - 273.15,
  Fahrenheit: (v) => ((v - 32) * 5) / 9,
};

/**
 * Both specs default the unit to Wh, which only makes sense for energy; a station that omits the unit on
 * SoC or Voltage means the measurand's natural unit, so that is what we assume.
 */
function defaultUnit(measurand: string): string {
  if (measurand.startsWith('Energy.Reactive')) return 'varh';
  if (measurand.startsWith('Energy.Apparent')) return 'VAh';
  if (measurand.startsWith('Energy.')) return 'Wh';
  // Dimensionless; UCUM writes that as '1'.
  if (measurand === 'Power.Factor') return '1';
  if (measurand.startsWith('Power.Reactive')) return 'var';
  if (measurand.startsWith('Power.')) return 'W';
  if (measurand.startsWith('Current.')) return 'A';
  switch (measurand) {
    case 'Voltage':
      return 'V';
    case 'Frequency':
      return 'Hz';
    case 'SoC':
      return 'Percent';
    case 'Temperature':
      return 'Celsius';
    case 'RPM':
      return 'RPM';
    default:
      return 'Wh';
  }
}

/** Register readings only ever grow from zero; `.Net` measurands may legitimately be negative. */
export function isEnergyRegister(measurand: string): boolean {
  return (
    measurand.endsWith('.Register') || measurand === 'Energy.Apparent.Import' || measurand === 'Energy.Apparent.Export'
  );
}

// Plain decimal notation only: Number() would also accept '', '0x1F' and 'Infinity'.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A field's path for error texts, or a function making it: a MeterValues call names nine sampled values,
 * and building their paths on every call only for the rare refusal showed in the CPU profile.
 */
export type FieldPath = string | (() => string);
const pathOf = (field: FieldPath): string => (typeof field === 'string' ? field : field());

export function parseMeterNumber(value: string | number, fieldPath: FieldPath = 'value'): number {
  const parsed = typeof value === 'number' ? value : DECIMAL.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isFinite(parsed)) {
    const field = pathOf(fieldPath);
    throw propertyViolation(`${field} is not a finite number: ${truncate(String(value))}`, { field });
  }
  return parsed;
}

export function assertNonNegativeRegister(valueWh: number, fieldPath: FieldPath): void {
  if (valueWh < 0) {
    const field = pathOf(fieldPath);
    throw propertyViolation(`${field} is a negative energy register: ${valueWh}`, { field });
  }
}

/** Scaling by a power of ten through division for negative exponents keeps 1234 * 10^-3 at exactly 1.234. */
function scale(value: number, exponent: number): number {
  return exponent >= 0 ? value * 10 ** exponent : value / 10 ** -exponent;
}

/** Drops binary floating-point noise such as 26.850000000000023 that unit arithmetic introduces. */
function tidy(value: number): number {
  return Number(value.toPrecision(15));
}

function toBaseUnit(value: number, unit: string, multiplier: number): { value: number; unit: string } {
  const scaled = SCALED_UNITS[unit];
  if (scaled) return { value: tidy(scale(value, scaled.exponent + multiplier)), unit: scaled.base };
  const toCelsius = TO_CELSIUS[unit];
  if (toCelsius) return { value: tidy(toCelsius(scale(value, multiplier))), unit: 'Celsius' };
  return { value: multiplier === 0 ? value : tidy(scale(value, multiplier)), unit };
}

export function normaliseSampledValue(raw: RawSampledValue, fieldPath: FieldPath = 'sampledValue'): SampledValue {
  const measurand = raw.measurand ?? DEFAULT_MEASURAND;
  const number = parseMeterNumber(raw.value, () => `${pathOf(fieldPath)}.value`);
  const { value, unit } = toBaseUnit(number, raw.unit ?? defaultUnit(measurand), raw.multiplier ?? 0);
  // A finite reading can still overflow (1e306 kWh, or 2.0.1's multiplier): Infinity is no reading.
  if (!Number.isFinite(value)) {
    const field = pathOf(fieldPath);
    throw propertyViolation(`${field}.value ${truncate(String(raw.value))} overflows in ${unit}`, { field: `${field}.value` });
  }
  if (isEnergyRegister(measurand)) assertNonNegativeRegister(value, () => `${pathOf(fieldPath)} (${measurand})`);
  const sample: SampledValue = { measurand, value, unit };
  if (raw.phase !== undefined) sample.phase = raw.phase;
  if (raw.location !== undefined) sample.location = raw.location;
  if (raw.context !== undefined) sample.context = raw.context;
  return sample;
}

// RFC 3339 with a mandatory offset: without one, the instant would depend on our own time zone.
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

function isRealCalendarDate(year: number, month: number, day: number): boolean {
  // Date.parse rolls 2025-02-30 over into March instead of refusing it.
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Station timestamp to epoch ms, refusing times too far from receive time to be a real clock. */
export function parseStationTime(text: string, receivedAt: number, fieldPath: FieldPath = 'timestamp'): number {
  const match = ISO_TIMESTAMP.exec(text);
  const time = match && isRealCalendarDate(+match[1], +match[2], +match[3]) ? Date.parse(text) : NaN;
  const ok = !Number.isNaN(time) && time >= receivedAt - MAX_TIMESTAMP_AGE_MS && time <= receivedAt + MAX_TIMESTAMP_LEAD_MS;
  if (ok) return time;
  const field = pathOf(fieldPath);
  if (Number.isNaN(time)) {
    throw rpcError('FormatViolation', `${field} is not an RFC 3339 date-time: ${truncate(text)}`, { field });
  }
  if (time < receivedAt - MAX_TIMESTAMP_AGE_MS) {
    throw propertyViolation(`${field} ${text} is more than ${MAX_TIMESTAMP_AGE_MS / DAY_MS} days old`, { field });
  }
  if (time > receivedAt + MAX_TIMESTAMP_LEAD_MS) {
    throw propertyViolation(`${field} ${text} is more than ${MAX_TIMESTAMP_LEAD_MS / DAY_MS} day ahead`, { field });
  }
  return time;
}

/** Error texts go back to the station, where 2.0.1 limits the description to 255 characters. */
function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
