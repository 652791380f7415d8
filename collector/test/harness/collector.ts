/**
 * Starts a real collector in-process against the harness services. Each call gets its own Redis key
 * prefix and InfluxDB database, so test files running in parallel never see each other's stations.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type CollectorConfig } from '../../src/config';
import { startCollector, type CollectorHandle, type CollectorOptions } from '../../src/collector';
import { silentLogger } from '@chargewatch/platform';

export const TEST_TOKEN = 'test-token';

export interface TestCollector extends CollectorHandle {
  config: CollectorConfig;
  database: string;
  api(path: string, init?: RequestInit): Promise<Response>;
}

export async function startTestCollector(env: Record<string, string> = {}, options: CollectorOptions = {}): Promise<TestCollector> {
  const suffix = randomBytes(4).toString('hex');
  const database = `cw_test_${suffix}`;
  const config = loadConfig({
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: '0',
    API_PORT: '0',
    API_TOKEN: TEST_TOKEN,
    REDIS_URL: process.env.TEST_REDIS_URL,
    REDIS_PREFIX: `cwt${suffix}:`,
    INFLUX_URL: process.env.TEST_INFLUX_URL,
    INFLUX_DATABASE: database,
    INFLUX_FLUSH_INTERVAL_MS: '100',
    COLLECTOR_ID: `test-${suffix}`,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const handle = await startCollector(config, { logger: silentLogger, ...options });
  return {
    ...handle,
    config,
    database,
    api: (path, init = {}) =>
      fetch(`${handle.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers ?? {}) } }),
  };
}
