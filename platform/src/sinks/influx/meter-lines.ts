/**
 * Line protocol of a meter sample, rendered directly: one line per finite sampled value, the same bytes
 * as the general point builders of points.ts give (a property test compares the two), without a builder
 * object, a tag array and two sorts per line. Meter samples are nearly every line the InfluxDB writer
 * renders (9 per MeterValues call from a three-phase charger), and the builders' allocations showed in
 * the writer's profile (docs/performance-notes.md).
 *
 * The sorted order of the tags is fixed by their keys: connector, context, evse, location, measurand,
 * phase, then the station's own (site, station_id, tag_<key>, sorted once per event); fields are
 * transaction_id, unit, value.
 */
import type { ChargeEvent, StationContext } from '@chargewatch/model';
import { byKey, encodeTagValue, escapeKey, quoteString } from './line-protocol';
import { commonTags } from './station-tags';

type MeterSample = Extract<ChargeEvent, { type: 'meter.sample' }>;

/** `,key=value` as PointBuilder.tag() and its rendering give it; empty or missing values are left out. */
function tag(key: string, value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const v = String(value);
  return v.length === 0 ? '' : `,${key}=${escapeKey(encodeTagValue(v))}`;
}

/** `key="value",` for a string field that is present (even empty), else nothing. */
function strField(key: string, value: string | undefined | null): string {
  return value === undefined || value === null ? '' : `${key}=${quoteString(String(value))},`;
}

export function meterSampleLines(event: MeterSample, meta: StationContext | undefined): string[] {
  let station = '';
  for (const [k, v] of commonTags(event.stationId, meta).sort(byKey)) station += `,${escapeKey(k)}=${escapeKey(v)}`;
  const connector = tag('connector', event.connectorId);
  const evse = tag('evse', event.evseId);
  const transaction = strField('transaction_id', event.transactionId);
  const time = Math.round(event.time);
  const lines: string[] = [];
  for (const sv of event.values) {
    if (typeof sv.value !== 'number' || !Number.isFinite(sv.value)) continue;
    lines.push(
      `meter${connector}${tag('context', sv.context ?? event.context)}${evse}${tag('location', sv.location)}${tag('measurand', sv.measurand)}${tag('phase', sv.phase)}${station}` +
        ` ${transaction}${strField('unit', sv.unit)}value=${String(sv.value)} ${time}`,
    );
  }
  return lines;
}
