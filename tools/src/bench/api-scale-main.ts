/**
 * `node tools/dist/bench/api-scale-main.js`: only the API-at-scale scenario (api-scale.ts), printing its
 * rows; `npm run bench` runs it as part of the whole benchmark (BENCH_API=0 or --quick skips it).
 * Results go to BENCH_API_OUT (default $TMPDIR/chargewatch-api-scale.json).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startInfluxDB, startPrometheus, startRedis } from '../devstack/services';
import { apiScaleRows, runApiScaleBench } from './api-scale';
import { cleanupAll, cleanups, log } from './setup';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-api-scale-'));
  if (!process.env.BENCH_KEEP_DIR) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const [redis, influx, prometheus] = await Promise.all([startRedis(dir, { appendOnly: true, fsync: process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always' }), startInfluxDB(dir), startPrometheus(dir, { scrapeIntervalSec: 1 })]);
  cleanups.push(() => redis.stop(), () => influx.stop(), () => prometheus.stop());
  const r = await runApiScaleBench(dir, { redis, influx, prometheus }, randomBytes(3).toString('hex'));
  const out = process.env.BENCH_API_OUT ?? join(tmpdir(), 'chargewatch-api-scale.json');
  writeFileSync(out, JSON.stringify(r, null, 2));
  process.stdout.write(`${apiScaleRows(r).map((row) => row.join(' | ')).join('\n')}\n`);
  log(`results: ${out}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanupAll().then(() => process.exit(130)));
main()
  .catch((err) => {
    process.stderr.write(`api-scale bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
