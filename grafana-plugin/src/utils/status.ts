import type { GrafanaTheme2 } from '@grafana/data';
import { CONNECTOR_STATUSES, type ConnectorStatus } from '../api/types';

/** Numeric codes exported by the collector as `chargewatch_connector_status_code`. */
export const STATUS_CODES: Record<ConnectorStatus, number> = {
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

const BY_CODE: ConnectorStatus[] = (Object.keys(STATUS_CODES) as ConnectorStatus[]).reduce<ConnectorStatus[]>(
  (acc, status) => {
    acc[STATUS_CODES[status]] = status;
    return acc;
  },
  []
);

export function statusFromCode(code: number | null | undefined): ConnectorStatus {
  if (code === null || code === undefined || !Number.isFinite(code)) {
    return 'Unknown';
  }
  return BY_CODE[Math.round(code)] ?? 'Unknown';
}

export function isConnectorStatus(value: string): value is ConnectorStatus {
  return (CONNECTOR_STATUSES as readonly string[]).includes(value);
}

/** Grafana named colours per status; resolved against the theme so they work in light and dark mode. */
export const STATUS_COLOR_NAMES: Record<ConnectorStatus, string> = {
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

export function statusColor(theme: GrafanaTheme2, status: string): string {
  const name = isConnectorStatus(status) ? STATUS_COLOR_NAMES[status] : STATUS_COLOR_NAMES.Unknown;
  return theme.visualization.getColorByName(name);
}

/** Human label: splits CamelCase for the suspended states. */
export function statusLabel(status: string): string {
  switch (status) {
    case 'SuspendedEVSE':
      return 'Suspended (EVSE)';
    case 'SuspendedEV':
      return 'Suspended (EV)';
    default:
      return status || 'Unknown';
  }
}
