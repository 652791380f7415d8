/** Station drill-down: one station's connection, connectors, heartbeat, skew, sessions and errors. */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { CONNECTOR_STATUSES, CONNECTOR_STATUS_CODE, STATUS_COLOR, statusLabel } from '../../model/src/status';
import { COLORS, PROMETHEUS, at, influxql, promql, thresholds } from './common';

/** Code → status name and colour, from the one status model the plugin's grid panel uses too. */
const STATUS_MAPPINGS: dashboard.ValueMapping[] = [
  {
    type: dashboard.MappingType.ValueToText,
    options: Object.fromEntries(
      [...CONNECTOR_STATUSES]
        .sort((a, b) => CONNECTOR_STATUS_CODE[a] - CONNECTOR_STATUS_CODE[b])
        .map((s, index) => [String(CONNECTOR_STATUS_CODE[s]), { text: statusLabel(s), color: STATUS_COLOR[s], index }]),
    ),
  },
];

const ST = '{station_id="$station_id"}';

export function stationDrilldown(): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder('ChargeWatch / Station')
    .uid('chargewatch-station')
    .description('Drill-down for one station: connectivity, connector states, heartbeat, clock skew, sessions and errors.')
    .tags(['chargewatch'])
    .refresh('30s')
    .time({ from: 'now-24h', to: 'now' })
    .timezone('browser')
    .readonly()
    .withVariable(
      new dashboard.QueryVariableBuilder('station_id')
        .label('Station')
        .datasource(PROMETHEUS)
        .query({ query: 'label_values(chargewatch_station_connected, station_id)', refId: 'StationIds' })
        .definition('label_values(chargewatch_station_connected, station_id)')
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc),
    )
    .withPanel(
      new StatBuilder()
        .title('Connection')
        .gridPos(at(0, 0, 4, 5))
        .withTarget(promql('A', `max(chargewatch_station_connected${ST})`, { instant: true }))
        .mappings([{ type: dashboard.MappingType.ValueToText, options: { '0': { text: 'Offline', color: 'red' }, '1': { text: 'Online', color: 'green' } } }])
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Last message')
        .gridPos(at(4, 0, 4, 5))
        .withTarget(promql('A', `max(chargewatch_station_heartbeat_age_seconds${ST} and on (job, instance, station_id, site) (chargewatch_station_connected == 1))`, { instant: true }))
        .unit('s')
        .thresholds(thresholds([[null, COLORS.ok], [600, COLORS.warn], [900, COLORS.bad]]))
        .colorMode(common.BigValueColorMode.Value)
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Clock skew')
        .gridPos(at(8, 0, 4, 5))
        .withTarget(promql('A', `max(chargewatch_station_clock_skew_seconds${ST})`, { instant: true }))
        .unit('s')
        .thresholds(thresholds([[null, COLORS.bad], [-120, COLORS.ok], [120, COLORS.bad]]))
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Reconnects (24h)')
        .gridPos(at(12, 0, 4, 5))
        .withTarget(promql('A', `sum(increase(chargewatch_station_reconnects_total${ST}[24h]))`, { instant: true }))
        .decimals(0)
        .thresholds(thresholds([[null, COLORS.ok], [6, COLORS.warn], [24, COLORS.bad]]))
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new TableBuilder()
        .title('Station info')
        .gridPos(at(16, 0, 8, 5))
        .withTarget(promql('A', `max by (station_id, site, vendor, model, firmware_version) (chargewatch_station_info${ST})`, { instant: true, format: 'table' }))
        .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true } } }),
    )
    .withPanel(
      new StateTimelineBuilder()
        .title('Connector status')
        .gridPos(at(0, 5, 24, 8))
        .withTarget(promql('A', `max by (evse, connector) (chargewatch_connector_status_code${ST})`, { legend: 'EVSE {{evse}} / connector {{connector}}' }))
        .mappings(STATUS_MAPPINGS),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Connected and heartbeat age')
        .gridPos(at(0, 13, 12, 8))
        .withTarget(promql('A', `max(chargewatch_station_heartbeat_age_seconds${ST})`, { legend: 'seconds since last message' }))
        .withTarget(promql('B', `max(chargewatch_station_connected${ST})`, { legend: 'connected' }))
        .unit('s'),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Power')
        .gridPos(at(12, 13, 12, 8))
        .withTarget(
          influxql(
            'A',
            `SELECT mean("value") FROM "meter" WHERE "station_id" = '$station_id' AND "measurand" = 'Power.Active.Import' AND $timeFilter GROUP BY time($__interval), "evse" fill(none)`,
          ).alias('EVSE $tag_evse'),
        )
        .unit('watt'),
    )
    .withPanel(
      new TableBuilder()
        .title('Recent status notifications')
        .gridPos(at(0, 21, 12, 9))
        .withTarget(
          influxql(
            'A',
            `SELECT "status", "error_code", "vendor_error_code", "info", "evse", "connector" FROM "connector_status" WHERE "station_id" = '$station_id' AND $timeFilter ORDER BY time DESC LIMIT 50`,
          ).table(),
        ),
    )
    .withPanel(
      new TableBuilder()
        .title('Recent sessions')
        .gridPos(at(12, 21, 12, 9))
        .withTarget(
          influxql(
            'A',
            `SELECT "transaction_id", "energy_wh", "duration_s", "stopped_reason", "evse" FROM "transaction" WHERE "station_id" = '$station_id' AND "event" = 'ended' AND $timeFilter ORDER BY time DESC LIMIT 50`,
          ).table(),
        ),
    );
}
