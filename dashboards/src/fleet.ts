/**
 * Fleet overview: the NOC wall screen. Big numbers first (legible from across a room), then the
 * connector status grid, then where it hurts (worst sites, models with most errors).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { AVAILABILITY_DEFINITION, promAsStatus } from '../../model/src/status';
import { COLORS, at, promql, thresholds } from './common';

function bigStat(title: string, expr: string, gridPos: dashboard.GridPos, opts: { unit?: string; decimals?: number; steps: [number | null, string][]; description: string }) {
  const p = new StatBuilder()
    .title(title)
    .description(opts.description)
    .gridPos(gridPos)
    .withTarget(promql('A', expr, { instant: true }))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.Value)
    .justifyMode(common.BigValueJustifyMode.Center)
    .text(new common.VizTextDisplayOptionsBuilder().titleSize(28).valueSize(96))
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(opts.steps));
  if (opts.unit) p.unit(opts.unit);
  if (opts.decimals !== undefined) p.decimals(opts.decimals);
  return p;
}

export function fleetOverview(): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder('ChargeWatch / Fleet overview')
    .uid('chargewatch-fleet-overview')
    .description('NOC wall screen: availability, online stations, faulted connectors, sessions and power now, worst sites and models.')
    .tags(['chargewatch', 'noc'])
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .readonly()
    .withPanel(
      bigStat('Availability', 'fleet:chargewatch_availability:ratio', at(0, 0, 4, 7), {
        unit: 'percentunit',
        decimals: 1,
        steps: [[null, COLORS.bad], [0.9, COLORS.warn], [0.97, COLORS.ok]],
        description: AVAILABILITY_DEFINITION,
      }),
    )
    .withPanel(
      bigStat('Stations online', 'fleet:chargewatch_stations_online:sum', at(4, 0, 4, 7), {
        decimals: 0,
        steps: [[null, COLORS.info]],
        description: 'Stations with an open websocket to a collector.',
      }),
    )
    .withPanel(
      bigStat('Stations offline', 'fleet:chargewatch_stations:count - fleet:chargewatch_stations_online:sum', at(8, 0, 4, 7), {
        decimals: 0,
        steps: [[null, COLORS.ok], [1, COLORS.warn], [10, COLORS.bad]],
        description: 'Stations known to a collector without an open websocket.',
      }),
    )
    .withPanel(
      bigStat('Faulted connectors', 'fleet:chargewatch_connectors_faulted:count or vector(0)', at(12, 0, 4, 7), {
        decimals: 0,
        steps: [[null, COLORS.ok], [1, COLORS.warn], [10, COLORS.bad]],
        description: 'Connectors of online stations reporting Faulted.',
      }),
    )
    .withPanel(
      bigStat('Sessions now', 'fleet:chargewatch_sessions_active:sum', at(16, 0, 4, 7), {
        decimals: 0,
        steps: [[null, COLORS.info]],
        description: 'Open transactions.',
      }),
    )
    .withPanel(
      bigStat('Power now', 'fleet:chargewatch_energy_delivered_wh:rate5m * 3600', at(20, 0, 4, 7), {
        unit: 'watt',
        decimals: 1,
        steps: [[null, COLORS.info]],
        description: 'Average power delivered over the last 5 minutes (from the energy registers).',
      }),
    )
    .withPanel(
      new dashboard.PanelBuilder()
        .type('chargewatch-statusgrid-panel')
        .title('Connectors')
        .description('One cell per connector, coloured by status. Connectors of offline stations show as Unknown.')
        .gridPos(at(0, 7, 24, 12))
        .withTarget(
          promql(
            'A',
            // Connectors of offline stations have no current status: they are drawn as Unknown.
            `connector:chargewatch_connector_status_code:current or on (station_id, site, evse, connector) (${promAsStatus(
              'max by (station_id, site, evse, connector) (chargewatch_connector_status_code)',
              'Unknown',
            )})`,
            { instant: true, format: 'table' },
          ),
        )
        .options({ cellSize: 110, showLabels: true, showLegend: true, groupBySite: true, linkToStation: true }),
    )
    .withPanel(
      new BarGaugeBuilder()
        .title('Worst sites by availability')
        .gridPos(at(0, 19, 8, 10))
        .withTarget(promql('A', 'bottomk(10, site:chargewatch_availability:ratio)', { instant: true, legend: '{{site}}' }))
        .unit('percentunit')
        .min(0)
        .max(1)
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .thresholds(thresholds([[null, COLORS.bad], [0.8, COLORS.warn], [0.97, COLORS.ok]])),
    )
    .withPanel(
      new BarGaugeBuilder()
        .title('Models with most connector errors (1h)')
        .gridPos(at(8, 19, 8, 10))
        .withTarget(
          promql('A', 'topk(10, sum by (vendor, model) (vendor_model_error_code:chargewatch_connector_errors:increase1h))', {
            instant: true,
            legend: '{{vendor}} {{model}}',
          }),
        )
        .decimals(0)
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Basic)
        .thresholds(thresholds([[null, COLORS.warn]])),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Availability, last hours')
        .gridPos(at(16, 19, 8, 10))
        .withTarget(promql('A', 'fleet:chargewatch_availability:ratio', { legend: 'fleet' }))
        .unit('percentunit')
        .max(1)
        .thresholds(thresholds([[null, COLORS.bad], [0.9, COLORS.warn], [0.97, COLORS.ok]])),
    );
}
