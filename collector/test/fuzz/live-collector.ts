/**
 * A collector as a child process, for the hostile-input suite: if some input crashes it, the test sees
 * a dead process instead of a dead jest worker. Real Redis and InfluxDB from the integration harness;
 * its own key prefix and database. Connection limits are opened up because the fuzzer connects
 * thousands of times from one address; everything else keeps the production defaults.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { eventually, freePort, type ManagedProcess } from '@chargewatch/tools';
import { spawnCollectorChild } from '../harness/collector-child';
import { RedisKeys } from '@chargewatch/model';

export const FUZZ_TOKEN = 'fuzz-token';

export interface LiveCollector {
  readonly ocppHost: string;
  readonly ocppPort: number;
  readonly ocppUrl: string;
  readonly apiUrl: string;
  readonly database: string;
  readonly influxUrl: string;
  readonly keys: RedisKeys;
  /** REDIS_PREFIX of this collector. */
  readonly prefix: string;
  readonly redis: Redis;
  readonly process: ManagedProcess;
  /** An authorised API request. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Throws (naming the log file) unless the process runs and answers /healthz. */
  assertAlive(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLiveCollector(env: Record<string, string> = {}): Promise<LiveCollector> {
  const suffix = randomBytes(4).toString('hex');
  const prefix = `cwfuzz${suffix}:`;
  const database = `cw_fuzz_${suffix}`;
  const [ocppPort, apiPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const influxUrl = process.env.TEST_INFLUX_URL!;
  const child = spawnCollectorChild('collector-fuzzed', { ocpp: ocppPort, api: apiPort }, {
    API_TOKEN: FUZZ_TOKEN,
    REDIS_PREFIX: prefix,
    INFLUX_DATABASE: database,
    INFLUX_FLUSH_INTERVAL_MS: '100',
    COLLECTOR_ID: `fuzz-${suffix}`,
    UNKNOWN_STATIONS: 'accept',
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
    OCPP_MAX_BAD_MESSAGES: '1000000',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const redis = new Redis(process.env.TEST_REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  const api = (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${FUZZ_TOKEN}`, ...(init.headers ?? {}) } });
  const assertAlive = async () => {
    if (!child.running) throw new Error(`the collector process exited (code ${child.child.exitCode}); see ${child.logFile}`);
    const res = await fetch(`${apiUrl}/healthz`).catch((err: Error) => {
      throw new Error(`the collector does not answer /healthz (${err.message}); see ${child.logFile}`);
    });
    if (!res.ok) throw new Error(`/healthz answered ${res.status}; see ${child.logFile}`);
  };
  await eventually(assertAlive, 60_000);
  return {
    ocppHost: '127.0.0.1',
    ocppPort,
    ocppUrl: `ws://127.0.0.1:${ocppPort}/ocpp`,
    apiUrl,
    database,
    influxUrl,
    keys: new RedisKeys(prefix),
    prefix,
    redis,
    process: child,
    api,
    assertAlive,
    async stop() {
      await child.stop(10_000).catch(() => child.kill());
      const stale = await redis.keys(`${prefix}*`);
      if (stale.length) await redis.del(...stale);
      await fetch(`${influxUrl}/query?${new URLSearchParams({ q: `DROP DATABASE "${database}"` })}`, { method: 'POST' }).catch(() => undefined);
      redis.disconnect();
    },
  };
}
