/**
 * The real processes the fault suite stops, kills, pauses and restarts: Redis with an fsync on every
 * write (an acknowledgement must survive `kill -9` of Redis), InfluxDB 1.x, and the collector as a
 * child process (`node cli/bin/chargewatch.js collector`) with a stable COLLECTOR_ID and fixed
 * ports, so a restart looks to stations like the same server coming back.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { freePort, waitFor, ManagedProcess, startInfluxDB, type Service } from '@chargewatch/tools';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(REPO_ROOT, 'cli', 'bin', 'chargewatch.js');

/** A service that can be started again on the same port and data directory. */
export interface Restartable {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly process: ManagedProcess;
  /** Starts (again) and waits until it answers. */
  start(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace period; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
}

abstract class ManagedService implements Restartable {
  protected proc?: ManagedProcess;
  abstract readonly name: string;
  abstract readonly url: string;
  constructor(readonly port: number) {}

  get process(): ManagedProcess {
    if (!this.proc) throw new Error(`${this.name} was never started`);
    return this.proc;
  }

  abstract start(): Promise<void>;

  async stop(graceMs = 10_000): Promise<number | null> {
    const p = this.proc;
    if (!p) return null;
    p.signal('SIGCONT'); // a paused process cannot act on SIGTERM
    await p.stop(graceMs);
    return p.child.exitCode;
  }

  async kill(): Promise<void> {
    await this.proc?.kill();
  }

  pause(): void {
    this.proc?.signal('SIGSTOP');
  }

  resume(): void {
    this.proc?.signal('SIGCONT');
  }
}

/**
 * redis-server with AOF and `appendfsync always`: Redis answers a write only after it reached the disk,
 * which is what "acknowledged = durable" needs when Redis itself is killed.
 */
export class DurableRedis extends ManagedService {
  readonly name = 'redis';
  readonly dataDir: string;
  constructor(baseDir: string, port: number) {
    super(port);
    this.dataDir = join(baseDir, 'redis');
    mkdirSync(this.dataDir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const proc = new ManagedProcess('redis', 'redis-server', [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--dir', this.dataDir,
      '--save', '',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--protected-mode', 'no',
    ], this.dataDir);
    this.proc = proc;
    await waitFor('redis', async () => {
      if (!proc.running) throw new Error(`redis-server exited; see ${proc.logFile}`);
      const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        // LOADING while the AOF is replayed: not ready yet.
        return (await client.ping()) === 'PONG';
      } finally {
        client.disconnect();
      }
    });
  }

  async version(): Promise<string> {
    const client = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await client.connect();
      const info = await client.info('server');
      return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
    } finally {
      client.disconnect();
    }
  }
}

/** InfluxDB 1.x through the dev stack's starter, restarted on the same port and data directory. */
export class RestartableInflux extends ManagedService {
  readonly name = 'influxdb';
  private svc?: Service;
  constructor(private readonly baseDir: string, port: number) {
    super(port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.svc = await startInfluxDB(this.baseDir, { port: this.port });
    this.proc = this.svc.process;
  }

  async version(): Promise<string> {
    const res = await fetch(`${this.url}/ping`);
    return res.headers.get('x-influxdb-version') ?? 'unknown';
  }
}

export interface CollectorEnv {
  redisUrl: string;
  influxUrl: string;
  database: string;
  collectorId: string;
  apiToken: string;
}

/** The collector as a child process, the way it runs in production. */
export class CollectorProcess extends ManagedService {
  readonly name = 'collector';
  constructor(
    private readonly logDir: string,
    readonly ocppPort: number,
    readonly apiPort: number,
    private readonly env: CollectorEnv,
  ) {
    super(ocppPort);
  }

  static async create(logDir: string, env: CollectorEnv): Promise<CollectorProcess> {
    return new CollectorProcess(logDir, await freePort(), await freePort(), env);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.ocppPort}/ocpp`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  async start(): Promise<void> {
    const proc = new ManagedProcess('collector', process.execPath, [CLI, 'collector'], this.logDir, {
      ...process.env,
      OCPP_HOST: '127.0.0.1',
      OCPP_PORT: String(this.ocppPort),
      API_PORT: String(this.apiPort),
      API_TOKEN: this.env.apiToken,
      REDIS_URL: this.env.redisUrl,
      INFLUX_URL: this.env.influxUrl,
      INFLUX_API: 'v1',
      INFLUX_DATABASE: this.env.database,
      INFLUX_FLUSH_INTERVAL_MS: '200',
      COLLECTOR_ID: this.env.collectorId,
      // Every station of the suite connects from 127.0.0.1; in the field they come from many addresses.
      OCPP_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      OCPP_CONNECT_RATE_PER_ADDRESS: '1000',
      OCPP_CONNECT_BURST_PER_ADDRESS: '1000',
      OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
      LOG_LEVEL: 'warn',
    });
    this.proc = proc;
    await waitFor('collector', async () => {
      if (!proc.running) throw new Error(`collector exited (code ${proc.child.exitCode}); see ${proc.logFile}`);
      return (await fetch(`${this.apiUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).ok;
    }, 30_000);
  }

  /** The collector's own Prometheus metrics (unauthenticated, like a scrape). */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.apiUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    return res.text();
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const text = await this.metrics();
    let total: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
      total = (total ?? 0) + Number(line.split(' ').pop());
    }
    return total;
  }
}
