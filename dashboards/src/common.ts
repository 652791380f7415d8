/**
 * Shared building blocks: datasource references (uids match provisioning/datasources/datasources.yml),
 * a PromQL query helper and an InfluxQL query builder. Foundation SDK 0.0.21 has no InfluxDB query
 * builder, so InfluxQL targets use the SDK's custom-dataquery pattern.
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as PromQueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const PROMETHEUS: common.DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const INFLUXDB: common.DataSourceRef = { type: 'influxdb', uid: 'influxdb' };

/** PromQL target. `instant` for stats, bar gauges, tables and the status grid; range for time series. */
export function promql(refId: string, expr: string, opts: { legend?: string; instant?: boolean; format?: 'table' } = {}): PromQueryBuilder {
  const q = new PromQueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr);
  if (opts.legend) q.legendFormat(opts.legend);
  if (opts.instant) q.instant();
  else q.range();
  if (opts.format === 'table') q.format(PromQueryFormat.Table);
  return q;
}

/** The JSON Grafana's InfluxDB datasource stores for a raw InfluxQL query. */
export interface InfluxQLQuery {
  refId?: string;
  hide?: boolean;
  datasource?: common.DataSourceRef;
  query: string;
  rawQuery: true;
  resultFormat: 'time_series' | 'table';
  alias?: string;
  _implementsDataqueryVariant(): void;
}

export class InfluxQLQueryBuilder implements Builder<Dataquery> {
  private readonly internal: InfluxQLQuery;

  constructor(refId: string, query: string) {
    this.internal = {
      refId,
      datasource: INFLUXDB,
      query,
      rawQuery: true,
      resultFormat: 'time_series',
      _implementsDataqueryVariant() {},
    };
  }

  table(): this {
    this.internal.resultFormat = 'table';
    return this;
  }

  alias(alias: string): this {
    this.internal.alias = alias;
    return this;
  }

  build(): InfluxQLQuery {
    return this.internal;
  }
}

export function influxql(refId: string, query: string): InfluxQLQueryBuilder {
  return new InfluxQLQueryBuilder(refId, query);
}

export function thresholds(steps: [number | null, string][]): Builder<dashboard.ThresholdsConfig> {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

/** Panel sizes on Grafana's 24-column grid. */
export function at(x: number, y: number, w: number, h: number): dashboard.GridPos {
  return { x, y, w, h };
}

export const COLORS = { ok: 'green', warn: 'orange', bad: 'red', info: 'blue', neutral: 'text' } as const;

/** A time series panel of PromQL targets `[expr, legend]`, refIds A, B, … in order. */
export function promGraph(title: string, gridPos: dashboard.GridPos, unit: string, targets: [string, string][]): TimeseriesBuilder {
  const p = new TimeseriesBuilder().title(title).gridPos(gridPos).unit(unit);
  targets.forEach(([expr, legend], i) => p.withTarget(promql(String.fromCharCode(65 + i), expr, { legend })));
  return p;
}
