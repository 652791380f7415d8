/**
 * The "every sink live" scenario for one InfluxDB writer placement: a fresh collector (and, with
 * INFLUX_WRITER=worker, a worker consuming its journal) against the benchmark's Redis, InfluxDB and
 * Prometheus. `startSinksLive` starts the processes and returns the load target; after its last slice
 * the target waits until InfluxDB holds every acknowledged sample; `finish` reads the scrapes and stops
 * the processes. Each placement gets its own Redis prefix, database and station ids.
 */
import type { PrometheusService, Service } from '../devstack/services';
import { promQuery, startCollectorChild } from './collector-child';
import { waitForInflux, type Correctness } from './drain';
import type { Generators, LoadResults, LoadTarget } from './load';
import { log } from './setup';
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

export interface SinksLive {
  target: LoadTarget;
  finish(load: LoadResults): Promise<PlacementResult>;
}

const NAMES: Record<WriterPlacement, { collector: string; stations: string; label: string }> = {
  collector: { collector: 'load', stations: 'L', label: 'collector' },
  worker: { collector: 'loadw', stations: 'W', label: 'collector+worker' },
};

export async function startSinksLive(writer: WriterPlacement, ctx: ScenarioContext): Promise<SinksLive> {
  const { svc, runId } = ctx;
  const names = NAMES[writer];
  const c = await startCollectorChild(names.collector, ctx.dir, svc, runId, { influxWriter: writer });
  log(`collector (${names.collector}, INFLUX_WRITER=${writer}) pid ${c.proc.child.pid}, ${c.ocppUrl}`);
  const w = writer === 'worker' ? await startWorkerChild(names.collector, ctx.dir, svc, runId, c) : undefined;
  if (w) log(`worker (INFLUX_WRITER=worker) pid ${w.proc.child.pid}, ${w.metricsUrl}`);
  let correctness: Correctness | undefined;
  const target: LoadTarget = {
    label: names.label,
    url: c.ocppUrl,
    prefix: `cwb-${runId}-${names.stations}`,
    pids: {
      collector: c.proc.child.pid!,
      ...(w ? { worker: w.proc.child.pid! } : {}),
      influxd: svc.influx.process.child.pid!,
      'redis-server': svc.redis.process.child.pid!,
      prometheus: svc.prometheus.process.child.pid!,
      ...ctx.genPids,
    },
    afterLast: async (load) => {
      correctness = await waitForInflux({
        influxUrl: svc.influx.url,
        database: c.database,
        redisUrl: svc.redis.url,
        prefix: c.prefix,
        ackedMeter: load.ackedMeter,
        refused: load.throughput.refused + load.paced.refused,
        inDoubt: load.inDoubt,
        label: names.label,
      });
    },
  };
  const finish = async (load: LoadResults): Promise<PlacementResult> => {
    if (!correctness) throw new Error(`${names.label}: the load ended without the InfluxDB check`);
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
  };
  return { target, finish };
}
