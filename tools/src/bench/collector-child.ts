/**
 * The collector under test, as a child process (`chargewatch collector`) against the benchmark's
 * services, and the read-backs of its memory, its InfluxDB points and Prometheus' view of it.
 */
import { readFileSync } from 'node:fs';
import { freePort, waitFor } from '../devstack/ports';
import { ManagedProcess } from '../devstack/process';
import type { PrometheusService, Service } from '../devstack/services';
import { BIN, cleanups, sleep } from './setup';

export interface Collector {
  proc: ManagedProcess;
  ocppUrl: string;
  apiUrl: string;
  apiTarget: string;
  database: string;
  /** REDIS_PREFIX: the journal is the stream `${prefix}journal`. */
  prefix: string;
  stop(): Promise<void>;
}

export interface CollectorChildOptions {
  /** Node flags before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** INFLUX_WRITER, set explicitly so an operator's environment cannot change what is measured. */
  influxWriter?: 'collector' | 'worker';
  /** Another build's `cli/bin/chargewatch.js` (cpu-per-call.ts compares two builds); this one's by default. */
  bin?: string;
  /** Extra environment for this child only (idle-main.ts compares settings and probes memory). */
  env?: NodeJS.ProcessEnv;
}

/** Every running collector's API, scraped by the benchmark's Prometheus (several run at once when interleaved). */
const scraped = new Set<string>();

export async function startCollectorChild(
  name: string,
  dir: string,
  svc: { redis: Service; influx: Service; prometheus: PrometheusService },
  runId: string,
  opts: CollectorChildOptions = {},
): Promise<Collector> {
  const nodeArgs = opts.nodeArgs ?? [];
  const ocppPort = await freePort();
  const apiPort = await freePort();
  const database = `cw_bench_${runId}_${name}`;
  const prefix = `cwb${runId}${name}:`;
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ocppPort),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_AUTH: 'off',
    REDIS_URL: svc.redis.url,
    REDIS_PREFIX: prefix,
    INFLUX_URL: svc.influx.url,
    INFLUX_DATABASE: database,
    INFLUX_WRITER: opts.influxWriter ?? 'collector',
    COLLECTOR_ID: `bench-${runId}-${name}`,
    LOG_LEVEL: process.env.BENCH_COLLECTOR_LOG_LEVEL ?? 'warn',
    // The load comes from 16 loopback addresses; the per-address flood limits are for the internet.
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
    ...opts.env,
  };
  delete childEnv.NODE_OPTIONS;
  const proc = new ManagedProcess(`collector-${name}`, process.execPath, [...nodeArgs, opts.bin ?? BIN, 'collector'], dir, childEnv);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const apiTarget = `127.0.0.1:${apiPort}`;
  // Generous grace: a clean stop writes out the journal, and --cpu-prof writes its file only on exit.
  const stop = async () => {
    await proc.stop(60_000);
    if (scraped.delete(apiTarget)) svc.prometheus.setTargets([...scraped], { bench: 'collector' });
  };
  cleanups.push(stop);
  await waitFor(`collector ${name}`, async () => {
    if (!proc.running) throw new Error(`collector exited; see ${proc.logFile}`);
    return (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(1000) })).ok;
  });
  scraped.add(apiTarget);
  svc.prometheus.setTargets([...scraped], { bench: 'collector' });
  return { proc, ocppUrl: `ws://127.0.0.1:${ocppPort}/ocpp`, apiUrl, apiTarget, database, prefix, stop };
}

function rssKB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** Median of a few readings 500 ms apart, so one GC or allocation burst does not decide the figure. */
export async function steadyRssKB(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssKB(pid));
    await sleep(500);
  }
  return xs.sort((a, b) => a - b)[2]!;
}

export async function influxQuery(influxUrl: string, db: string, q: string): Promise<any> {
  const res = await fetch(`${influxUrl}/query?${new URLSearchParams({ db, q })}`, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`InfluxQL ${q}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

export async function countsByMeasurand(influxUrl: string, db: string): Promise<Record<string, number>> {
  const body = await influxQuery(influxUrl, db, 'SELECT count(value) FROM meter GROUP BY measurand');
  const out: Record<string, number> = {};
  for (const s of body.results?.[0]?.series ?? []) out[s.tags.measurand] = s.values[0][1];
  return out;
}

export async function promQuery(url: string, q: string): Promise<number | undefined> {
  const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`, { signal: AbortSignal.timeout(5000) });
  const body: any = await res.json();
  const v = body?.data?.result?.[0]?.value?.[1];
  return v === undefined ? undefined : Number(v);
}
