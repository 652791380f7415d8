/** Every dashboard, keyed by the file name it is generated to under dashboards/generated/. */
import type { Dashboard, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { firmwareDashboard } from './firmware';
import { fleetOverview } from './fleet';
import { pipelineHealth } from './pipeline';
import { sessionsEnergy } from './sessions';
import { stationDrilldown } from './station';

export function allDashboards(): Record<string, Dashboard> {
  return {
    'fleet-overview.json': finalize(fleetOverview().build()),
    'station.json': finalize(stationDrilldown().build()),
    'sessions-energy.json': finalize(sessionsEnergy().build()),
    'pipeline-health.json': finalize(pipelineHealth().build()),
    'firmware.json': finalize(firmwareDashboard().build()),
  };
}

/**
 * Gives panels stable ids (links and Grafana's panel edit URLs use them) and a panel-level datasource
 * equal to their targets' one, which Grafana's query editor expects.
 */
function finalize(d: Dashboard): Dashboard {
  (d.panels ?? []).forEach((p, i) => {
    const panel = p as Panel;
    panel.id = i + 1;
    const uids = new Set((panel.targets ?? []).map((t: any) => JSON.stringify(t.datasource)));
    if (uids.size === 1) panel.datasource = (panel.targets![0] as any).datasource;
  });
  return d;
}

/** The exact file content: stable key order from the builders, two-space indent, trailing newline. */
export function render(d: Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
