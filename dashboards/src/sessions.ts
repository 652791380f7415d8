/**
 * Sessions and energy history from InfluxDB. Raw InfluxQL only (no Flux, no SQL), so the same
 * dashboard runs on InfluxDB 1.x, on 2.x through the bucket's DBRP mapping, and on 3.x.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarChartBuilder } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { INFLUXDB, at, influxql } from './common';

const SITE = `"site" =~ /^$site$/`;

export function sessionsEnergy(): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder('ChargeWatch / Sessions and energy')
    .uid('chargewatch-sessions-energy')
    .description('Session counts, energy delivered, durations and stop reasons from the InfluxDB history (InfluxQL).')
    .tags(['chargewatch', 'influxdb'])
    .refresh('5m')
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .readonly()
    .withVariable(
      new dashboard.QueryVariableBuilder('site')
        .label('Site')
        .datasource(INFLUXDB)
        .query('SHOW TAG VALUES FROM "transaction" WITH KEY = "site"')
        .definition('SHOW TAG VALUES FROM "transaction" WITH KEY = "site"')
        .multi(true)
        .includeAll(true)
        .allValue('.*')
        .current({ text: 'All', value: '$__all', selected: true })
        .refresh(dashboard.VariableRefresh.OnDashboardLoad)
        .sort(dashboard.VariableSort.AlphabeticalAsc),
    )
    .withPanel(
      new StatBuilder()
        .title('Sessions ended')
        .gridPos(at(0, 0, 6, 5))
        .withTarget(influxql('A', `SELECT count("transaction_id") FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter`))
        .decimals(0)
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Energy delivered')
        .gridPos(at(6, 0, 6, 5))
        .withTarget(influxql('A', `SELECT sum("energy_wh") FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter`))
        .unit('watth')
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Mean session duration')
        .gridPos(at(12, 0, 6, 5))
        .withTarget(influxql('A', `SELECT mean("duration_s") FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter`))
        .unit('s')
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new StatBuilder()
        .title('Mean energy per session')
        .gridPos(at(18, 0, 6, 5))
        .withTarget(influxql('A', `SELECT mean("energy_wh") FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter`))
        .unit('watth')
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      new BarChartBuilder()
        .title('Sessions started')
        .gridPos(at(0, 5, 12, 9))
        .withTarget(
          influxql('A', `SELECT count("transaction_id") FROM "transaction" WHERE "event" = 'started' AND ${SITE} AND $timeFilter GROUP BY time($__interval) fill(0)`).alias('sessions'),
        )
        .decimals(0),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Energy delivered per interval')
        .gridPos(at(12, 5, 12, 9))
        .withTarget(
          influxql('A', `SELECT sum("energy_wh") FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter GROUP BY time($__interval), "site" fill(0)`).alias('$tag_site'),
        )
        .unit('watth')
        .drawStyle(common.GraphDrawStyle.Bars),
    )
    .withPanel(
      new TimeseriesBuilder()
        .title('Power by site (meter values)')
        .gridPos(at(0, 14, 12, 9))
        .withTarget(
          influxql(
            'A',
            `SELECT mean("value") FROM "meter" WHERE "measurand" = 'Power.Active.Import' AND ${SITE} AND $timeFilter GROUP BY time($__interval), "station_id" fill(none)`,
          ).alias('$tag_station_id'),
        )
        .unit('watt'),
    )
    .withPanel(
      new TableBuilder()
        .title('Stop reasons')
        .gridPos(at(12, 14, 12, 9))
        .withTarget(
          influxql('A', `SELECT count("transaction_id") AS "sessions", sum("energy_wh") AS "energy_wh" FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter GROUP BY "stopped_reason"`).table(),
        ),
    )
    .withPanel(
      new TableBuilder()
        .title('Stations by energy delivered')
        .gridPos(at(0, 23, 24, 9))
        .withTarget(
          influxql(
            'A',
            `SELECT sum("energy_wh") AS "energy_wh", count("transaction_id") AS "sessions" FROM "transaction" WHERE "event" = 'ended' AND ${SITE} AND $timeFilter GROUP BY "station_id", "site"`,
          ).table(),
        ),
    );
}
