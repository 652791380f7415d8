/** Read-back helpers: tests check the stores with the same query languages users run. */
import { writeFileSync } from 'node:fs';

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Runs InfluxQL through the v1 `/query` API and returns rows as objects keyed by column. */
export async function influxQuery(url: string, db: string, q: string): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`);
  if (!res.ok) throw new Error(`InfluxQL failed (${res.status}): ${await res.text()}`);
  const body = (await res.json()) as { results: Array<{ series?: InfluxSeries[]; error?: string }> };
  const result = body.results[0];
  if (result?.error) throw new Error(`InfluxQL error: ${result.error} in ${q}`);
  const rows: Array<Record<string, unknown>> = [];
  for (const s of result?.series ?? []) {
    for (const v of s.values ?? []) {
      const row: Record<string, unknown> = { ...(s.tags ?? {}) };
      s.columns.forEach((c, i) => (row[c] = v[i]));
      rows.push(row);
    }
  }
  return rows;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export async function promQuery(url: string, q: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`PromQL failed: ${body.error} in ${q}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** Points the harness Prometheus at the given scrape targets. */
export function setPrometheusTargets(targets: string[]): void {
  const file = process.env.TEST_PROMETHEUS_TARGETS_FILE;
  if (!file) throw new Error('TEST_PROMETHEUS_TARGETS_FILE not set: the harness Prometheus is not running');
  writeFileSync(file, JSON.stringify([{ targets, labels: {} }]));
}

/** Retries an assertion until it passes: stores are eventually consistent (flush, scrape intervals). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
