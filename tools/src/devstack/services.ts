/**
 * Starts real Redis, InfluxDB 1.x, Prometheus and Alertmanager processes on free loopback ports with
 * their own data directories. Used by the integration tests, `chargewatch demo` and the benchmark, so
 * all three exercise the same services a deployment runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freePort, waitFor } from './ports';
import { ManagedProcess } from './process';

export interface Service {
  name: string;
  url: string;
  port: number;
  dataDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.status < 500;
}

export async function startRedis(baseDir: string, opts: { port?: number; appendOnly?: boolean; fsync?: 'always' | 'everysec' } = {}): Promise<Service> {
  const dataDir = join(baseDir, 'redis');
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const proc = new ManagedProcess('redis', 'redis-server', [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dataDir,
    '--save', '',
    '--appendonly', opts.appendOnly ? 'yes' : 'no',
    // The journal's promise (an answer means the event is stored) holds through a host crash only
    // with a sync per write; group commit keeps that to one fsync per event-loop turn.
    '--appendfsync', opts.fsync ?? 'always',
    '--protected-mode', 'no',
  ], dataDir);
  const { default: Redis } = await import('ioredis');
  await waitFor('redis', async () => {
    if (!proc.running) throw new Error(`redis-server exited; see ${proc.logFile}`);
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refusals are expected until redis-server listens; connect() rejects with them, so the client's
    // error event would only repeat them as "[ioredis] Unhandled error event".
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  });
  return { name: 'redis', url: `redis://127.0.0.1:${port}`, port, dataDir, process: proc, stop: () => proc.stop() };
}

export async function startInfluxDB(baseDir: string, opts: { port?: number } = {}): Promise<Service> {
  const dataDir = join(baseDir, 'influxdb');
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const rpcPort = await freePort();
  const configFile = join(dataDir, 'influxdb.conf');
  // 1.x binds a backup RPC port (8088) by default; give it a free one so parallel stacks never collide.
  writeFileSync(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dataDir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dataDir, 'data')}"`,
      `  wal-dir = "${join(dataDir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  const proc = new ManagedProcess('influxdb', 'influxd', ['-config', configFile], dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('influxdb', async () => {
    if (!proc.running) throw new Error(`influxd exited; see ${proc.logFile}`);
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return res.status === 204;
  });
  return { name: 'influxdb', url, port, dataDir, process: proc, stop: () => proc.stop() };
}

export interface PrometheusOptions {
  port?: number;
  scrapeIntervalSec?: number;
  /** Rule files (globs allowed) loaded by Prometheus, e.g. the alerting/ rules. */
  ruleFiles?: string[];
  alertmanagerUrl?: string;
}

export interface PrometheusService extends Service {
  /** Rewrites the file_sd target list; Prometheus picks the change up within a second or two. */
  setTargets(targets: string[], labels?: Record<string, string>): void;
  /** The same for the job `chargewatch-worker` (the worker's /metrics, watched by WorkerDown). */
  setWorkerTargets(targets: string[]): void;
}

export async function startPrometheus(baseDir: string, opts: PrometheusOptions = {}): Promise<PrometheusService> {
  const dataDir = join(baseDir, 'prometheus');
  mkdirSync(join(dataDir, 'tsdb'), { recursive: true });
  const port = opts.port ?? (await freePort());
  const interval = opts.scrapeIntervalSec ?? 1;
  const targetsFile = join(dataDir, 'targets.json');
  const setTargets = (targets: string[], labels: Record<string, string> = {}) =>
    writeFileSync(targetsFile, JSON.stringify([{ targets, labels }]));
  setTargets([]);
  const workerTargetsFile = join(dataDir, 'worker-targets.json');
  const setWorkerTargets = (targets: string[]) => writeFileSync(workerTargetsFile, JSON.stringify([{ targets, labels: {} }]));
  setWorkerTargets([]);
  const alerting = opts.alertmanagerUrl
    ? ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${new URL(opts.alertmanagerUrl).host}']`]
    : [];
  const rules = opts.ruleFiles?.length ? ['rule_files:', ...opts.ruleFiles.map((f) => `  - '${f}'`)] : [];
  const configFile = join(dataDir, 'prometheus.yml');
  writeFileSync(
    configFile,
    [
      'global:',
      `  scrape_interval: ${interval}s`,
      `  evaluation_interval: ${interval}s`,
      ...alerting,
      ...rules,
      'scrape_configs:',
      '  - job_name: chargewatch-collector',
      '    file_sd_configs:',
      `      - files: ['${targetsFile}']`,
      '        refresh_interval: 1s',
      // Per-station series have their own endpoint (docs/prometheus-operators.md); same interval here.
      '  - job_name: chargewatch-collector-stations',
      '    metrics_path: /metrics/stations',
      '    file_sd_configs:',
      `      - files: ['${targetsFile}']`,
      '        refresh_interval: 1s',
      '  - job_name: chargewatch-worker',
      '    file_sd_configs:',
      `      - files: ['${workerTargetsFile}']`,
      '        refresh_interval: 1s',
      '',
    ].join('\n'),
  );
  const proc = new ManagedProcess('prometheus', 'prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    '--log.level=warn',
  ], dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('prometheus', async () => {
    if (!proc.running) throw new Error(`prometheus exited; see ${proc.logFile}`);
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  });
  return { name: 'prometheus', url, port, dataDir, process: proc, stop: () => proc.stop(), setTargets, setWorkerTargets };
}

export async function startAlertmanager(baseDir: string, configYaml: string, opts: { port?: number } = {}): Promise<Service> {
  const dataDir = join(baseDir, 'alertmanager');
  mkdirSync(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const configFile = join(dataDir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const proc = new ManagedProcess('alertmanager', 'prometheus-alertmanager', [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // An empty cluster address disables gossip, which would otherwise bind 9094 on all interfaces.
    '--cluster.listen-address=',
    '--log.level=warn',
  ], dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor('alertmanager', async () => {
    if (!proc.running) throw new Error(`alertmanager exited; see ${proc.logFile}`);
    return httpOk(`${url}/-/ready`);
  });
  return { name: 'alertmanager', url, port, dataDir, process: proc, stop: () => proc.stop() };
}
