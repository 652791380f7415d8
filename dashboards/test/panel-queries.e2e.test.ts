/**
 * Runs every dashboard panel query against the stack's real Prometheus (PromQL) and InfluxDB
 * (InfluxQL) and requires data back. An empty result fails, naming the dashboard and panel.
 *
 * Needs (set by scripts/test.mjs once the collector and simulator have produced data):
 *   E2E_PROMETHEUS_URL  e.g. http://127.0.0.1:9090 — must load alerting/rules/recording.yml
 *   E2E_INFLUX_URL      e.g. http://127.0.0.1:8086
 *   E2E_INFLUX_DB       database (1.x) or DBRP-mapped database (2.x), e.g. chargewatch
 *   E2E_STATION_ID      a station that has connected, reported status and metered a session
 * Optional:
 *   E2E_INFLUX_TOKEN    InfluxDB 2.x/3.x token (sent as "Authorization: Token …")
 */
import YAML from 'yaml';
import { allPanelQueries, expandMacros, type PanelQuery } from '../src/queries';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this end-to-end test needs the running stack (run it through \`npm test\`, which sets E2E_* variables)`);
  return value;
}

const PROM_RANGE_MS = 3_600_000;
const INFLUX_RANGE_MS = 24 * 3_600_000;
const RETRY_FOR_MS = 90_000;

describe('dashboard panel queries return data', () => {
  let promUrl: string;
  let influxUrl: string;
  let influxDb: string;
  let stationId: string;
  let scrapeIntervalSec = 15;

  beforeAll(async () => {
    promUrl = requireEnv('E2E_PROMETHEUS_URL').replace(/\/$/, '');
    influxUrl = requireEnv('E2E_INFLUX_URL').replace(/\/$/, '');
    influxDb = requireEnv('E2E_INFLUX_DB');
    stationId = requireEnv('E2E_STATION_ID');
    const config = (await (await fetch(`${promUrl}/api/v1/status/config`)).json()) as any;
    const interval = String(YAML.parse(config.data.yaml)?.global?.scrape_interval ?? '15s');
    const m = /^(\d+)(s|m)$/.exec(interval);
    if (m) scrapeIntervalSec = Number(m[1]) * (m[2] === 'm' ? 60 : 1);
  });

  async function promData(q: PanelQuery): Promise<number> {
    const now = Date.now();
    const from = now - PROM_RANGE_MS;
    const expr = expandMacros(q, from, now, scrapeIntervalSec);
    const params = q.instant
      ? new URLSearchParams({ query: expr, time: String(now / 1000) })
      : new URLSearchParams({ query: expr, start: String(from / 1000), end: String(now / 1000), step: String(Math.max(scrapeIntervalSec, Math.round(PROM_RANGE_MS / 1000 / 500))) });
    const res = await fetch(`${promUrl}/api/v1/${q.instant ? 'query' : 'query_range'}`, { method: 'POST', body: params });
    const body = (await res.json()) as any;
    if (body.status !== 'success') throw new Error(`Prometheus rejected the query: ${body.error ?? res.status} — ${expr}`);
    return (body.data.result as any[]).length;
  }

  async function influxData(q: PanelQuery): Promise<number> {
    const now = Date.now();
    const query = expandMacros(q, now - INFLUX_RANGE_MS, now);
    const headers: Record<string, string> = {};
    if (process.env.E2E_INFLUX_TOKEN) headers.authorization = `Token ${process.env.E2E_INFLUX_TOKEN}`;
    const res = await fetch(`${influxUrl}/query?${new URLSearchParams({ db: influxDb, q: query, epoch: 'ms' })}`, { headers });
    const body = (await res.json()) as any;
    const result = body.results?.[0];
    if (!res.ok || body.error || result?.error) throw new Error(`InfluxDB rejected the query: ${body.error ?? result?.error ?? res.status} — ${query}`);
    return (result?.series ?? []).reduce((n: number, s: any) => n + (s.values?.length ?? 0), 0);
  }

  test('Prometheus evaluates the recording rules the dashboards read', async () => {
    const body = (await (await fetch(`${promUrl}/api/v1/rules?type=record`)).json()) as any;
    const recorded = (body.data?.groups ?? []).flatMap((g: any) => g.rules.map((r: any) => r.name));
    if (!recorded.includes('fleet:chargewatch_availability:ratio')) {
      throw new Error(`Prometheus at ${promUrl} does not load alerting/rules/recording.yml; the dashboards read its recorded series`);
    }
  });

  test('every panel query returns data', async () => {
    const queries = allPanelQueries({ station_id: stationId });
    expect(queries.length).toBeGreaterThan(30);
    const pending = new Map(queries.map((q) => [`${q.dashboard} › ${q.panel} [${q.refId}] (${q.kind})`, q]));
    const failures = new Map<string, string>();
    const deadline = Date.now() + RETRY_FOR_MS;
    // Recorded series and rate() windows need a few evaluations after the stack starts: retry empties.
    while (pending.size > 0) {
      for (const [name, q] of [...pending]) {
        try {
          const n = q.kind === 'promql' ? await promData(q) : await influxData(q);
          if (n > 0) {
            pending.delete(name);
            failures.delete(name);
          } else failures.set(name, `empty result: ${q.query}`);
        } catch (err) {
          failures.set(name, (err as Error).message);
          if ((err as Error).message.includes('rejected')) pending.delete(name); // a syntax error does not heal
        }
      }
      if (pending.size === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5000));
    }
    expect([...failures].map(([name, why]) => `${name}: ${why}`)).toEqual([]);
  });
});
