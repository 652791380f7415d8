/**
 * What a connector status means, in one place.
 *
 * The collector (API, Prometheus and InfluxDB sinks), the Grafana plugin, the dashboards and the
 * Prometheus rules all read a connector's status; this module is the only place that says which codes
 * stand for which status, which statuses count as "working", how availability treats Unknown and
 * offline stations, how a status maps to OCPI, and how a status is named and coloured on screen.
 * Pure TypeScript with no imports, so the browser bundle, Node and the rule tests can all use it.
 *
 * Availability (docs/data-model.md, "Availability"): a connector is a port (not the OCPP 1.6
 * connector 0 that describes the whole station) and counts as
 *   - working   when its station is online and the status is in WORKING_STATUSES;
 *   - down      when its station is offline (whatever it last reported), or the status is Unavailable
 *               or Faulted;
 *   - uncounted when its station is online and the status is Unknown (no status yet or one we do not
 *               understand): neither up nor down, as the UK 2023 regulations treat "unknown".
 * availability = working / (working + down); no counted connector → no value (null), never 0 or 1.
 */

/** Connector status: the union of OCPP 1.6 statuses and 2.0.1's `Occupied` (2.0.1 does not split it). */
export const CONNECTOR_STATUSES = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEVSE',
  'SuspendedEV',
  'Finishing',
  'Reserved',
  'Unavailable',
  'Faulted',
  'Occupied',
  'Unknown',
] as const;
export type ConnectorStatus = (typeof CONNECTOR_STATUSES)[number];

/**
 * Numeric code per status for the `chargewatch_connector_status_code` gauge and the InfluxDB
 * `status_code` field. A label would create a new series at every transition; a number does not.
 * Codes are stable: append, never renumber (dashboards, rules and stored history depend on them).
 */
export const CONNECTOR_STATUS_CODE: Readonly<Record<ConnectorStatus, number>> = {
  Unknown: 0,
  Available: 1,
  Preparing: 2,
  Charging: 3,
  SuspendedEVSE: 4,
  SuspendedEV: 5,
  Finishing: 6,
  Reserved: 7,
  Unavailable: 8,
  Faulted: 9,
  Occupied: 10,
};

const STATUS_BY_CODE: ReadonlyMap<number, ConnectorStatus> = new Map(
  CONNECTOR_STATUSES.map((s) => [CONNECTOR_STATUS_CODE[s], s] as const),
);

export function isConnectorStatus(value: unknown): value is ConnectorStatus {
  return typeof value === 'string' && (CONNECTOR_STATUSES as readonly string[]).includes(value);
}

/** A status string as reported or stored; anything we do not know is Unknown. */
export function toConnectorStatus(value: unknown): ConnectorStatus {
  return isConnectorStatus(value) ? value : 'Unknown';
}

/** The code of a status; an unrecognised status has Unknown's code. */
export function statusCode(status: string): number {
  return CONNECTOR_STATUS_CODE[toConnectorStatus(status)];
}

/** The status of a code (a gauge value); missing, fractional or unassigned codes are Unknown. */
export function statusFromCode(code: number | null | undefined): ConnectorStatus {
  if (typeof code !== 'number' || !Number.isInteger(code)) return 'Unknown';
  return STATUS_BY_CODE.get(code) ?? 'Unknown';
}

// ---------------------------------------------------------------------------------------------
// Ports

/** OCPP 1.6 connector 0 (exported as evse "0") describes the whole station; it is not a port. */
export const STATION_LEVEL_EVSE = 0;

export function isStationLevelConnector(evseId: number | string): boolean {
  return Number(evseId) === STATION_LEVEL_EVSE;
}

/** PromQL label matcher that keeps ports only. */
export const PROM_PORTS_ONLY = `evse!="${STATION_LEVEL_EVSE}"`;

// ---------------------------------------------------------------------------------------------
// Availability

/** A driver can use the port, or is using it (UK 2023: Available, Charging, Reserved are reliable). */
export const WORKING_STATUSES: readonly ConnectorStatus[] = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEVSE',
  'SuspendedEV',
  'Finishing',
  'Reserved',
  'Occupied',
];

/** The station says the port cannot serve a driver. */
export const DOWN_STATUSES: readonly ConnectorStatus[] = ['Unavailable', 'Faulted'];

/** Neither up nor down while the station is online: left out of availability. */
export const UNCOUNTED_STATUSES: readonly ConnectorStatus[] = ['Unknown'];

/** The port reports a fault (alerts, "faulted now" counts). */
export const FAULTED_STATUSES: readonly ConnectorStatus[] = ['Faulted'];

export type AvailabilityClass = 'working' | 'down' | 'uncounted';

/**
 * How one port counts for availability. `stationOnline`: a collector holds the station's websocket.
 * A port of an offline station is down whatever it last said: a driver cannot start a session there.
 */
export function availabilityClass(status: string, stationOnline: boolean): AvailabilityClass {
  if (!stationOnline) return 'down';
  const s = toConnectorStatus(status);
  if (WORKING_STATUSES.includes(s)) return 'working';
  if (DOWN_STATUSES.includes(s)) return 'down';
  return 'uncounted';
}

export interface AvailabilityCount {
  working: number;
  down: number;
  uncounted: number;
}

/** Counts ports (station-level connectors are skipped when `evseId` is given). */
export function countAvailability(
  ports: Iterable<{ status: string; online: boolean; evseId?: number | string }>,
): AvailabilityCount {
  const count: AvailabilityCount = { working: 0, down: 0, uncounted: 0 };
  for (const p of ports) {
    if (p.evseId !== undefined && isStationLevelConnector(p.evseId)) continue;
    count[availabilityClass(p.status, p.online)]++;
  }
  return count;
}

/** working / (working + down); null when no port is counted (an empty fleet is not "0 % available"). */
export function availabilityRatio(c: AvailabilityCount): number | null {
  const counted = c.working + c.down;
  return counted === 0 ? null : c.working / counted;
}

/** The definition in one sentence, for panel descriptions and KPI captions. */
export const AVAILABILITY_DEFINITION =
  'Share of ports that can serve a driver now: Unavailable, Faulted and every port of an offline station count as down; Unknown is left out.';

export function isFaulted(status: string): boolean {
  return FAULTED_STATUSES.includes(toConnectorStatus(status));
}

/** A connector has an open error when it reports an OCPP error code or is Faulted. */
export function hasOpenError(status: string, errorCode: string): boolean {
  return errorCode !== 'NoError' || isFaulted(status);
}

/**
 * Status label of a port in counts by status (`chargewatch_connectors{status}`, the fleet summary's
 * `byStatus`): ports of offline stations are counted as "Offline", not as their last status.
 */
export const OFFLINE_STATUS_LABEL = 'Offline';

export function reportedStatus(status: string, stationOnline: boolean): ConnectorStatus | typeof OFFLINE_STATUS_LABEL {
  return stationOnline ? toConnectorStatus(status) : OFFLINE_STATUS_LABEL;
}

/** Worst first, for "sort by status": problems at the top of the station table. */
export const STATUS_SEVERITY_ORDER: readonly ConnectorStatus[] = [
  'Faulted',
  'Unavailable',
  'Unknown',
  'Preparing',
  'Finishing',
  'SuspendedEVSE',
  'SuspendedEV',
  'Charging',
  'Occupied',
  'Reserved',
  'Available',
];

/** 0 = worst. Unrecognised strings rank after every known status. */
export function statusSeverityRank(status: string): number {
  const i = STATUS_SEVERITY_ORDER.indexOf(status as ConnectorStatus);
  return i < 0 ? STATUS_SEVERITY_ORDER.length : i;
}

// ---------------------------------------------------------------------------------------------
// OCPI 2.2.1 EVSE status

export const OCPI_EVSE_STATUSES = [
  'AVAILABLE',
  'BLOCKED',
  'CHARGING',
  'INOPERATIVE',
  'OUTOFORDER',
  'PLANNED',
  'REMOVED',
  'RESERVED',
  'UNKNOWN',
] as const;
export type OcpiEvseStatus = (typeof OCPI_EVSE_STATUSES)[number];

/** The common OCPP → OCPI mapping (in neither spec; /work/shared/SPEC-NOTES.md §4). */
export const OCPI_STATUS: Readonly<Record<ConnectorStatus, OcpiEvseStatus>> = {
  Available: 'AVAILABLE',
  Preparing: 'CHARGING',
  Charging: 'CHARGING',
  SuspendedEVSE: 'CHARGING',
  SuspendedEV: 'CHARGING',
  Finishing: 'CHARGING',
  Occupied: 'CHARGING',
  Reserved: 'RESERVED',
  Unavailable: 'INOPERATIVE',
  Faulted: 'OUTOFORDER',
  Unknown: 'UNKNOWN',
};

/**
 * OCPI status of a port. `reachable`: the station is online and its state is current (the caller
 * decides when a silent station is stale); an unreachable station's ports are UNKNOWN. Note the
 * difference to availability, where they count as down: OCPI reports what is known, availability
 * what a driver can use.
 */
export function toOcpiStatus(status: string, reachable: boolean): OcpiEvseStatus {
  return reachable ? OCPI_STATUS[toConnectorStatus(status)] : 'UNKNOWN';
}

// ---------------------------------------------------------------------------------------------
// Presentation: one name and one colour per status for the plugin and the dashboards

export const STATUS_LABEL: Readonly<Record<ConnectorStatus, string>> = {
  Available: 'Available',
  Preparing: 'Preparing',
  Charging: 'Charging',
  SuspendedEVSE: 'Suspended (EVSE)',
  SuspendedEV: 'Suspended (EV)',
  Finishing: 'Finishing',
  Reserved: 'Reserved',
  Unavailable: 'Unavailable',
  Faulted: 'Faulted',
  Occupied: 'Occupied',
  Unknown: 'Unknown',
};

/** Human label; strings that are not statuses (e.g. "Offline") are shown as they are. */
export function statusLabel(status: string): string {
  if (!status) return STATUS_LABEL.Unknown;
  return isConnectorStatus(status) ? STATUS_LABEL[status] : status;
}

/** Grafana named colours (resolved against the theme, so they suit light and dark mode). */
export const STATUS_COLOR: Readonly<Record<ConnectorStatus, string>> = {
  Available: 'green',
  Preparing: 'super-light-blue',
  Charging: 'blue',
  SuspendedEVSE: 'orange',
  SuspendedEV: 'yellow',
  Finishing: 'light-blue',
  Reserved: 'purple',
  Unavailable: 'dark-orange',
  Faulted: 'red',
  Occupied: 'semi-dark-blue',
  Unknown: 'gray',
};

// ---------------------------------------------------------------------------------------------
// PromQL and label helpers, so dashboards and rules select statuses by meaning, not by number

/** Sorted, distinct codes of a set of statuses. */
export function statusCodes(statuses: Iterable<ConnectorStatus>): number[] {
  return [...new Set([...statuses].map((s) => CONNECTOR_STATUS_CODE[s]))].sort((a, b) => a - b);
}

/** Regex alternation of the codes, for a label holding a code: `code=~"1|2|3"`. */
export function codeRegex(statuses: Iterable<ConnectorStatus>): string {
  return statusCodes(statuses).join('|');
}

/** Regex alternation of the names, for a label holding the status: `status=~"Faulted|Unavailable"`. */
export function statusNameRegex(statuses: Iterable<ConnectorStatus>): string {
  return [...new Set(statuses)].join('|');
}

/**
 * PromQL filter keeping the samples of `expr` whose value is one of the statuses' codes. Runs of
 * consecutive codes become one range: codes {1..7, 10} give `(expr >= 1 <= 7) or (expr == 10)`.
 */
export function promValueIn(expr: string, statuses: Iterable<ConnectorStatus>): string {
  const codes = statusCodes(statuses);
  if (codes.length === 0) throw new Error('promValueIn needs at least one status');
  const runs: Array<[number, number]> = [];
  for (const c of codes) {
    const last = runs[runs.length - 1];
    if (last && c === last[1] + 1) last[1] = c;
    else runs.push([c, c]);
  }
  const parts = runs.map(([a, b]) => (a === b ? `${expr} == ${a}` : `${expr} >= ${a} <= ${b}`));
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' or ');
}

/** PromQL giving every sample of `expr` the code of `status` (`expr * 0` plus the code). */
export function promAsStatus(expr: string, status: ConnectorStatus): string {
  const code = CONNECTOR_STATUS_CODE[status];
  return code === 0 ? `${expr} * 0` : `${expr} * 0 + ${code}`;
}
