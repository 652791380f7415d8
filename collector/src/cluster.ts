/**
 * Several collector processes on one host (COLLECTOR_PROCESSES=N), with node:cluster.
 *
 * Why cluster and not SO_REUSEPORT: Node 20's net servers have no reusePort option, and one process can
 * hold only as many sockets as RLIMIT_NOFILE allows (20,000 on some hosts). The primary process accepts
 * the one OCPP_PORT listening socket and every worker accepts from it (SCHED_NONE, below); the worker
 * that accepts a connection owns it. Each worker is a complete collector: its own stations, Redis connections,
 * journal writer and stale sweep, as a collector on another host would be. They share only Redis,
 * InfluxDB and PostgreSQL, like collectors on different hosts, so nothing here is a distribution layer:
 * the command bus already routes a command to the collector (process) that holds the station.
 *
 * What differs per worker, derived from its index i (0 … N−1):
 * - COLLECTOR_ID becomes `${COLLECTOR_ID}-${i}`: the owner recorded with its stations, which the command
 *   bus routes by, and stable across a restart of the same worker (its stations are marked offline then);
 * - API_PORT becomes API_PORT + i: each process serves its own API and /metrics, so Prometheus scrapes one
 *   target per process (the collector label keeps their series apart) instead of a random worker per scrape.
 *
 * The primary runs no collector. It restarts a worker that dies (after a second, so a worker that cannot
 * start does not spin) and on SIGTERM/SIGINT stops every worker gracefully before it exits.
 */
import cluster, { type Worker } from 'node:cluster';
import type { CollectorConfig } from './config';

const INDEX_ENV = 'CHARGEWATCH_COLLECTOR_PROCESS_INDEX';

/**
 * SCHED_NONE unless Node's own NODE_CLUSTER_SCHED_POLICY=rr asks for round robin. The kernel balances
 * accepts well under load but not for a handful of connections to idle processes (the same one tends to
 * win every accept), so a test that needs stations on every process asks for round robin.
 */
function schedulingPolicy(env: NodeJS.ProcessEnv): number {
  return env.NODE_CLUSTER_SCHED_POLICY === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
}

/**
 * Every worker accepts from the shared listening socket itself (SCHED_NONE) rather than the primary
 * accepting and handing sockets over one at a time (round robin). Measured at 100,000 stations: the
 * primary's hand-off waits for each worker's event loop to acknowledge, so in a storm the primary queued
 * sockets until it ran out of file descriptors and dropped connections (19,744 "socket hang up" in one
 * run). Accepting themselves, busy workers take fewer connections and the rest wait in the kernel's
 * backlog, costing no descriptor.
 */
cluster.schedulingPolicy = schedulingPolicy(process.env);
const RESTART_DELAY_MS = 1000;

/** This process's index among the collector processes of its host, or undefined outside a cluster. */
export function collectorProcessIndex(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!cluster.isWorker) return undefined;
  const i = Number(env[INDEX_ENV]);
  return Number.isInteger(i) && i >= 0 ? i : undefined;
}

/** The configuration of worker `index`: its own collector id and API port, everything else shared. */
export function collectorProcessConfig(config: CollectorConfig, index: number): CollectorConfig {
  return {
    ...config,
    collectorId: `${config.collectorId}-${index}`,
    // Port 0 (tests) stays 0: every worker then gets a port of its own from the kernel.
    api: { ...config.api, port: config.api.port === 0 ? 0 : config.api.port + index },
  };
}

export interface SupervisorLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Runs in the primary: forks `config.processes` workers (each re-runs this program, sees it is a worker
 * and starts one collector) and keeps them running until a signal. Resolves once the workers run.
 */
export function superviseCollectorProcesses(config: CollectorConfig, log: SupervisorLog): Promise<void> {
  const n = config.processes;
  let stopping = false;
  const workers = new Map<number, Worker>();
  const fork = (index: number) => {
    const w = cluster.fork({ [INDEX_ENV]: String(index) });
    workers.set(index, w);
    w.on('exit', (code, signal) => {
      if (workers.get(index) === w) workers.delete(index);
      if (stopping) return;
      log.error({ index, pid: w.process.pid, code, signal }, 'collector process exited; restarting it');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_DELAY_MS);
    });
  };
  for (let i = 0; i < n; i++) fork(i);
  log.info({ processes: n, ocppPort: config.ocpp.port, apiPorts: `${config.api.port}…${config.api.port + n - 1}` }, 'collector processes started');

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, processes: workers.size }, 'stopping collector processes');
    let failed = false;
    const exits = [...workers.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          w.once('exit', (code) => {
            if (code !== 0) failed = true;
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    );
    void Promise.all(exits).then(() => process.exit(failed ? 1 : 0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return Promise.resolve();
}
