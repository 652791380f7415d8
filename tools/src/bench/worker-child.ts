/**
 * The worker under test, as a child process (`chargewatch worker`) with INFLUX_WRITER=worker: it consumes
 * the journal of one benchmark collector (same Redis, same REDIS_PREFIX) into that collector's InfluxDB
 * database. Only the InfluxDB writer is measured, so the housekeeping schedules are off.
 */
import { freePort, waitFor } from '../devstack/ports';
import { ManagedProcess } from '../devstack/process';
import type { PrometheusService, Service } from '../devstack/services';
import type { Collector } from './collector-child';
import { BIN, cleanups } from './setup';

export interface WorkerChild {
  proc: ManagedProcess;
  metricsUrl: string;
  stop(): Promise<void>;
}

export async function startWorkerChild(
  name: string,
  dir: string,
  svc: { redis: Service; influx: Service; prometheus: PrometheusService },
  runId: string,
  collector: Pick<Collector, 'prefix' | 'database'>,
): Promise<WorkerChild> {
  const metricsPort = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: svc.redis.url,
    REDIS_PREFIX: collector.prefix,
    INFLUX_URL: svc.influx.url,
    INFLUX_DATABASE: collector.database,
    INFLUX_WRITER: 'worker',
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(metricsPort),
    WORKER_ID: `bench-${runId}-${name}`,
    WORKER_STALE_SWEEP_INTERVAL_SEC: '0',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
    LOG_LEVEL: process.env.BENCH_COLLECTOR_LOG_LEVEL ?? 'warn',
  };
  delete childEnv.NODE_OPTIONS;
  const proc = new ManagedProcess(`worker-${name}`, process.execPath, [BIN, 'worker'], dir, childEnv);
  const metricsUrl = `http://127.0.0.1:${metricsPort}`;
  // A clean stop writes out what is left of the journal (up to 10 s) before it closes.
  const stop = () => proc.stop(30_000);
  cleanups.push(stop);
  await waitFor(`worker ${name}`, async () => {
    if (!proc.running) throw new Error(`worker exited; see ${proc.logFile}`);
    return (await fetch(`${metricsUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
  });
  svc.prometheus.setWorkerTargets([`127.0.0.1:${metricsPort}`]);
  return { proc, metricsUrl, stop };
}
