/**
 * `node tools/dist/bench/outage-main.js`: only the InfluxDB outage scenario (outage.ts), printing its rows
 * and section; `npm run bench` runs it as part of the whole benchmark (BENCH_OUTAGE=0 or --quick skips it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPrometheus, startRedis } from '../devstack/services';
import { BenchChild } from './ipc';
import { Generators } from './load';
import { runOutageBench } from './outage';
import { outageMarkdown, outageRows } from './report-outage';
import { P, cleanupAll, cleanups, log } from './setup';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-outage-'));
  if (!process.env.BENCH_KEEP_DIR) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const [redis, prometheus] = await Promise.all([startRedis(dir, { appendOnly: true, fsync: process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always' }), startPrometheus(dir, { scrapeIntervalSec: 1 })]);
  cleanups.push(() => redis.stop(), () => prometheus.stop());
  const gens = Array.from({ length: P.loadgens }, (_, i) => new BenchChild(`loadgen-${i}`, join(__dirname, 'loadgen.js')));
  for (const g of gens) cleanups.push(() => g.stop());
  const gen = new Generators(gens);
  await gen.all({ cmd: 'ping' }, 10_000);
  const r = await runOutageBench(gen, dir, { redis, prometheus }, randomBytes(3).toString('hex'));
  const out = process.env.BENCH_OUTAGE_OUT ?? join(tmpdir(), 'chargewatch-outage.json');
  writeFileSync(out, JSON.stringify(r, null, 2));
  process.stdout.write(`${outageRows(r).map((row) => row.join(' | ')).join('\n')}\n\n${outageMarkdown(r).join('\n')}\n`);
  log(`results: ${out}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanupAll().then(() => process.exit(130)));
main()
  .catch((err) => {
    process.stderr.write(`outage bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
