import { type DataFrame, FieldType, type Labels } from '@grafana/data';
import { type ConnectorStatus, isStationLevelConnector, statusFromCode } from '@chargewatch/model/status';

export interface ConnectorCell {
  stationId: string;
  site: string;
  evse: string;
  connector: string;
  code: number;
  status: ConnectorStatus;
}

export const NO_SITE = '(no site)';

const LABELS = ['station_id', 'site', 'evse', 'connector'] as const;

function lastNumber(values: ArrayLike<unknown>): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return undefined;
}

function makeCell(labels: Labels | Record<string, unknown>, code: number): ConnectorCell | undefined {
  const stationId = labels.station_id;
  if (stationId === undefined || stationId === null || stationId === '') {
    return undefined;
  }
  return {
    stationId: String(stationId),
    site: labels.site ? String(labels.site) : NO_SITE,
    evse: labels.evse !== undefined && labels.evse !== null ? String(labels.evse) : '1',
    connector: labels.connector !== undefined && labels.connector !== null ? String(labels.connector) : '1',
    code,
    status: statusFromCode(code),
  };
}

/**
 * Turns the data frames of a `chargewatch_connector_status_code` query into one cell per connector.
 * Accepts both shapes the Prometheus data source produces:
 *  - time series: one numeric field per series, with labels on the field; the latest value counts;
 *  - table: string fields named after the labels plus a numeric value column, one row per series (and sample).
 * A connector seen twice keeps its last value.
 */
export function framesToCells(frames: DataFrame[]): ConnectorCell[] {
  const cells = new Map<string, ConnectorCell>();
  const put = (cell: ConnectorCell | undefined) => {
    if (cell) {
      cells.set(`${cell.stationId}\u0000${cell.evse}\u0000${cell.connector}`, cell);
    }
  };

  for (const frame of frames) {
    const labelFields = frame.fields.filter((f) => (LABELS as readonly string[]).includes(f.name));
    const numberFields = frame.fields.filter((f) => f.type === FieldType.number);

    if (labelFields.some((f) => f.name === 'station_id')) {
      // table format
      const valueField = numberFields.find((f) => !(LABELS as readonly string[]).includes(f.name));
      if (!valueField) {
        continue;
      }
      for (let row = 0; row < frame.length; row++) {
        const labels: Record<string, unknown> = {};
        for (const f of labelFields) {
          labels[f.name] = f.values[row];
        }
        const v = valueField.values[row];
        if (typeof v === 'number' && Number.isFinite(v)) {
          put(makeCell(labels, v));
        }
      }
      continue;
    }

    for (const field of numberFields) {
      const code = lastNumber(field.values);
      if (code === undefined) {
        continue;
      }
      put(makeCell(field.labels ?? {}, code));
    }
  }

  return sortCells([...cells.values()]);
}

/** OCPP 1.6 connector 0 (exported with evse "0") describes the whole station, not a plug. */
export function isStationLevel(cell: ConnectorCell): boolean {
  return isStationLevelConnector(cell.evse);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function sortCells(cells: ConnectorCell[]): ConnectorCell[] {
  return cells.sort(
    (a, b) =>
      collator.compare(a.site, b.site) ||
      collator.compare(a.stationId, b.stationId) ||
      collator.compare(a.evse, b.evse) ||
      collator.compare(a.connector, b.connector)
  );
}

export interface SiteGroup {
  site: string;
  cells: ConnectorCell[];
  counts: Partial<Record<ConnectorStatus, number>>;
}

export function countByStatus(cells: ConnectorCell[]): Partial<Record<ConnectorStatus, number>> {
  const counts: Partial<Record<ConnectorStatus, number>> = {};
  for (const c of cells) {
    counts[c.status] = (counts[c.status] ?? 0) + 1;
  }
  return counts;
}

/** Groups sorted cells by site (sites in natural order, "(no site)" last). */
export function groupBySite(cells: ConnectorCell[]): SiteGroup[] {
  const groups = new Map<string, ConnectorCell[]>();
  for (const c of cells) {
    const list = groups.get(c.site) ?? [];
    list.push(c);
    groups.set(c.site, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === NO_SITE ? 1 : b === NO_SITE ? -1 : collator.compare(a, b)))
    .map(([site, list]) => ({ site, cells: list, counts: countByStatus(list) }));
}
