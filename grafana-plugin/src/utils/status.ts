import type { GrafanaTheme2 } from '@grafana/data';
import { STATUS_COLOR, toConnectorStatus } from '@chargewatch/model/status';

/**
 * A status's colour in the current theme. The meaning of statuses (codes, names, colour names,
 * availability) lives in model/src/status.ts; only resolving a colour name against the theme is the
 * plugin's.
 */
export function statusColor(theme: GrafanaTheme2, status: string): string {
  return theme.visualization.getColorByName(STATUS_COLOR[toConnectorStatus(status)]);
}
