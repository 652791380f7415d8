/**
 * InfluxQL reads for the API (history and today's totals). InfluxQL through `/query` runs on InfluxDB
 * 1.x natively, on 2.x through its DBRP mapping and on 3.x natively, so one query text serves all.
 */
export interface InfluxReaderConfig {
  url: string;
  database: string;
  token?: string;
}

export type Row = Record<string, unknown>;

export class InfluxReader {
  constructor(private readonly cfg: InfluxReaderConfig) {}

  async query(q: string): Promise<Row[]> {
    const params = new URLSearchParams({ db: this.cfg.database, q, epoch: 'ms' });
    const headers: Record<string, string> = {};
    if (this.cfg.token) headers.authorization = `Token ${this.cfg.token}`;
    const res = await fetch(`${this.cfg.url}/query?${params}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`InfluxQL query failed with HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const body = (await res.json()) as { results?: Array<{ error?: string; series?: Array<{ tags?: Row; columns: string[]; values?: unknown[][] }> }> };
    const result = body.results?.[0];
    if (result?.error) throw new Error(`InfluxQL error: ${result.error}`);
    const rows: Row[] = [];
    for (const s of result?.series ?? []) {
      for (const v of s.values ?? []) {
        const row: Row = { ...(s.tags ?? {}) };
        s.columns.forEach((c, i) => (row[c] = v[i]));
        rows.push(row);
      }
    }
    return rows;
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.cfg.url}/ping`, { signal: AbortSignal.timeout(2000) });
      return res.status === 204 || res.ok;
    } catch {
      return false;
    }
  }
}

/**
 * Quotes a value for an InfluxQL string literal: backslash, quote and newline escaped (InfluxQL's
 * scanner ends a string at a raw newline). Carriage return and NUL have no InfluxQL escape; station ids
 * cannot hold them (identity policy) and site names are checked on write, so they are refused here.
 */
export function influxString(v: string): string {
  if (/[\r\0]/.test(v)) throw new RangeError('an InfluxQL string cannot hold a carriage return or NUL');
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}
