/**
 * Prometheus text exposition of a registry, rendered in slices with a turn of the event loop between
 * them. prom-client's `registry.metrics()` renders each metric in one synchronous piece: for the
 * per-station registry (several series per station, 100k+ series at fleet scale) that is hundreds of
 * milliseconds during which no station is answered. Gauges and counters only: the per-station
 * registry holds nothing else (a histogram or summary here throws, so nobody adds one unnoticed).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/** Series rendered per event-loop turn. */
export const SERIES_PER_TURN = 2000;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export async function* exposition(registry: Registry, perTurn = SERIES_PER_TURN): AsyncGenerator<string> {
  for (const metric of registry.getMetricsAsArray()) {
    // getMetricsAsArray() gives the metric instances themselves; their get() runs collect().
    const m = (await (metric as unknown as Metric).get()) as MetricObjectWithValues<MetricValue<string>>;
    const type = String(m.type);
    if (type !== 'gauge' && type !== 'counter') throw new Error(`chunked exposition renders gauges and counters, not ${type} (${m.name})`);
    let out = `# HELP ${m.name} ${escapeHelp(m.help)}\n# TYPE ${m.name} ${type}\n`;
    let n = 0;
    for (const v of m.values) {
      const labels = Object.entries(v.labels)
        .filter(([, lv]) => lv !== undefined)
        .map(([k, lv]) => `${k}="${escapeLabel(String(lv))}"`)
        .join(',');
      out += `${m.name}${labels ? `{${labels}}` : ''} ${formatValue(v.value)}\n`;
      if (++n % perTurn === 0) {
        yield out;
        out = '';
        await nextTurn();
      }
    }
    yield out;
  }
}

/** The whole text, built slice by slice (for callers that need a string). */
export async function renderChunked(registry: Registry, perTurn = SERIES_PER_TURN): Promise<string> {
  let text = '';
  for await (const part of exposition(registry, perTurn)) text += part;
  return text;
}
