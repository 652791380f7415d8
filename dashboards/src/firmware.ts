/**
 * Firmware: how far the fleet is from its target releases, and how running campaigns progress. The
 * gauges come from the worker (read from PostgreSQL), so every worker reports the same value: max.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { at, influxql, promGraph as graph, promql, thresholds } from './common';

function stat(title: string, gridPos: dashboard.GridPos, expr: string, steps: [number | null, string][]) {
  return new StatBuilder().title(title).gridPos(gridPos).withTarget(promql('A', expr, { instant: true })).decimals(0).graphMode(common.BigValueGraphMode.None).thresholds(thresholds(steps));
}

export function firmwareDashboard(): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder('ChargeWatch / Firmware')
    .uid('chargewatch-firmware')
    .description('Stations on and off their target firmware release per vendor/model, firmware campaigns and their waves, stations that did not come back after an install.')
    .tags(['chargewatch', 'firmware'])
    .refresh('1m')
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .readonly()
    .withPanel(stat('Stations off target', at(0, 0, 6, 5), 'sum(max by (vendor, model) (chargewatch_firmware_stations{target="off"})) or vector(0)', [[null, 'green'], [1, 'yellow']]))
    .withPanel(stat('Campaigns running', at(6, 0, 6, 5), 'max(chargewatch_firmware_campaigns{status="running"}) or vector(0)', [[null, 'blue']]))
    .withPanel(stat('Campaigns paused by themselves', at(12, 0, 6, 5), 'sum(max by (reason) (chargewatch_firmware_campaigns_paused{reason!="operator"})) or vector(0)', [[null, 'green'], [1, 'orange']]))
    .withPanel(stat('Not back after install (24 h)', at(18, 0, 6, 5), 'max(chargewatch_firmware_updates_not_back) or vector(0)', [[null, 'green'], [1, 'red']]))
    .withPanel(
      graph('Stations by target state', at(0, 5, 12, 9), 'short', [
        ['sum by (target) (max by (vendor, model, target) (chargewatch_firmware_stations))', '{{target}}'],
      ]),
    )
    .withPanel(
      graph('Stations off target per vendor/model', at(12, 5, 12, 9), 'short', [
        // No series while no model has a target: 0, not an empty panel.
        ['max by (vendor, model) (chargewatch_firmware_stations{target="off"}) or vector(0)', '{{vendor}} {{model}}'],
      ]),
    )
    .withPanel(
      graph('Campaign stations by state', at(0, 14, 12, 9), 'short', [
        // Series exist only while a campaign runs or is paused.
        ['max by (campaign, state) (chargewatch_firmware_campaign_stations) or vector(0)', 'campaign {{campaign}} {{state}}'],
      ]),
    )
    .withPanel(
      graph('Current wave failed', at(12, 14, 12, 9), 'percent', [
        ['max by (campaign) (chargewatch_firmware_campaign_wave_failed_percent) or vector(0)', 'campaign {{campaign}}'],
      ]),
    )
    .withPanel(
      new TableBuilder()
        .title('Firmware versions booted (InfluxDB)')
        .gridPos(at(0, 23, 24, 9))
        .withTarget(influxql('A', `SELECT count("firmware_version") AS "boots" FROM "boot" WHERE $timeFilter GROUP BY "vendor", "model", "firmware_version"`)),
    );
}
