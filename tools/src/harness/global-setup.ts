/**
 * Starts real Redis, InfluxDB, Prometheus and PostgreSQL once per jest run and hands their URLs to the
 * test workers through env. Services already running elsewhere can be used instead by setting
 * TEST_REDIS_URL, TEST_INFLUX_URL, TEST_PROMETHEUS_URL and TEST_DATABASE_URL (Prometheus must then scrape the targets
 * the tests register themselves, so an external one is only useful for the Redis/InfluxDB tests).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../devstack/postgres';
import { startInfluxDB, startPrometheus, startRedis, type Service } from '../devstack/services';

declare global {
  // eslint-disable-next-line no-var
  var __chargewatchServices: Service[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  const baseDir = mkdtempSync(join(tmpdir(), 'chargewatch-test-'));
  const started: Service[] = [];
  globalThis.__chargewatchServices = started;
  const [redis, influx, prometheus, postgres] = await Promise.all([
    process.env.TEST_REDIS_URL ? undefined : startRedis(baseDir),
    process.env.TEST_INFLUX_URL ? undefined : startInfluxDB(baseDir),
    process.env.TEST_PROMETHEUS_URL ? undefined : startPrometheus(baseDir, { scrapeIntervalSec: 1 }),
    process.env.TEST_DATABASE_URL ? undefined : startPostgres(baseDir),
  ]);
  for (const s of [redis, influx, prometheus, postgres]) if (s) started.push(s);
  process.env.TEST_REDIS_URL ??= redis!.url;
  process.env.TEST_INFLUX_URL ??= influx!.url;
  process.env.TEST_PROMETHEUS_URL ??= prometheus!.url;
  process.env.TEST_DATABASE_URL ??= postgres!.url;
  if (prometheus) process.env.TEST_PROMETHEUS_TARGETS_FILE = join(prometheus.dataDir, 'targets.json');
  process.env.TEST_BASE_DIR = baseDir;
}
