/**
 * Pure mapping from the version-independent event model to InfluxDB points (docs/data-model.md, section
 * InfluxDB). The same line protocol is accepted by the v1 `/write` and the v2 `/api/v2/write` endpoints,
 * so one mapping serves InfluxDB 1.x, 2.x and 3.x.
 *
 * Rules kept here:
 * - every point carries `station_id`, plus `site` and `tag_<key>` from the operator's metadata;
 * - tag values are encoded losslessly (line-protocol.ts: `%`, `\` and control characters as `%XX`);
 * - nothing new per session or per user (transaction ids, id tokens) is ever a tag;
 * - id tokens are written masked (`id_token`), never as the station sent them;
 * - timestamps are epoch milliseconds (write with precision `ms`);
 * - a point is identified by measurement + tag set + time, so re-writing an event overwrites it.
 */
import { Point } from '@influxdata/influxdb-client';
import { maskIdToken, statusCode, type ChargeEvent, type IdToken, type StationContext } from '@chargewatch/model';
import { byKey, encodeTagValue, escapeKey, escapeMeasurement, quoteString } from './line-protocol';
import { meterSampleLines } from './meter-lines';
import { commonTags } from './station-tags';

export { metaTagKey } from './station-tags';

/**
 * Token ids are personal data and PINs secrets: InfluxDB, which analysts and dashboards read widely,
 * gets the masked form the logs use (`****` + the last four characters; PINs `****` only), never the id.
 */
const tokenField = (t: IdToken | undefined): string | undefined => (t ? maskIdToken(t) : undefined);

/** The write precision every point of this module uses. */
export const INFLUX_PRECISION = 'ms' as const;

/** Operator metadata that becomes tags: `site` and free-form `tag_<key>` tags. */
/** The station context a point is tagged with (stored in each journal entry). */
export type StationMeta = StationContext;

export const MEASUREMENTS = {
  meter: 'meter',
  connectorStatus: 'connector_status',
  transaction: 'transaction',
  boot: 'boot',
  heartbeat: 'heartbeat',
  connection: 'connection',
  firmwareStatus: 'firmware_status',
  logStatus: 'log_status',
  securityEvent: 'security_event',
  deviceEvent: 'device_event',
  deviceReport: 'device_report',
  authorization: 'authorization',
  dataTransfer: 'data_transfer',
  certificateSigning: 'certificate_signing',
} as const;

type FieldKind = 'str' | 'float' | 'int' | 'bool';

/**
 * Collects one point's tags and fields. `line` renders line protocol directly (the hot path: building
 * client Point objects for every sampled value cost more than the rest of the mapping); `point`
 * gives the client's Point for callers that want one.
 */
class PointBuilder {
  private tags: Array<[string, string]>;
  private fields: Array<[string, FieldKind, string | number | boolean]> = [];

  constructor(
    private readonly measurement: string,
    private readonly time: number,
    common: Array<[string, string]>,
  ) {
    this.tags = common.slice();
  }

  /** Empty or missing values are left out (line protocol has no empty tags; InfluxQL reads them as ''). */
  tag(name: string, value: string | number | undefined): this {
    if (value === undefined || value === null) return this;
    const v = String(value);
    if (v.length > 0) this.tags.push([name, encodeTagValue(v)]);
    return this;
  }

  str(name: string, value: string | undefined): this {
    if (value !== undefined && value !== null) this.fields.push([name, 'str', String(value)]);
    return this;
  }

  /** Non-finite numbers are left out: line protocol cannot carry NaN or Infinity. */
  float(name: string, value: number | undefined): this {
    if (typeof value === 'number' && Number.isFinite(value)) this.fields.push([name, 'float', value]);
    return this;
  }

  int(name: string, value: number | undefined): this {
    if (typeof value === 'number' && Number.isFinite(value)) this.fields.push([name, 'int', Math.trunc(value)]);
    return this;
  }

  bool(name: string, value: boolean | undefined): this {
    if (typeof value === 'boolean') this.fields.push([name, 'bool', value]);
    return this;
  }

  /** Line protocol with tags and fields sorted by key (tag values already encoded), or undefined without fields. */
  get line(): string | undefined {
    if (this.fields.length === 0) return undefined;
    let out = escapeMeasurement(this.measurement);
    for (const [k, v] of this.tags.sort(byKey)) out += `,${escapeKey(k)}=${escapeKey(v)}`;
    let first = true;
    for (const [k, kind, v] of this.fields.sort(byKey)) {
      out += first ? ' ' : ',';
      first = false;
      out += `${escapeKey(k)}=`;
      if (kind === 'str') out += quoteString(v as string);
      else if (kind === 'float') out += String(v);
      else if (kind === 'int') out += `${Math.floor(v as number)}i`;
      else out += v ? 'T' : 'F';
    }
    return `${out} ${this.time}`;
  }

  get point(): Point {
    const p = new Point(this.measurement).timestamp(this.time);
    for (const [k, v] of this.tags) p.tag(k, v);
    for (const [k, kind, v] of this.fields) {
      if (kind === 'str') p.stringField(k, v as string);
      else if (kind === 'float') p.floatField(k, v as number);
      else if (kind === 'int') p.intField(k, v as number);
      else p.booleanField(k, v as boolean);
    }
    return p;
  }
}

/**
 * Maps one event to its points. Returns no point for a meter sample without finite values. Points always
 * carry at least one field (InfluxDB rejects points without fields).
 */
export function toPoints(event: ChargeEvent, meta: StationMeta | undefined): Point[] {
  return build(event, meta).map((b) => b.point);
}

function build(event: ChargeEvent, meta: StationMeta | undefined): PointBuilder[] {
  const common = commonTags(event.stationId, meta);
  const time = Math.round(event.time);
  const b = (measurement: string, at = time) => new PointBuilder(measurement, at, common);
  switch (event.type) {
    case 'connection.opened':
      return [
        b(MEASUREMENTS.connection)
          .tag('event', 'opened')
          .str('remote_address', event.remoteAddress)
          .str('protocol', event.protocol)
          .str('collector_id', event.collectorId)
          .bool('replaced', event.replaced),
      ];
    case 'connection.closed':
      return [
        b(MEASUREMENTS.connection)
          .tag('event', 'closed')
          .int('code', event.code)
          .str('reason', event.reason ?? '')
          .str('collector_id', event.collectorId),
      ];
    case 'station.booted':
      return [
        b(MEASUREMENTS.boot)
          .tag('vendor', event.vendor)
          .tag('model', event.model)
          .str('firmware_version', event.firmwareVersion)
          .str('serial_number', event.serialNumber)
          .str('reason', event.reason)
          .str('registration', event.registration),
      ];
    case 'station.heartbeat':
      return [b(MEASUREMENTS.heartbeat).float('skew_ms', event.time - event.receivedAt)];
    case 'connector.status':
      return [
        b(MEASUREMENTS.connectorStatus)
          .tag('evse', event.evseId)
          .tag('connector', event.connectorId)
          .str('status', event.status)
          .int('status_code', statusCode(event.status))
          .str('error_code', event.errorCode)
          .str('vendor_error_code', event.vendorErrorCode)
          .str('info', event.info),
      ];
    case 'meter.sample': {
      const points: PointBuilder[] = [];
      for (const sv of event.values) {
        if (typeof sv.value !== 'number' || !Number.isFinite(sv.value)) continue;
        points.push(
          b(MEASUREMENTS.meter)
            .tag('evse', event.evseId)
            .tag('connector', event.connectorId)
            .tag('measurand', sv.measurand)
            .tag('phase', sv.phase)
            .tag('location', sv.location)
            .tag('context', sv.context ?? event.context)
            .float('value', sv.value)
            .str('unit', sv.unit)
            .str('transaction_id', event.transactionId),
        );
      }
      return points;
    }
    case 'transaction.started':
      return [
        b(MEASUREMENTS.transaction)
          .tag('evse', event.evseId)
          .tag('connector', event.connectorId)
          .tag('event', 'started')
          .str('transaction_id', event.transactionId)
          .str('id_token', tokenField(event.idToken))
          .str('id_token_type', event.idToken?.type)
          .str('authorization', event.authorization)
          .str('trigger_reason', event.triggerReason)
          .float('meter_wh', event.meterStartWh)
          .bool('offline', event.offline)
          .int('seq_no', event.seqNo),
      ];
    case 'transaction.updated':
      return [
        b(MEASUREMENTS.transaction)
          .tag('evse', event.evseId)
          .tag('connector', event.connectorId)
          .tag('event', 'updated')
          .str('transaction_id', event.transactionId)
          .str('id_token', tokenField(event.idToken))
          .str('id_token_type', event.idToken?.type)
          .str('authorization', event.authorization)
          .str('charging_state', event.chargingState)
          .str('trigger_reason', event.triggerReason)
          .bool('offline', event.offline)
          .int('seq_no', event.seqNo),
      ];
    case 'transaction.ended': {
      // The start comes with the event (looked up in the shared state when the end was handled).
      const start = event.start;
      const energy =
        event.meterStopWh !== undefined && start?.meterStartWh !== undefined
          ? event.meterStopWh - start.meterStartWh
          : undefined;
      const duration = start !== undefined ? (event.time - start.time) / 1000 : undefined;
      // The station's end of a transaction closed by policy replaces the provisional point (same time, same tags).
      const at = event.supersedes ? Math.round(event.supersedes.time) : time;
      return [
        b(MEASUREMENTS.transaction, at)
          .tag('evse', event.evseId)
          .tag('connector', event.connectorId)
          .tag('event', 'ended')
          .str('transaction_id', event.transactionId)
          .str('id_token', tokenField(event.idToken))
          .str('id_token_type', event.idToken?.type)
          .str('stopped_reason', event.stoppedReason)
          .str('closed_by', event.closedBy ?? 'station')
          .str('trigger_reason', event.triggerReason)
          .float('meter_wh', event.meterStopWh)
          .float('energy_wh', energy)
          .float('duration_s', duration !== undefined && duration >= 0 ? duration : undefined)
          .bool('offline', event.offline)
          .int('seq_no', event.seqNo),
      ];
    }
    case 'authorization.requested':
      return [
        b(MEASUREMENTS.authorization)
          .tag('result', event.result)
          .str('id_token', tokenField(event.idToken))
          .str('id_token_type', event.idToken.type),
      ];
    case 'firmware.status':
      return [b(MEASUREMENTS.firmwareStatus).str('status', event.status).int('request_id', event.requestId)];
    case 'log.status':
      return [b(MEASUREMENTS.logStatus).str('status', event.status).int('request_id', event.requestId)];
    case 'security.event':
      return [
        b(MEASUREMENTS.securityEvent)
          .tag('event_type', event.eventType)
          .tag('source', event.source)
          // Always written, possibly empty: a point needs at least one field.
          .str('tech_info', event.techInfo ?? ''),
      ];
    case 'device.event':
      return [
        b(MEASUREMENTS.deviceEvent)
          .tag('component', event.component)
          .tag('variable', event.variable)
          .str('actual_value', event.actualValue)
          .str('tech_code', event.techCode)
          .str('tech_info', event.techInfo)
          .str('trigger', event.trigger)
          .int('event_id', event.eventId)
          .int('evse', event.evseId)
          .int('connector', event.connectorId)
          .bool('cleared', event.cleared),
      ];
    case 'device.report':
      return [
        b(MEASUREMENTS.deviceReport)
          .int('request_id', event.requestId)
          .int('seq_no', event.seqNo)
          .int('items', event.items.length)
          .bool('tbc', event.tbc),
      ];
    case 'certificate.signing':
      return [b(MEASUREMENTS.certificateSigning).tag('certificate_type', event.certificateType).tag('result', event.result).int('csr_length', event.csrLength)];
    case 'data.transfer':
      return [
        b(MEASUREMENTS.dataTransfer)
          .tag('vendor_id', event.vendorId)
          .str('message_id', event.messageId)
          .int('data_length', event.dataLength),
      ];
    default: {
      const unknown: never = event;
      void unknown;
      return [];
    }
  }
}

/**
 * Line protocol (precision ms) of the event's points. Meter samples, nearly every line written, take a
 * direct rendering (meter-lines.ts) that gives the same lines as the point builders without their
 * objects and sorts; `linesByBuilders` is the general path, kept for the test that compares them.
 */
export function toLines(event: ChargeEvent, meta: StationMeta | undefined): string[] {
  if (event.type === 'meter.sample') return meterSampleLines(event, meta);
  return linesByBuilders(event, meta);
}

/** The general rendering of toLines, through one PointBuilder per point. */
export function linesByBuilders(event: ChargeEvent, meta: StationMeta | undefined): string[] {
  const lines: string[] = [];
  for (const b of build(event, meta)) {
    const line = b.line;
    if (line) lines.push(line);
  }
  return lines;
}
