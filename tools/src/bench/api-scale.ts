/**
 * The API-at-scale benchmark of `npm run bench` (issue 13, target 5): BENCH_API_STATIONS stations
 * (default 100,000) with two connectors each, seeded straight into the bench Redis in the layout
 * StationStore writes (pipelines; 100k websockets would exceed the fd limit), a real collector child on
 * them, and real stations sending heartbeats throughout. Measured: p99 of the station list (pages by
 * cursor and with a filter), station detail, fleet summary, /metrics and /metrics/stations, and the
 * longest event-loop stall: the collector's own chargewatch_event_loop_delay_max_seconds read during the
 * request rounds (loop-delay-probe.ts), beside the heartbeat round trips (a stalled loop answers nobody).
 */
import Redis from 'ioredis';
import { RPCClient } from 'ocpp-rpc';
import { RedisKeys } from '@chargewatch/model';
import type { PrometheusService, Service } from '../devstack/services';
import { startCollectorChild } from './collector-child';
import { Histogram } from './histogram';
import { LOOP_DELAY_WINDOW_MS, probeLoopDelay, type LoopDelayReading } from './loop-delay-probe';
import { TARGETS, log, sleep } from './setup';

export const API_TARGETS = { p99Ms: TARGETS.apiP99Ms, stallMs: TARGETS.apiStallMs };
const STATIONS = Number(process.env.BENCH_API_STATIONS ?? 100_000);
const HEARTBEATERS = Number(process.env.BENCH_API_HEARTBEATERS ?? 50);
const REQUESTS = Number(process.env.BENCH_API_REQUESTS ?? 200);
const STATUSES = ['Available', 'Charging', 'Faulted', 'Unavailable', 'Preparing'];

export interface ApiScaleResults {
  stations: number;
  connectors: number;
  seedMs: number;
  firstListMs: number;
  p99: Record<'list' | 'listFiltered' | 'detail' | 'summary' | 'metrics' | 'metricsStations', number>;
  /** Heartbeat round trip during the measured phase: its max bounds the event loop's longest stall. */
  heartbeat: { calls: number; p99Ms: number; maxMs: number };
  /** The collector's own longest event-loop delay during the request rounds (the target's figure). */
  loop: LoopDelayReading;
  /** The same during the first list, which loads the fleet index. */
  firstListLoop: LoopDelayReading;
}

/** Seeds BENCH_API_STATIONS stations in the StationStore layout under `prefix`; answers the time it took (ms). */
export async function seed(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl);
  const keys = new RedisKeys(prefix);
  const t0 = Date.now();
  const now = Date.now();
  for (let base = 0; base < STATIONS; base += 2000) {
    const p = redis.pipeline();
    for (let i = base; i < Math.min(STATIONS, base + 2000); i++) {
      const id = `API-${String(i).padStart(6, '0')}`;
      p.sadd(`${prefix}stations`, id);
      p.hset(keys.station(id), { online: i % 10 === 0 ? '0' : '1', collectorId: 'seeded', protocol: 'ocpp1.6', vendor: `Vendor${i % 7}`, model: `M${i % 5}`, firmwareVersion: `1.${i % 4}`, registration: 'Accepted', lastSeen: String(now - (i % 600) * 1000), firstSeen: String(now - 86_400_000) });
      const conn = (evseId: number) => JSON.stringify({ evseId, connectorId: 1, status: STATUSES[(i + evseId) % STATUSES.length], errorCode: 'NoError', since: now - 60_000 });
      p.hset(`${prefix}station:${id}:connectors`, { '1/1': conn(1), '2/1': conn(2) });
      p.hset(`${prefix}station:${id}:meta`, { site: `Site${i % 200}` });
    }
    await p.exec();
  }
  await redis.quit();
  return Date.now() - t0;
}

async function timed(url: string, h: Histogram): Promise<unknown> {
  const t = performance.now();
  const res = await fetch(url);
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  h.record(performance.now() - t);
  return body;
}

export async function runApiScaleBench(dir: string, svc: { redis: Service; influx: Service; prometheus: PrometheusService }, runId: string): Promise<ApiScaleResults> {
  // BENCH_API_CPU_PROF=<dir>: the collector writes a .cpuprofile there on exit, to find what stalls it.
  // BENCH_API_BIN: another build's cli/bin/chargewatch.js, to compare two builds on the same machine.
  const prof = process.env.BENCH_API_CPU_PROF;
  const c = await startCollectorChild('apiscale', dir, svc, runId, { ...(prof ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${prof}`] } : {}), ...(process.env.BENCH_API_BIN ? { bin: process.env.BENCH_API_BIN } : {}) });
  const seedMs = await seed(svc.redis.url, c.prefix);
  log(`api-scale: seeded ${STATIONS} stations / ${STATIONS * 2} connectors in ${(seedMs / 1000).toFixed(1)} s`);
  const loadProbe = await probeLoopDelay(c.apiUrl, 250);
  const t0 = performance.now();
  await timed(`${c.apiUrl}/api/v1/stations?limit=50`, new Histogram());
  const firstListMs = performance.now() - t0;
  const firstListLoop = await loadProbe.stop();
  log(`api-scale: first list (index load) ${firstListMs.toFixed(0)} ms, loop delay all ≤ ${firstListLoop.boundMs} ms (${firstListLoop.over50}/${firstListLoop.samples} firings > 50 ms; max gauge ${firstListLoop.maxMs.toFixed(1)} ms, with the 10 s before)`);

  // Real stations keep heartbeats flowing; their round trips see every stall of the collector's loop.
  const clients: RPCClient[] = [];
  for (let i = 0; i < HEARTBEATERS; i++) {
    const cp = new RPCClient({ endpoint: c.ocppUrl, identity: `API-HB-${i}`, protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as ConstructorParameters<typeof RPCClient>[0]);
    await cp.connect();
    await cp.call('BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'HB' });
    clients.push(cp);
  }
  let hb = new Histogram();
  let beating = true;
  const beats = clients.map(async (cp) => {
    while (beating) {
      const t = performance.now();
      await cp.call('Heartbeat', {});
      hb.record(performance.now() - t);
      await sleep(50);
    }
  });
  // Past the loop-delay gauge's window, so the index load is not in the measured phase's readings.
  await sleep(LOOP_DELAY_WINDOW_MS + 1000);
  hb = new Histogram(); // from here on: the measured phase
  const probe = await probeLoopDelay(c.apiUrl);

  const h = { list: new Histogram(), listFiltered: new Histogram(), detail: new Histogram(), summary: new Histogram(), metrics: new Histogram(), metricsStations: new Histogram() };
  let cursor: string | null = null;
  for (let i = 0; i < REQUESTS; i++) {
    const page = (await timed(`${c.apiUrl}/api/v1/stations?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, h.list)) as { nextCursor: string | null };
    cursor = page.nextCursor;
    await timed(`${c.apiUrl}/api/v1/stations?limit=50&site=Site${i % 200}&sort=status`, h.listFiltered);
    await timed(`${c.apiUrl}/api/v1/stations/API-${String((i * 7919) % STATIONS).padStart(6, '0')}`, h.detail);
    await timed(`${c.apiUrl}/api/v1/fleet/summary`, h.summary);
    if (i % 10 === 0) {
      await timed(`${c.apiUrl}/metrics`, h.metrics);
      await timed(`${c.apiUrl}/metrics/stations`, h.metricsStations);
    }
  }
  const loop = await probe.stop();
  beating = false;
  await Promise.all(beats);
  await Promise.all(clients.map((cp) => cp.close({ force: true })));
  await c.stop();
  const p99 = Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.quantile(0.99)])) as ApiScaleResults['p99'];
  const r: ApiScaleResults = { stations: STATIONS, connectors: STATIONS * 2, seedMs, firstListMs, p99, heartbeat: { calls: hb.count, p99Ms: hb.quantile(0.99), maxMs: hb.max }, loop, firstListLoop };
  log(`api-scale: p99 ${JSON.stringify(p99)}; collector loop delay max ${loop.maxMs.toFixed(1)} ms, all ≤ ${loop.boundMs} ms (${loop.over50}/${loop.samples} firings > 50 ms); heartbeat max ${r.heartbeat.maxMs.toFixed(1)} ms`);
  return r;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

export function apiScaleRows(r?: ApiScaleResults): Array<[string, string, string, string]> {
  if (!r) return [];
  const row = (label: string, v: number, target: number): [string, string, string, string] => [label, ms(v), `p99 < ${target} ms`, verdict(v < target)];
  return [
    row(`7. station list at ${r.stations.toLocaleString('en-US')} stations, p99 (cursor pages)`, r.p99.list, API_TARGETS.p99Ms),
    row('   station list filtered by site, sorted by status, p99', r.p99.listFiltered, API_TARGETS.p99Ms),
    row('   station detail, p99', r.p99.detail, API_TARGETS.p99Ms),
    row('   fleet summary, p99', r.p99.summary, API_TARGETS.p99Ms),
    row('   /metrics scrape, p99', r.p99.metrics, API_TARGETS.p99Ms),
    ['   /metrics/stations scrape, p99', ms(r.p99.metricsStations), 'own scrape interval', ''],
    // The verdict from the histogram (exact to the rounds); the max gauge also sees the 10 s before them.
    [`   event-loop stall: collector's timer firings > 50 ms late (of ${r.loop.samples}; all ≤ ${ms(r.loop.boundMs)}; max gauge ${ms(r.loop.maxMs)})`, String(r.loop.over50), '0 (no stall > 50 ms)', verdict(r.loop.over50 === 0)],
    [`   heartbeat round trip, max (p99 ${ms(r.heartbeat.p99Ms)}, ${r.heartbeat.calls} calls; includes the bench's own loop)`, ms(r.heartbeat.maxMs), '', ''],
    [`   first list (index load): firings > 50 ms late (all ≤ ${ms(r.firstListLoop.boundMs)}; max gauge ${ms(r.firstListLoop.maxMs)}, with the 10 s before)`, String(r.firstListLoop.over50), '', ''],
  ];
}
