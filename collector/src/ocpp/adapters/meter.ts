import { isImportRegister, type ConnectorRef, type MeterSample } from '@chargewatch/model';
import type { HandleContext } from './types';
import { DEFAULT_CONTEXT, normaliseSampledValue, parseStationTime, type RawSampledValue } from './units';

export interface RawMeterValue {
  timestamp: string;
  sampledValue: RawSampledValue[];
}

/**
 * One meter.sample per meterValue and reading context: an event carries a single context, and a station may
 * mix, say, Transaction.End and Sample.Periodic readings under one timestamp.
 */
export function meterSamples(
  ctx: HandleContext,
  ref: ConnectorRef,
  meterValues: readonly RawMeterValue[],
  transactionId?: string,
): MeterSample[] {
  const events: MeterSample[] = [];
  meterValues.forEach((meterValue, i) => {
    const time = parseStationTime(meterValue.timestamp, ctx.receivedAt, () => `meterValue[${i}].timestamp`);
    const byContext = new Map<string, MeterSample>();
    meterValue.sampledValue.forEach((raw, j) => {
      const value = normaliseSampledValue(raw, () => `meterValue[${i}].sampledValue[${j}]`);
      const context = raw.context ?? DEFAULT_CONTEXT;
      let event = byContext.get(context);
      if (!event) {
        event = {
          type: 'meter.sample',
          stationId: ctx.stationId,
          time,
          receivedAt: ctx.receivedAt,
          evseId: ref.evseId,
          connectorId: ref.connectorId,
          transactionId,
          context,
          values: [],
        };
        byContext.set(context, event);
      }
      event.values.push(value);
    });
    events.push(...byContext.values());
  });
  return events;
}

/**
 * The whole-connector import register (no phase) from a set of samples, used as a transaction's start or
 * stop reading where the message has no dedicated field (2.0.1).
 */
export function importRegisterWh(samples: readonly MeterSample[], which: 'first' | 'last'): number | undefined {
  const readings = samples.flatMap((s) => s.values.filter(isImportRegister));
  const reading = which === 'first' ? readings[0] : readings[readings.length - 1];
  return reading?.value;
}
