/**
 * Dashboards as code: the committed JSON is what the generator produces, the datasources are the
 * provisioned ones, every PromQL query parses (promtool) and uses contract metrics, and every InfluxQL
 * query reads contract measurements with InfluxQL that runs on InfluxDB 1.x, 2.x (DBRP) and 3.x.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { allDashboards, render } from '../src/index';
import { allPanelQueries, expandMacros, intervalFor } from '../src/queries';

const REPO = resolve(__dirname, '../..');
const GENERATED = join(REPO, 'dashboards/generated');
const dashboards = allDashboards();
const queries = allPanelQueries({ station_id: 'CP-TEST-1' });

describe('generated dashboards', () => {
  test('the committed files are exactly what the generator produces (run `npm run generate -w dashboards`)', () => {
    const committed = readdirSync(GENERATED).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(Object.keys(dashboards).sort());
    for (const [file, d] of Object.entries(dashboards)) {
      expect({ file, content: readFileSync(join(GENERATED, file), 'utf8') }).toEqual({ file, content: render(d) });
    }
  });

  test('uids are unique and stable', () => {
    const uids = Object.values(dashboards).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids.sort()).toEqual(['chargewatch-firmware', 'chargewatch-fleet-overview', 'chargewatch-pipeline', 'chargewatch-sessions-energy', 'chargewatch-station']);
  });

  test.each(Object.entries(dashboards))('%s: panels have ids, titles, targets and do not overlap', (_file, d) => {
    const panels = d.panels as any[];
    expect(panels.length).toBeGreaterThanOrEqual(6);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect(p.title).toBeTruthy();
      expect(p.targets?.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    for (const a of panels) for (const b of panels) {
      if (a === b) continue;
      const overlap =
        a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w &&
        a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
      expect({ a: a.title, b: b.title, overlap }).toEqual({ a: a.title, b: b.title, overlap: false });
    }
  });

  test('every datasource uid a dashboard references is provisioned', () => {
    const provisioned = YAML.parse(readFileSync(join(REPO, 'provisioning/datasources/datasources.yml'), 'utf8'));
    const uids = new Set((provisioned.datasources as any[]).map((ds) => ds.uid));
    const used = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const ds = (node as any).datasource;
        if (ds && typeof ds === 'object' && ds.uid) used.add(ds.uid);
        Object.values(node).forEach(walk);
      }
    };
    Object.values(dashboards).forEach(walk);
    expect([...used].sort()).toEqual(['influxdb', 'prometheus']);
    for (const uid of used) expect(uids).toContain(uid);
  });

  test('the NOC wall shows the connector status grid fed by chargewatch_connector_status_code, and big numbers', () => {
    const fleet = dashboards['fleet-overview.json'];
    const grid = (fleet.panels as any[]).find((p) => p.type === 'chargewatch-statusgrid-panel');
    expect(grid).toBeDefined();
    expect(grid.targets[0].expr).toContain('chargewatch_connector_status_code');
    expect(grid.targets[0].instant).toBe(true);
    const stats = (fleet.panels as any[]).filter((p) => p.type === 'stat');
    expect(stats.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Availability', 'Stations online', 'Faulted connectors', 'Sessions now', 'Power now']),
    );
    for (const s of stats) expect(s.options.text.valueSize).toBeGreaterThanOrEqual(72);
    expect(fleet.refresh).toBe('30s');
  });

  test('the station drill-down has a station_id variable from label_values', () => {
    const v = (dashboards['station.json'].templating?.list ?? []).find((x: any) => x.name === 'station_id') as any;
    expect(v.query.query).toBe('label_values(chargewatch_station_connected, station_id)');
    expect(v.datasource.uid).toBe('prometheus');
  });
});

describe('panel queries', () => {
  const promqlQueries = queries.filter((q) => q.kind === 'promql');
  const influxqlQueries = queries.filter((q) => q.kind === 'influxql');
  const contract = readFileSync(join(REPO, 'docs/data-model.md'), 'utf8');

  test('allPanelQueries lists every target, with variables substituted', () => {
    const targets = Object.values(dashboards).flatMap((d) => (d.panels as any[]).flatMap((p) => p.targets));
    expect(queries).toHaveLength(targets.length);
    expect(influxqlQueries.length).toBeGreaterThanOrEqual(8);
    for (const q of queries) expect(q.query).not.toMatch(/\$(station_id|site)\b|\$\{/);
    expect(queries.filter((q) => q.query.includes('CP-TEST-1')).length).toBeGreaterThanOrEqual(8);
    expect(() => allPanelQueries({ station_id: 'x' }, { 'x.json': { ...dashboards['station.json'], panels: [{ type: 'stat', title: 't', targets: [{ refId: 'A', datasource: { uid: 'prometheus' }, expr: 'up{a="$nope"}' }] }] } as any })).toThrow(/\$nope/);
  });

  test('every PromQL query parses (promtool check rules on the expanded expressions)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-dash-'));
    try {
      const now = Date.now();
      const rules = promqlQueries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: expandMacros(q, now - 3_600_000, now) }));
      writeFileSync(join(dir, 'queries.yml'), YAML.stringify({ groups: [{ name: 'dashboards', rules }] }));
      const res = spawnSync('promtool', ['check', 'rules', join(dir, 'queries.yml')], { encoding: 'utf8' });
      if (res.error) throw new Error(`promtool is needed for this test: ${res.error.message}`);
      expect(`${res.stdout}${res.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(res.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PromQL uses only contract metrics, recorded series and Prometheus built-ins', () => {
    const recorded = new Set(
      (YAML.parse(readFileSync(join(REPO, 'alerting/rules/recording.yml'), 'utf8')).groups as any[]).flatMap((g) => g.rules.map((r: any) => r.record)),
    );
    for (const q of promqlQueries) {
      for (const m of q.query.matchAll(/(?<![\w:])(chargewatch_[a-z0-9_]+)/g)) {
        expect({ panel: q.panel, metric: m[1], documented: contract.includes(`\`${m[1].replace(/_(bucket|count|sum)$/, '')}\``) }).toEqual({ panel: q.panel, metric: m[1], documented: true });
      }
      for (const m of q.query.matchAll(/\b([a-z_]+:chargewatch_[a-z0-9_]+:[a-z0-9_]+)/g)) {
        expect({ panel: q.panel, series: m[1], recorded: recorded.has(m[1]) }).toEqual({ panel: q.panel, series: m[1], recorded: true });
      }
    }
  });

  test('InfluxQL reads contract measurements, is bounded in time and is not Flux or SQL', () => {
    const measurements = new Set([...contract.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]));
    expect(measurements).toContain('transaction');
    for (const q of influxqlQueries) {
      expect(q.query).toMatch(/^SELECT /);
      expect(q.query).toContain('$timeFilter');
      expect(q.query).not.toMatch(/from\(bucket|\|>|::/);
      for (const m of q.query.matchAll(/FROM "([a-z_]+)"/g)) expect({ panel: q.panel, measurement: m[1], known: measurements.has(m[1]) }).toEqual({ panel: q.panel, measurement: m[1], known: true });
    }
  });
});

describe('macro expansion', () => {
  const from = Date.UTC(2024, 0, 1, 0, 0, 0);
  const to = from + 6 * 3_600_000;

  test('InfluxQL $timeFilter and $__interval', () => {
    expect(intervalFor(from, to)).toBe(22);
    expect(expandMacros({ kind: 'influxql', query: 'SELECT mean("value") FROM "meter" WHERE $timeFilter GROUP BY time($__interval)' }, from, to)).toBe(
      `SELECT mean("value") FROM "meter" WHERE time >= ${from}ms AND time <= ${to}ms GROUP BY time(22s)`,
    );
  });

  test('PromQL $__rate_interval is at least four scrape intervals', () => {
    expect(expandMacros({ kind: 'promql', query: 'rate(x[$__rate_interval])' }, to - 60_000, to, 15)).toBe('rate(x[60s])');
    expect(expandMacros({ kind: 'promql', query: 'rate(x[$__rate_interval])' }, from, to, 15)).toBe('rate(x[60s])');
    expect(expandMacros({ kind: 'promql', query: 'rate(x[$__rate_interval])' }, from, from + 7 * 86_400_000, 15)).toBe('rate(x[620s])');
  });

  test('an unknown macro is an error, not a silently broken query', () => {
    expect(() => expandMacros({ kind: 'influxql', query: 'SELECT 1 WHERE $__unknown' }, from, to)).toThrow(/unexpanded/);
  });
});
