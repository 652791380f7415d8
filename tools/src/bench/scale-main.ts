/**
 * `node tools/dist/bench/scale-main.js`: only the scale scenario (scale.ts), printing its rows and
 * section; `npm run bench` runs it as part of the whole benchmark (BENCH_SCALE=0 skips it there).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startInfluxDB, startRedis } from '../devstack/services';
import { runScaleBench } from './scale';
import { scaleMarkdown, scaleRows } from './report-scale';
import { cleanupAll, cleanups, log } from './setup';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-scale-'));
  if (!process.env.BENCH_KEEP_DIR) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const [redis, influx] = await Promise.all([startRedis(dir, { appendOnly: true, fsync: process.env.BENCH_REDIS_FSYNC === 'everysec' ? 'everysec' : 'always' }), startInfluxDB(dir)]);
  cleanups.push(() => redis.stop(), () => influx.stop());
  const r = await runScaleBench(dir, { redis, influx }, randomBytes(3).toString('hex'));
  const out = process.env.BENCH_SCALE_OUT ?? join(tmpdir(), 'chargewatch-scale.json');
  writeFileSync(out, JSON.stringify(r, null, 2));
  process.stdout.write(`${scaleRows(r).map((row) => row.join(' | ')).join('\n')}\n\n${scaleMarkdown(r).join('\n')}\n`);
  log(`results: ${out}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void cleanupAll().then(() => process.exit(130)));
main()
  .catch((err) => {
    process.stderr.write(`scale bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
