/**
 * Grafana and Prometheus provisioning: files parse, the datasource uids the dashboards use exist, the
 * app plugin is enabled with its token from the environment, and prometheus.yml is valid with the
 * repository's rule files (promtool check config).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';

const REPO = resolve(__dirname, '../..');
const load = (p: string) => YAML.parse(readFileSync(join(REPO, p), 'utf8'));

describe('Grafana provisioning', () => {
  const datasources = load('provisioning/datasources/datasources.yml').datasources as any[];

  test('datasources: prometheus, influxdb (InfluxQL), alertmanager and the business records, by uid', () => {
    const byUid = Object.fromEntries(datasources.map((d) => [d.uid, d]));
    expect(Object.keys(byUid).sort()).toEqual(['alertmanager', 'chargewatch-postgres', 'influxdb', 'prometheus']);
    expect(byUid['chargewatch-postgres']).toMatchObject({ type: 'grafana-postgresql-datasource', user: 'grafana_analyst', jsonData: { database: 'chargewatch' }, secureJsonData: { password: '$POSTGRES_ANALYST_PASSWORD' } });
    expect(byUid.prometheus.type).toBe('prometheus');
    expect(byUid.influxdb.type).toBe('influxdb');
    expect(byUid.influxdb.jsonData.version).toBe('InfluxQL');
    expect(byUid.influxdb.jsonData.dbName).toBe('chargewatch');
    expect(byUid.influxdb.secureJsonData.httpHeaderValue1).toBe('Token $INFLUX_TOKEN');
    expect(byUid.alertmanager.type).toBe('alertmanager');
    expect(datasources.filter((d) => d.isDefault)).toHaveLength(1);
  });

  test('every datasource uid used by a generated dashboard is provisioned', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    const dir = join(REPO, 'dashboards/generated');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const used = [...readFileSync(join(dir, f), 'utf8').matchAll(/"datasource":\s*\{[^}]*"uid":\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(used.length).toBeGreaterThan(0);
      for (const uid of used) expect({ file: f, uid, provisioned: uids.has(uid) }).toEqual({ file: f, uid, provisioned: true });
    }
  });

  test('dashboards: a file provider', () => {
    const [provider] = load('provisioning/dashboards/dashboards.yml').providers;
    expect(provider.type).toBe('file');
    expect(provider.options.path).toMatch(/^\//);
  });

  test('plugins: the fleet app is enabled, its token comes from $CHARGEWATCH_API_TOKEN', () => {
    const [app] = load('provisioning/plugins/chargewatch.yml').apps;
    expect(app.type).toBe('chargewatch-fleet-app');
    expect(app.disabled).toBe(false);
    expect(new URL(app.jsonData.apiUrl).port).toBe('9100');
    expect(app.secureJsonData.apiToken).toBe('$CHARGEWATCH_API_TOKEN');
  });
});

describe('Prometheus configuration', () => {
  test('promtool check config passes with the repository rules in place of the container path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-prom-'));
    try {
      const text = readFileSync(join(REPO, 'provisioning/prometheus/prometheus.yml'), 'utf8').replace('/etc/prometheus/rules/*.yml', join(REPO, 'alerting/rules/*.yml'));
      writeFileSync(join(dir, 'prometheus.yml'), text);
      const res = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      if (res.error) throw new Error(`promtool is needed for this test: ${res.error.message}`);
      expect(`${res.stdout}${res.stderr}`).toContain('SUCCESS: 2 rule files found');
      expect(res.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('scrapes the collector and the worker under job names the alerts match, and sends to Alertmanager', () => {
    const prom = load('provisioning/prometheus/prometheus.yml');
    const jobs = (prom.scrape_configs as any[]).map((j) => j.job_name);
    expect(jobs).toEqual(expect.arrayContaining(['chargewatch-collector', 'chargewatch-worker']));
    for (const j of jobs.filter((n: string) => n.startsWith('chargewatch'))) expect(j).toMatch(/chargewatch/);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
  });
});
