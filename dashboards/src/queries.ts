/**
 * Every panel query of every dashboard, with the dashboards' template variables replaced by real
 * values, so a test can run each one against the real Prometheus and InfluxDB. Grafana's own macros
 * ($timeFilter, $__interval, $__rate_interval, …) are left in place; expandMacros() replaces them for
 * a given time range the way Grafana does.
 */
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { allDashboards } from './index';

export type QueryKind = 'promql' | 'influxql';

export interface PanelQuery {
  dashboard: string;
  dashboardUid: string;
  panel: string;
  panelType: string;
  refId: string;
  kind: QueryKind;
  query: string;
  /** Instant (PromQL only): the panel shows the latest value. */
  instant: boolean;
}

export interface VariableValues {
  /** A station known to the stack (Station drill-down). */
  station_id: string;
  /** Site regex for the InfluxQL dashboards; defaults to Grafana's "All" value (.*). */
  site?: string;
}

function substituteVariables(query: string, values: Record<string, string>): string {
  return query.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, plain: string | undefined) => {
    const name = (braced ?? plain)!;
    if (name.startsWith('__') || name === 'timeFilter' || name.startsWith('tag_')) return whole;
    if (!(name in values)) throw new Error(`query uses template variable $${name} with no value: ${query}`);
    return values[name];
  });
}

function panelsOf(d: Dashboard): Panel[] {
  return (d.panels ?? []).flatMap((p) => ((p as RowPanel).type === 'row' ? ((p as RowPanel).panels ?? []) : [p as Panel]));
}

export function allPanelQueries(vars: VariableValues, dashboards: Record<string, Dashboard> = allDashboards()): PanelQuery[] {
  const values: Record<string, string> = { station_id: vars.station_id, site: vars.site ?? '.*' };
  const out: PanelQuery[] = [];
  for (const d of Object.values(dashboards)) {
    for (const panel of panelsOf(d)) {
      for (const target of (panel.targets ?? []) as any[]) {
        const uid = target.datasource?.uid ?? panel.datasource?.uid;
        const kind: QueryKind | undefined = uid === 'prometheus' ? 'promql' : uid === 'influxdb' ? 'influxql' : undefined;
        if (!kind) throw new Error(`panel "${panel.title}" of ${d.title} has a target on unknown datasource ${uid}`);
        const raw: string = kind === 'promql' ? target.expr : target.query;
        out.push({
          dashboard: d.title ?? '',
          dashboardUid: d.uid ?? '',
          panel: panel.title ?? '',
          panelType: panel.type,
          refId: target.refId,
          kind,
          query: substituteVariables(raw, values),
          instant: kind === 'promql' && target.instant === true && target.range !== true,
        });
      }
    }
  }
  return out;
}

/** Grafana's interval for a range and a max data point count, rounded to a whole second (min 1 s). */
export function intervalFor(fromMs: number, toMs: number, maxDataPoints = 1000): number {
  return Math.max(1, Math.round((toMs - fromMs) / maxDataPoints / 1000));
}

/**
 * Replaces Grafana's macros as Grafana would for the range [fromMs, toMs]. For PromQL, $__rate_interval
 * is max($__interval + scrape interval, 4 × scrape interval).
 */
export function expandMacros(q: Pick<PanelQuery, 'kind' | 'query'>, fromMs: number, toMs: number, scrapeIntervalSec = 15): string {
  const interval = intervalFor(fromMs, toMs);
  const rangeSec = Math.max(1, Math.round((toMs - fromMs) / 1000));
  let s = q.query;
  if (q.kind === 'influxql') {
    s = s.replace(/\$timeFilter/g, `time >= ${Math.floor(fromMs)}ms AND time <= ${Math.ceil(toMs)}ms`);
    s = s.replace(/\$__interval_ms/g, String(interval * 1000)).replace(/\$__interval/g, `${interval}s`);
  } else {
    const rate = Math.max(interval + scrapeIntervalSec, 4 * scrapeIntervalSec);
    s = s
      .replace(/\$__rate_interval/g, `${rate}s`)
      .replace(/\$__interval_ms/g, String(interval * 1000))
      .replace(/\$__interval/g, `${interval}s`)
      .replace(/\$__range/g, `${rangeSec}s`);
  }
  const leftover = /\$(?!tag_)[\w{]+/.exec(s);
  if (leftover) throw new Error(`unexpanded macro ${leftover[0]} in ${s}`);
  return s;
}
