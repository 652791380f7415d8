/**
 * The idle and reconnect-storm phases of `npm run bench`: a fresh collector, RSS per idle connection,
 * then every socket dropped at once and every station back at once. Skipped with BENCH_IDLE_CONNECTIONS=0
 * (and in --quick), since opening 10,000 connections twice is most of a full run's wall time.
 *
 * RSS per connection is read twice: as the process holds it 4 s after the last boot (the target's
 * figure: what a host must provide), and after two forced full collections before and after the
 * stations (mem-probe.ts), which is what the connections keep. The first also holds garbage V8 has not
 * collected yet, so it moves by ±10 KB between runs with where the reading falls in V8's collection
 * cycle; the second moves by about ±1 KB (docs/performance-notes.md).
 */
import type { PrometheusService, Service } from '../devstack/services';
import { join } from 'node:path';
import { startCollectorChild, steadyRssKB, type CollectorChildOptions } from './collector-child';
import { MEM_PROBE_NODE_ARGS, readMemProbe } from './mem-probe-read';
import { Histogram } from './histogram';
import type { Generators, PrepareResult, StormResult } from './load';
import { P, log, sleep } from './setup';

export interface IdleStormResults {
  idle: {
    connections: number;
    booted: number;
    rssBeforeKB: number;
    rssAfterKB: number;
    perConnKB: number;
    /** The same after forced full collections before and after the stations (undefined: not read). */
    perConnAfterGcKB?: number;
    openMs: number;
  };
  storm: StormResult & { p50: number; p99: number };
}

export async function runIdleStorm(gen: Generators, dir: string, svc: { redis: Service; influx: Service; prometheus: PrometheusService }, runId: string, opts: CollectorChildOptions & { name?: string } = {}): Promise<IdleStormResults> {
  const probeOut = join(dir, `mem-probe-${opts.name ?? 'idle'}.json`);
  const c2 = await startCollectorChild(opts.name ?? 'idle', dir, svc, runId, {
    ...opts,
    nodeArgs: [...(opts.nodeArgs ?? []), ...MEM_PROBE_NODE_ARGS],
    env: { ...(opts.env ?? {}), CW_MEM_PROBE_OUT: probeOut },
  });
  const pid2 = c2.proc.child.pid!;
  await sleep(3000);
  const rssBefore = await steadyRssKB(pid2);
  await readMemProbe(pid2, probeOut);
  const rssBeforeGc = await steadyRssKB(pid2);
  log(`collector (idle) pid ${pid2}: RSS ${rssBefore} kB; opening ${P.idleConnections} connections`);
  const idlePrefix = `cwb-${runId}-I${opts.name ?? ''}`;
  const idle = await gen.all<PrepareResult>(
    { cmd: 'prepare', group: 'idle', url: c2.ocppUrl, prefix: idlePrefix, first: 0, count: P.idleConnections, localAddrs: P.localAddrs, concurrency: 256, timeoutMs: 30_000 },
    180_000,
  );
  const idleBooted = idle.reduce((a, r) => a + r.booted, 0);
  const openMs = Math.max(...idle.map((r) => r.ms));
  log(`idle: ${idleBooted} booted in ${(openMs / 1000).toFixed(1)} s${idleBooted < P.idleConnections ? ` (errors ${JSON.stringify(idle.map((r) => r.errors))})` : ''}`);
  await sleep(4000);
  const rssAfter = await steadyRssKB(pid2);
  const perConnKB = (rssAfter - rssBefore) / Math.max(1, idleBooted);
  await readMemProbe(pid2, probeOut);
  const perConnAfterGcKB = ((await steadyRssKB(pid2)) - rssBeforeGc) / Math.max(1, idleBooted);
  log(`idle: RSS ${rssAfter} kB → ${perConnKB.toFixed(1)} KB per connection; ${perConnAfterGcKB.toFixed(1)} KB after forced full collections`);

  // Network drop: every socket dies at once, then every station comes back at once.
  await gen.all({ cmd: 'close', group: 'idle', terminate: true }, 60_000);
  await sleep(3000);
  log(`storm: ${P.idleConnections} stations reconnect and boot at once`);
  const stormParts = await gen.all<StormResult>(
    { cmd: 'storm', group: 'storm', url: c2.ocppUrl, prefix: idlePrefix, first: 0, count: P.idleConnections, localAddrs: P.localAddrs, timeoutMs: P.stormTimeoutMs, maxAttempts: 5 },
    P.stormTimeoutMs + 60_000,
  );
  const stormHist = Histogram.merge(stormParts.map((r) => r.timeToBoot));
  const storm = {
    stations: stormParts.reduce((a, r) => a + r.stations, 0),
    booted: stormParts.reduce((a, r) => a + r.booted, 0),
    failed: stormParts.reduce((a, r) => a + r.failed, 0),
    retries: stormParts.reduce((a, r) => a + r.retries, 0),
    ms: Math.max(...stormParts.map((r) => r.ms)),
    timeToBoot: stormHist.toJSON(),
    errors: Object.assign({}, ...stormParts.map((r) => r.errors)),
    p50: stormHist.quantile(0.5),
    p99: stormHist.quantile(0.99),
  };
  log(`storm: ${storm.booted}/${storm.stations} booted in ${(storm.ms / 1000).toFixed(2)} s (p50 ${(storm.p50 / 1000).toFixed(2)} s, retries ${storm.retries})`);
  await gen.all({ cmd: 'close', group: 'storm', terminate: false }, 120_000);
  await c2.stop();
  return { idle: { connections: P.idleConnections, booted: idleBooted, rssBeforeKB: rssBefore, rssAfterKB: rssAfter, perConnKB, perConnAfterGcKB, openMs }, storm };
}
