/**
 * Issue 13 target 7: an InfluxDB outage at the steady state of a 100,000-station network. A collector
 * with INFLUX_WRITER=worker (as deployed) and its worker run on the benchmark's Redis against an InfluxDB
 * of their own, so stopping it disturbs no other phase. Under a paced MeterValues load: a baseline with
 * InfluxDB up, then InfluxDB stopped for BENCH_OUTAGE_MS while the journal length, the `influx` group's
 * lag and Redis used_memory are sampled, then InfluxDB restarted (same data directory and port) with the
 * load still running until the lag is back to its baseline; finally the load stops and InfluxDB must hold
 * every acknowledged sample, and no call may have been refused.
 */
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from '../devstack/ports';
import { startInfluxDB, type PrometheusService, type Service } from '../devstack/services';
import { startCollectorChild } from './collector-child';
import { influxGroupLag, waitForInflux, type Correctness } from './drain';
import { SAMPLES_PER_FRAME } from './frames';
import type { Generators, PacedResult, PrepareResult } from './load';
import { P, cleanups, log, sleep } from './setup';
import { startWorkerChild } from './worker-child';

const env = process.env;
const num = (name: string, dflt: number) => (env[name] ? Number(env[name]) : dflt);
export const OUTAGE = {
  enabled: num('BENCH_OUTAGE', 1) !== 0,
  /** 100,000 stations sending a MeterValues every ~50 s. */
  rate: num('BENCH_OUTAGE_RATE', 2000),
  connections: num('BENCH_OUTAGE_CONNECTIONS', 500),
  baselineMs: num('BENCH_OUTAGE_BASELINE_MS', 20_000),
  outageMs: num('BENCH_OUTAGE_MS', 180_000),
  sampleMs: 10_000,
  /** Give up on the drain after this long with InfluxDB back. */
  drainMaxMs: num('BENCH_OUTAGE_DRAIN_MAX_MS', 600_000),
  /** The collector's JOURNAL_MAX_ENTRIES default (collector/src/config.ts). */
  journalMaxEntries: 2_000_000,
};
/** The outage the target names; a shorter measured one is extrapolated to it. */
export const OUTAGE_TARGET_MIN = 15;
const SAMPLES_PER_CALL = Object.values(SAMPLES_PER_FRAME).reduce((a, b) => a + b, 0);

export interface OutageSample {
  /** ms since InfluxDB was stopped. */
  t: number;
  xlen: number;
  lag: number;
  usedMemory: number;
}

export interface OutageResults {
  settings: { rate: number; connections: number; baselineMs: number; outageMs: number; stations: number };
  baseline: { lag: number; xlen: number; usedMemory: number; achieved: number };
  samples: OutageSample[];
  growth: OutageGrowth;
  drain: DrainRate & { drained: boolean; lagAtRestart: number; restartMs: number };
  calls: { sent: number; acked: number; refused: number; unanswered: number };
  correctness: Correctness;
}

export interface OutageGrowth {
  /** Growth of the `influx` group's lag (what JOURNAL_MAX_ENTRIES bounds). */
  entriesPerMin: number;
  /** Growth of XLEN of the journal stream. */
  xlenPerMin: number;
  memoryMBPerMin: number;
  /** Samples (InfluxDB points) per journal entry, from the acknowledged calls during the outage. */
  pointsPerEntry: number;
  at15Min: { entries: number; memoryMB: number };
  /** How long an outage the JOURNAL_MAX_ENTRIES default absorbs at this rate before stations are refused. */
  minutesToBound: number;
  /** Redis used_memory when the journal reaches that bound, at the measured MB per entry. */
  memoryMBAtBound: number;
}

export interface DrainRate {
  ms: number;
  /** Net backlog reduction per second (the writer's rate minus the arrival rate). */
  netEntriesPerSec: number;
  /** The writer's rate while draining: net reduction plus what kept arriving. */
  writerEntriesPerSec: number;
  writerPointsPerSec: number;
}

/** Least-squares slope of y over x (per unit of x); NaN with fewer than two distinct x. */
export function slope(xs: number[], ys: number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/**
 * Growth during the outage from the samples (slope, so neither end's noise decides it), extrapolated
 * linearly to OUTAGE_TARGET_MIN and to the journal bound. Pure, unit-tested.
 */
export function outageGrowth(samples: OutageSample[], baseline: { lag: number; usedMemory: number }, ackedCallsInOutage: number, maxEntries: number): OutageGrowth {
  const mins = samples.map((s) => s.t / 60_000);
  const entriesPerMin = slope(mins, samples.map((s) => s.lag));
  const memoryMBPerMin = slope(mins, samples.map((s) => s.usedMemory / 2 ** 20));
  const first = samples[0];
  const last = samples[samples.length - 1];
  const grown = first && last ? last.lag - first.lag : NaN;
  const spanMin = first && last ? (last.t - first.t) / 60_000 : NaN;
  // Calls acknowledged in the sampled span, per entry that span added.
  const callsInSpan = last && last.t > 0 ? (ackedCallsInOutage * (spanMin * 60_000)) / last.t : NaN;
  const pointsPerEntry = grown > 0 ? (callsInSpan * SAMPLES_PER_CALL) / grown : NaN;
  return {
    entriesPerMin,
    xlenPerMin: slope(mins, samples.map((s) => s.xlen)),
    memoryMBPerMin,
    pointsPerEntry,
    at15Min: { entries: baseline.lag + entriesPerMin * OUTAGE_TARGET_MIN, memoryMB: baseline.usedMemory / 2 ** 20 + memoryMBPerMin * OUTAGE_TARGET_MIN },
    minutesToBound: entriesPerMin > 0 ? (maxEntries - baseline.lag) / entriesPerMin : Infinity,
    memoryMBAtBound: entriesPerMin > 0 ? baseline.usedMemory / 2 ** 20 + (memoryMBPerMin / entriesPerMin) * (maxEntries - baseline.lag) : NaN,
  };
}

/** Drain figures from the backlog at restart, the backlog at the end and the arrival rate. Pure, unit-tested. */
export function drainRate(lagAtRestart: number, lagAtEnd: number, ms: number, arrivalEntriesPerSec: number, pointsPerEntry: number): DrainRate {
  const secs = ms / 1000;
  const net = secs > 0 ? (lagAtRestart - lagAtEnd) / secs : NaN;
  const writer = net + arrivalEntriesPerSec;
  return { ms, netEntriesPerSec: net, writerEntriesPerSec: writer, writerPointsPerSec: writer * pointsPerEntry };
}

/** The drain ends once the lag is no more than the baseline's (at least one batch: the lag is never exactly steady). */
export const drainThreshold = (baselineMaxLag: number) => Math.max(baselineMaxLag, 1) * 1.5;

export async function runOutageBench(gen: Generators, dir: string, svc: { redis: Service; prometheus: PrometheusService }, runId: string): Promise<OutageResults> {
  const o = OUTAGE;
  const influxDir = join(dir, 'outage');
  const port = await freePort();
  let influx = await startInfluxDB(influxDir, { port });
  let influxUp = true;
  cleanups.push(async () => {
    if (influxUp) await influx.stop();
  });
  const s = { ...svc, influx };
  const c = await startCollectorChild('outage', dir, s, runId, { influxWriter: 'worker' });
  const w = await startWorkerChild('outage', dir, s, runId, c);
  log(`outage: collector pid ${c.proc.child.pid}, worker pid ${w.proc.child.pid}, own InfluxDB ${influx.url}; ${o.connections} connections at ${o.rate} msg/s`);
  const redis = new Redis(svc.redis.url, { maxRetriesPerRequest: 2 });
  redis.on('error', () => undefined);
  const key = `${c.prefix}journal`;
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? NaN);
  const read = async (t: number): Promise<OutageSample> => ({ t, xlen: await redis.xlen(key), lag: (await influxGroupLag(redis, key)) ?? NaN, usedMemory: await usedMemory() });

  const group = 'outage-load';
  const prep = await gen.all<PrepareResult>({ cmd: 'prepare', group, url: c.ocppUrl, prefix: `cwb-${runId}-O`, first: 0, count: o.connections, localAddrs: P.localAddrs, concurrency: 100, timeoutMs: 15_000 }, 60_000);
  const failed = prep.reduce((a, r) => a + r.failed, 0);
  if (failed) throw new Error(`outage: ${failed} of ${o.connections} connections failed to boot: ${JSON.stringify(prep.map((r) => r.errors))}`);

  // The load runs in back-to-back paced chunks until told to stop, so it spans phases of unknown length.
  const chunks: PacedResult[] = [];
  let stopLoad = false;
  const loadDone = (async () => {
    while (!stopLoad) chunks.push(...(await gen.all<PacedResult>({ cmd: 'paced', group, rate: o.rate, warmupMs: 0, durationMs: 5000 }, 120_000)));
  })();
  const ackedSoFar = () => chunks.reduce((a, r) => a + r.acked, 0);
  const sum = (k: 'sent' | 'acked' | 'refused' | 'unanswered') => chunks.reduce((a, r) => a + r[k], 0);

  try {
    await sleep(5000); // the pipe fills
    const base: OutageSample[] = [];
    const baseT0 = Date.now();
    const acked0 = ackedSoFar();
    while (Date.now() - baseT0 < o.baselineMs) {
      base.push(await read(0));
      await sleep(1000);
    }
    const achieved = (ackedSoFar() - acked0) / ((Date.now() - baseT0) / 1000);
    const baseline = { lag: Math.max(...base.map((b) => b.lag)), xlen: base[base.length - 1]!.xlen, usedMemory: base[base.length - 1]!.usedMemory, achieved };
    log(`outage: baseline lag ≤ ${baseline.lag} entries, XLEN ${baseline.xlen}, used_memory ${(baseline.usedMemory / 2 ** 20).toFixed(1)} MiB, ~${Math.round(achieved)} msg/s acked; stopping InfluxDB for ${o.outageMs / 1000} s`);

    const ackedAtStop = ackedSoFar();
    await influx.stop();
    influxUp = false;
    const t0 = Date.now();
    const samples: OutageSample[] = [await read(0)];
    while (Date.now() - t0 < o.outageMs) {
      await sleep(Math.min(o.sampleMs, o.outageMs - (Date.now() - t0)));
      const x = await read(Date.now() - t0);
      samples.push(x);
      log(`outage: +${Math.round(x.t / 1000)} s: XLEN ${x.xlen}, lag ${x.lag}, used_memory ${(x.usedMemory / 2 ** 20).toFixed(1)} MiB`);
    }
    const outageMs = Date.now() - t0;
    const ackedInOutage = ackedSoFar() - ackedAtStop;
    const growth = outageGrowth(samples, baseline, ackedInOutage, o.journalMaxEntries);

    const r0 = Date.now();
    influx = await startInfluxDB(influxDir, { port });
    influxUp = true;
    const restartMs = Date.now() - r0;
    const lagAtRestart = (await influxGroupLag(redis, key)) ?? NaN;
    log(`outage: InfluxDB back after ${(restartMs / 1000).toFixed(1)} s; lag ${lagAtRestart} entries; waiting for ≤ ${drainThreshold(baseline.lag)}`);
    const d0 = Date.now();
    let lag = lagAtRestart;
    let lastLog = d0;
    while (lag > drainThreshold(baseline.lag) && Date.now() - d0 < o.drainMaxMs) {
      await sleep(500);
      lag = (await influxGroupLag(redis, key)) ?? NaN;
      if (Date.now() - lastLog >= 10_000) {
        lastLog = Date.now();
        log(`outage: draining, lag ${lag}`);
      }
    }
    const drainMs = Date.now() - d0;
    const drained = lag <= drainThreshold(baseline.lag);
    const arrival = growth.entriesPerMin / 60;
    const drain = { ...drainRate(lagAtRestart, lag, drainMs, arrival, growth.pointsPerEntry), drained, lagAtRestart, restartMs };
    log(`outage: ${drained ? 'drained' : 'NOT drained'} in ${(drainMs / 1000).toFixed(1)} s: net ${Math.round(drain.netEntriesPerSec)} entries/s, writer ${Math.round(drain.writerEntriesPerSec)} entries/s ≈ ${Math.round(drain.writerPointsPerSec)} points/s`);

    stopLoad = true;
    await loadDone;
    await gen.all({ cmd: 'close', group, terminate: false }, 60_000);
    const calls = { sent: sum('sent'), acked: sum('acked'), refused: sum('refused'), unanswered: sum('unanswered') };
    const correctness = await waitForInflux(
      { influxUrl: influx.url, database: c.database, redisUrl: svc.redis.url, prefix: c.prefix, ackedMeter: calls.acked, refused: calls.refused, inDoubt: calls.unanswered, label: 'outage' },
      { timeoutMs: 120_000, stallMs: 15_000, settleMs: 2000 },
    );
    return {
      settings: { rate: o.rate, connections: o.connections, baselineMs: o.baselineMs, outageMs, stations: Math.round(o.rate * 50) },
      baseline,
      samples,
      growth,
      drain,
      calls,
      correctness,
    };
  } finally {
    stopLoad = true;
    await loadDone.catch(() => undefined);
    redis.disconnect();
    await c.stop();
    await w.stop();
    if (influxUp) await influx.stop();
    influxUp = false;
  }
}
