/**
 * The whole local pipeline as real processes: Redis, InfluxDB, PostgreSQL, Prometheus (+ Alertmanager), the
 * collector, the worker and a simulated fleet. `chargewatch demo` runs it for people; `npm test` runs it for the
 * end-to-end checks; the benchmark starts the same services.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from './ports';
import { ManagedProcess } from './process';
import { startPostgres, type PostgresService } from './postgres';
import {
  startAlertmanager,
  startInfluxDB,
  startPrometheus,
  startRedis,
  type PrometheusService,
  type Service,
} from './services';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO_ROOT, 'cli', 'bin', 'chargewatch.js');

export interface StackOptions {
  stations: number;
  seed: number;
  /** Simulator time scale: 10 makes sessions ten times shorter, for tests. */
  speed: number;
  /** Keep data under <repo>/.data/demo and reuse it next time (the demo); else a temp dir. */
  persistent: boolean;
  /** Load alerting/rules into Prometheus and start Alertmanager. */
  withAlerting: boolean;
  /** Fixed ports (the demo, so its URLs stay the same between runs); free ports otherwise. */
  ports?: Partial<Record<'redis' | 'influxdb' | 'postgres' | 'prometheus' | 'alertmanager' | 'ocpp' | 'api' | 'worker', number>>;
  apiToken?: string;
  /**
   * Which process writes the journal to InfluxDB (INFLUX_WRITER, given to both). Default `worker`, as in
   * docker-compose.yml: the collector then only appends (docs/benchmarks.md, "InfluxDB writer placement").
   */
  influxWriter?: 'collector' | 'worker';
  /** Extra `chargewatch simulate` flags (e.g. more faults for the end-to-end checks). */
  simulatorArgs?: string[];
  log?: (line: string) => void;
}

export interface Stack {
  dataDir: string;
  redis: Service;
  influx: Service;
  postgres: PostgresService;
  prometheus: PrometheusService;
  alertmanager?: Service;
  collector: ManagedProcess;
  worker: ManagedProcess;
  simulator: ManagedProcess;
  ocppUrl: string;
  /** The worker's /metrics and /healthz. */
  workerUrl: string;
  apiUrl: string;
  apiToken: string;
  database: string;
  /** Resolves once stations are visible through the API, InfluxDB and Prometheus. */
  waitForData(timeoutMs?: number): Promise<void>;
  /** URLs for the end-to-end tests (E2E_* variables). */
  e2eEnv(): Record<string, string>;
  stop(): Promise<void>;
}

const DEMO_ALERTMANAGER = `# Demo routing: alerts are visible in the Alertmanager UI; nothing is sent anywhere.
route:
  receiver: demo
  group_by: [alertname, site]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: demo
`;

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => undefined);
  const dataDir = opts.persistent ? join(REPO_ROOT, '.data', 'demo') : mkdtempSync(join(tmpdir(), 'chargewatch-stack-'));
  mkdirSync(dataDir, { recursive: true });
  const ports = opts.ports ?? {};
  const apiToken = opts.apiToken ?? 'demo-token';
  const database = 'chargewatch';
  const started: Array<{ stop(): Promise<void> }> = [];
  let sampleStation = '';
  const stopAll = async () => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };

  try {
    log('starting Redis, InfluxDB, PostgreSQL …');
    const [redis, influx, postgres] = await Promise.all([
      startRedis(dataDir, { port: ports.redis, appendOnly: true }),
      startInfluxDB(dataDir, { port: ports.influxdb }),
      startPostgres(dataDir, { port: ports.postgres }),
    ]);
    started.push(redis, influx, postgres);

    let alertmanager: Service | undefined;
    const ruleDir = join(REPO_ROOT, 'alerting', 'rules');
    const ruleFiles = opts.withAlerting && existsSync(ruleDir)
      ? readdirSync(ruleDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(ruleDir, f))
      : [];
    if (opts.withAlerting) {
      log('starting Alertmanager …');
      alertmanager = await startAlertmanager(dataDir, DEMO_ALERTMANAGER, { port: ports.alertmanager });
      started.push(alertmanager);
    }
    log('starting Prometheus …');
    const prometheus = await startPrometheus(dataDir, {
      port: ports.prometheus,
      scrapeIntervalSec: 5,
      ruleFiles,
      alertmanagerUrl: alertmanager?.url,
    });
    started.push(prometheus);

    const influxWriter = opts.influxWriter ?? 'worker';
    const ocppPort = ports.ocpp ?? (await freePort());
    const apiPort = ports.api ?? (await freePort());
    log('starting the collector …');
    const collector = new ManagedProcess('collector', process.execPath, [CLI, 'collector'], dataDir, {
      ...process.env,
      OCPP_HOST: '127.0.0.1',
      OCPP_PORT: String(ocppPort),
      API_PORT: String(apiPort),
      API_TOKEN: apiToken,
      REDIS_URL: redis.url,
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: database,
      INFLUX_WRITER: influxWriter,
      DATABASE_URL: postgres.url,
      // The token registry is live (the plugin's Access page manages it, its browser test too), and
      // the demo sites are free vend: the simulated fleet's random tokens, which nobody registered,
      // are Accepted there, while a registered token is still decided by the registry (a blocked card
      // is refused). ACCESS_MODE=accept-all decides every token Accepted, as before.
      ACCESS_MODE: process.env.ACCESS_MODE ?? 'registry',
      ACCESS_FREE_VEND_SITES: process.env.ACCESS_FREE_VEND_SITES ?? DEMO_SITES.map((s) => s.site).join(','),
      // KeyCode tokens need a PIN secret; the demo's is fixed and public, as its API token is
      ACCESS_PIN_SECRET: process.env.ACCESS_PIN_SECRET ?? DEMO_PIN_SECRET,
      COLLECTOR_ID: 'demo-collector-1',
      OCPP_HEARTBEAT_INTERVAL_SEC: '30',
      TX_STALE_SWEEP_INTERVAL_SEC: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    });
    started.push(collector);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    await waitFor('collector', async () => {
      if (!collector.running) throw new Error(`collector exited; see ${collector.logFile}`);
      return (await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(1000) })).ok;
    }, 30_000);
    prometheus.setTargets([`127.0.0.1:${apiPort}`]);

    // The worker runs the stale sweep on its schedule (the collector above keeps its timer off) and, with
    // INFLUX_WRITER=worker, consumes the journal into the same InfluxDB database.
    log(`starting the worker${influxWriter === 'worker' ? ' (InfluxDB writer)' : ''} …`);
    const workerPort = ports.worker ?? (await freePort());
    const worker = new ManagedProcess('worker', process.execPath, [CLI, 'worker'], dataDir, {
      ...process.env,
      REDIS_URL: redis.url,
      // Firmware (tracker, timeouts, campaigns) keeps its records in PostgreSQL; its gauges refresh
      // often enough that dashboards show a fresh fleet within a scrape or two.
      DATABASE_URL: postgres.url,
      WORKER_FIRMWARE_METRICS_INTERVAL_SEC: '15',
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: database,
      INFLUX_WRITER: influxWriter,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(workerPort),
      WORKER_ID: 'demo-worker-1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    });
    started.push(worker);
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    await waitFor('worker', async () => {
      if (!worker.running) throw new Error(`worker exited; see ${worker.logFile}`);
      return (await fetch(`${workerUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
    }, 30_000);
    prometheus.setWorkerTargets([`127.0.0.1:${workerPort}`]);
    await importDemoSites(apiUrl, apiToken, opts.stations);

    const ocppUrl = `ws://127.0.0.1:${ocppPort}/ocpp`;
    log(`starting a simulated fleet of ${opts.stations} stations …`);
    const simulator = new ManagedProcess('simulator', process.execPath, [
      CLI, 'simulate',
      '--count', String(opts.stations),
      '--seed', String(opts.seed),
      '--speed', String(opts.speed),
      '--url', ocppUrl,
      '--summary-interval', '30',
      ...(opts.simulatorArgs ?? []),
    ], dataDir);
    started.push(simulator);

    const stack: Stack = {
      dataDir,
      redis,
      influx,
      postgres,
      prometheus,
      alertmanager,
      collector,
      worker,
      simulator,
      ocppUrl,
      workerUrl,
      apiUrl,
      apiToken,
      database,
      async waitForData(timeoutMs = 60_000) {
        await waitFor('stations in the API', async () => {
          if (!simulator.running) throw new Error(`simulator exited; see ${simulator.logFile}`);
          const res = await fetch(`${apiUrl}/api/v1/fleet/summary`, { headers: { authorization: `Bearer ${apiToken}` } });
          const body = (await res.json()) as { stations?: { online?: number } };
          return (body.stations?.online ?? 0) >= Math.ceil(opts.stations * 0.8);
        }, timeoutMs);
        const list = (await (await fetch(`${apiUrl}/api/v1/stations?online=true&limit=1`, { headers: { authorization: `Bearer ${apiToken}` } })).json()) as { items: Array<{ id: string }> };
        sampleStation = list.items[0]?.id ?? '';
        await waitFor('meter values in InfluxDB', async () => {
          const q = new URLSearchParams({ db: database, q: 'SELECT count(value) FROM meter' });
          const body = (await (await fetch(`${influx.url}/query?${q}`)).json()) as { results: Array<{ series?: unknown[] }> };
          return Boolean(body.results[0]?.series?.length);
        }, timeoutMs);
        await waitFor('collector metrics in Prometheus', async () => {
          const q = new URLSearchParams({ query: 'sum(chargewatch_station_connected)' });
          const body = (await (await fetch(`${prometheus.url}/api/v1/query?${q}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
          return Number(body.data.result[0]?.value[1] ?? 0) > 0;
        }, timeoutMs);
      },
      e2eEnv() {
        return {
          E2E_OCPP_URL: ocppUrl,
          E2E_API_URL: apiUrl,
          E2E_API_TOKEN: apiToken,
          E2E_METRICS_TARGET: `127.0.0.1:${apiPort}`,
          E2E_WORKER_URL: workerUrl,
          E2E_PROMETHEUS_URL: prometheus.url,
          E2E_INFLUX_URL: influx.url,
          E2E_INFLUX_DB: database,
          E2E_REDIS_URL: redis.url,
          E2E_DATABASE_URL: postgres.url,
          E2E_STATION_ID: sampleStation,
          CHARGEWATCH_API_URL: apiUrl,
          CHARGEWATCH_API_TOKEN: apiToken,
          PROMETHEUS_URL: prometheus.url,
        };
      },
      async stop() {
        await stopAll();
        if (!opts.persistent && !process.env.KEEP_TEST_DATA) rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Demo only (32 bytes, hex): the secret KeyCode PINs are hashed under in the demo stack. */
const DEMO_PIN_SECRET = 'c0ffee00'.repeat(8);

const DEMO_SITES = [
  { site: 'depot-north', address: 'Industrieweg 12, Utrecht', latitude: 52.11, longitude: 5.08, timeZone: 'Europe/Amsterdam' },
  { site: 'harbour', address: 'Kade 3, Rotterdam', latitude: 51.9, longitude: 4.45, timeZone: 'Europe/Amsterdam' },
  { site: 'airport-p3', address: 'Parking P3, Schiphol', latitude: 52.31, longitude: 4.76, timeZone: 'Europe/Amsterdam' },
];

/**
 * What an operator does first: give stations their sites. The simulator names stations SIM-0001…;
 * the metadata import is the real API, so the demo's dashboards and alerts group by site as in production.
 */
async function importDemoSites(apiUrl: string, token: string, stations: number): Promise<void> {
  const rows = Array.from({ length: stations }, (_, i) => {
    const s = DEMO_SITES[i % DEMO_SITES.length]!;
    return { stationId: `SIM-${String(i + 1).padStart(Math.max(4, String(stations).length), '0')}`, ...s, operatingHours: '24/7', tags: { network: 'demo' } };
  });
  const res = await fetch(`${apiUrl}/api/v1/stations/metadata/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(rows),
  });
  if (!res.ok) throw new Error(`demo metadata import failed: HTTP ${res.status} ${await res.text()}`);
}
