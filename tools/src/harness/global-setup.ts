/**
 * Starts real Redis, InfluxDB and Prometheus once per jest run and hands their URLs to the test
 * workers through env. Services already running elsewhere can be used instead by setting
 * TEST_REDIS_URL, TEST_INFLUX_URL and TEST_PROMETHEUS_URL (Prometheus must then scrape the targets
 * the tests register themselves, so an external one is only useful for the Redis/InfluxDB tests).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfluxDB, startPrometheus, startRedis, type Service } from '../devstack/services';

declare global {
  // eslint-disable-next-line no-var
  var __chargewatchServices: Service[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const baseDir = mkdtempSync(join(tmpdir(), 'chargewatch-test-'));
  const started: Service[] = [];
  globalThis.__chargewatchServices = started;
  const [redis, influx, prometheus] = await Promise.all([
    process.env.TEST_REDIS_URL ? undefined : startRedis(baseDir),
    process.env.TEST_INFLUX_URL ? undefined : startInfluxDB(baseDir),
    process.env.TEST_PROMETHEUS_URL ? undefined : startPrometheus(baseDir, { scrapeIntervalSec: 1 }),
  ]);
  for (const s of [redis, influx, prometheus]) if (s) started.push(s);
  process.env.TEST_REDIS_URL ??= redis!.url;
  process.env.TEST_INFLUX_URL ??= influx!.url;
  process.env.TEST_PROMETHEUS_URL ??= prometheus!.url;
  if (prometheus) process.env.TEST_PROMETHEUS_TARGETS_FILE = join(prometheus.dataDir, 'targets.json');
  process.env.TEST_BASE_DIR = baseDir;
}
