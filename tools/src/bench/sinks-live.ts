/**
 * The "every sink live" scenario for one InfluxDB writer placement: a fresh collector (and, with
 * INFLUX_WRITER=worker, a worker consuming its journal) against the benchmark's Redis, InfluxDB and
 * Prometheus; closed-loop throughput and paced latency; then the wait until InfluxDB holds every
 * acknowledged sample. Each placement gets its own Redis prefix, database and station ids.
 */
import type { PrometheusService, Service } from '../devstack/services';
import { promQuery, startCollectorChild } from './collector-child';
import { waitForInflux, type Correctness } from './drain';
import { runLoad, type Generators, type LoadResults } from './load';
import { log, sleep } from './setup';
import { startWorkerChild } from './worker-child';

export type WriterPlacement = 'collector' | 'worker';

export interface Scrapes {
  count?: number;
  maxDurationMs?: number;
  up?: number;
}

export interface PlacementResult {
  writer: WriterPlacement;
  load: LoadResults;
  correctness: Correctness;
  scrapes: Scrapes;
}

export interface ScenarioContext {
  gen: Generators;
  dir: string;
  svc: { redis: Service; influx: Service; prometheus: PrometheusService };
  runId: string;
  genPids: Record<string, number>;
}

const NAMES: Record<WriterPlacement, { collector: string; stations: string; label: string }> = {
  collector: { collector: 'load', stations: 'L', label: 'collector' },
  worker: { collector: 'loadw', stations: 'W', label: 'collector+worker' },
};

export async function runSinksLive(writer: WriterPlacement, ctx: ScenarioContext): Promise<PlacementResult> {
  const { svc, runId } = ctx;
  const names = NAMES[writer];
  const c = await startCollectorChild(names.collector, ctx.dir, svc, runId, { influxWriter: writer });
  log(`collector (${names.collector}, INFLUX_WRITER=${writer}) pid ${c.proc.child.pid}, ${c.ocppUrl}`);
  const w = writer === 'worker' ? await startWorkerChild(names.collector, ctx.dir, svc, runId, c) : undefined;
  if (w) log(`worker (INFLUX_WRITER=worker) pid ${w.proc.child.pid}, ${w.metricsUrl}`);
  await sleep(2000);
  const load = await runLoad(ctx.gen, c.ocppUrl, `cwb-${runId}-${names.stations}`, names.label, {
    collector: c.proc.child.pid!,
    ...(w ? { worker: w.proc.child.pid! } : {}),
    influxd: svc.influx.process.child.pid!,
    'redis-server': svc.redis.process.child.pid!,
    prometheus: svc.prometheus.process.child.pid!,
    ...ctx.genPids,
  });
  const correctness = await waitForInflux({
    influxUrl: svc.influx.url,
    database: c.database,
    redisUrl: svc.redis.url,
    prefix: c.prefix,
    ackedMeter: load.ackedMeter,
    refused: load.throughput.refused + load.paced.refused,
    inDoubt: load.inDoubt,
    label: names.label,
  });
  const prom = svc.prometheus.url;
  const scrapes: Scrapes = {
    count: await promQuery(prom, `count_over_time(up{instance="${c.apiTarget}"}[10m])`),
    up: await promQuery(prom, `min_over_time(up{instance="${c.apiTarget}"}[10m])`),
    maxDurationMs: ((await promQuery(prom, `max_over_time(scrape_duration_seconds{instance="${c.apiTarget}"}[10m])`)) ?? NaN) * 1000,
  };
  log(`${names.label}: prometheus ${scrapes.count} scrapes of the collector, min up ${scrapes.up}, max scrape ${scrapes.maxDurationMs?.toFixed(1)} ms`);
  await c.stop();
  await w?.stop();
  return { writer, load, correctness, scrapes };
}
