import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { renderChunked } from '../../../src/sinks/prometheus/chunked-exposition';

/** Series lines only, sorted: prom-client and the chunked renderer may order HELP/TYPE spacing differently. */
const lines = (text: string) => text.split('\n').filter((l) => l.length > 0).sort();

describe('chunked exposition', () => {
  it('renders the same text as prom-client, across many slices', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'x_gauge', help: 'a gauge\nwith "quotes" and \\', labelNames: ['station_id', 'site'], registers: [r] });
    const c = new Counter({ name: 'x_total', help: 'a counter', labelNames: ['station_id'], registers: [r] });
    for (let i = 0; i < 2500; i++) g.set({ station_id: `CP-${i}`, site: i % 3 ? 'North' : 'a "b"\\c\nd' }, i / 7);
    c.inc({ station_id: 'CP-1' }, 3);
    g.set({ station_id: 'nan', site: '' }, NaN);
    // prom-client writes NaN as "Nan"; the format's spelling is "NaN" (Prometheus parses both).
    expect(lines(await renderChunked(r, 100))).toEqual(lines((await r.metrics()).replace(/ Nan$/gm, ' NaN')));
  });

  it('refuses a histogram rather than render it wrongly', async () => {
    const r = new Registry();
    new Histogram({ name: 'x_seconds', help: 'h', registers: [r] }).observe(1);
    await expect(renderChunked(r)).rejects.toThrow(/histogram/);
  });
});
