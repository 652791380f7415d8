/** Pipeline health: collector throughput, validation failures, InfluxDB writes and backlog, scrapes. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { at, promGraph as graph } from './common';

export function pipelineHealth(): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder('ChargeWatch / Pipeline health')
    .uid('chargewatch-pipeline')
    .description('Collector throughput and errors, schema validation, InfluxDB write latency and backlog, Prometheus scrapes.')
    .tags(['chargewatch', 'platform'])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .readonly()
    .withPanel(
      graph('OCPP messages handled', at(0, 0, 12, 8), 'reqps', [
        ['sum by (instance, outcome) (rate(chargewatch_ocpp_messages_total[$__rate_interval]))', '{{instance}} {{outcome}}'],
      ]),
    )
    .withPanel(
      graph('OCPP call duration p99', at(12, 0, 12, 8), 's', [
        ['histogram_quantile(0.99, sum by (instance, le) (rate(chargewatch_ocpp_call_duration_seconds_bucket[$__rate_interval])))', '{{instance}}'],
      ]),
    )
    .withPanel(
      graph('Schema validation failures and bad frames', at(0, 8, 12, 8), 'reqps', [
        ['sum by (action, protocol) (rate(chargewatch_ocpp_validation_failures_total[$__rate_interval])) or vector(0)', '{{action}} {{protocol}}'],
        ['sum by (reason) (rate(chargewatch_ocpp_bad_messages_total[$__rate_interval])) or vector(0)', 'bad frame: {{reason}}'],
      ]),
    )
    .withPanel(
      graph('Connections', at(12, 8, 12, 8), 'ops', [
        ['sum by (instance) (rate(chargewatch_connections_opened_total[$__rate_interval]))', 'opened {{instance}}'],
        ['sum by (instance) (rate(chargewatch_connections_closed_total[$__rate_interval])) or vector(0)', 'closed {{instance}}'],
        ['sum by (reason) (rate(chargewatch_connections_rejected_total[$__rate_interval])) or vector(0)', 'rejected {{reason}}'],
      ]),
    )
    .withPanel(
      graph('InfluxDB points written and failed writes', at(0, 16, 12, 8), 'ops', [
        ['sum by (instance) (rate(chargewatch_influx_points_written_total[$__rate_interval]))', 'points {{instance}}'],
        ['sum by (instance) (rate(chargewatch_influx_write_failures_total[$__rate_interval]))', 'failed writes {{instance}}'],
      ]),
    )
    .withPanel(
      graph('InfluxDB write latency', at(12, 16, 12, 8), 's', [
        ['histogram_quantile(0.5, sum by (instance, le) (rate(chargewatch_influx_write_duration_seconds_bucket[$__rate_interval])))', 'p50 {{instance}}'],
        ['histogram_quantile(0.99, sum by (instance, le) (rate(chargewatch_influx_write_duration_seconds_bucket[$__rate_interval])))', 'p99 {{instance}}'],
      ]),
    )
    .withPanel(
      graph('InfluxDB backlog', at(0, 24, 12, 8), 'short', [
        ['sum by (instance) (chargewatch_influx_backlog_points)', 'points {{instance}}'],
      ]),
    )
    .withPanel(
      graph('Oldest unwritten point', at(12, 24, 12, 8), 's', [
        ['max by (instance) (chargewatch_influx_backlog_oldest_age_seconds)', '{{instance}}'],
      ]),
    )
    .withPanel(
      graph('Scrape duration and samples', at(0, 32, 12, 8), 's', [
        ['max by (job, instance) (scrape_duration_seconds{job=~".*chargewatch.*"})', '{{job}} {{instance}}'],
      ]),
    )
    .withPanel(
      graph('Scrape samples', at(12, 32, 6, 8), 'short', [
        ['sum by (job, instance) (scrape_samples_scraped{job=~".*chargewatch.*"})', '{{job}} {{instance}}'],
      ]),
    )
    .withPanel(
      graph('Redis errors', at(18, 32, 6, 8), 'ops', [
        ['sum by (operation) (rate(chargewatch_redis_errors_total[$__rate_interval])) or vector(0)', '{{operation}}'],
      ]),
    );
}
