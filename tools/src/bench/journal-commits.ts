/**
 * Journal commits per call at a paced rate, in-process against a real Redis with appendfsync always:
 * `node tools/dist/bench/journal-commits.js [ROOT...]`, each ROOT a built checkout (default: this one),
 * measured in alternating rounds.
 *
 * One call is appended every 1/JC_RATE s (2,000 by default: about what 100,000 stations send), each in
 * its own turn of the event loop, as calls from different stations arrive. Reported per build: XADDs
 * per call (from Redis INFO commandstats: the commands, replies and fsync shares Redis and this process
 * spend per call) and the append latency p50 / p99. CPU is not reported: the pacing loop spins and
 * would dominate it (hot-path.ts gives the CPU of one append).
 */
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startRedis } from '../devstack/services';
import { BenchStation } from './frames';
import { parseCommandStats } from './redis-commands';
import { ROOT } from './setup';

const roots = process.argv.slice(2).map((r) => resolve(r));
if (!roots.length) roots.push(ROOT);
const RATE = Number(process.env.JC_RATE ?? 2000);
const MS = Number(process.env.JC_MS ?? 8000);
const ROUNDS = Number(process.env.JC_ROUNDS ?? 3);
const decisions = new Proxy({}, { get: () => undefined });

interface RoundResult {
  xaddsPerCall: number;
  p50: number;
  p99: number;
}

/** XADDs Redis has run so far, read on the round's own connection. */
const xadds = async (redis: { info(section: string): Promise<string> }) => parseCommandStats(await redis.info('commandstats')).get('xadd') ?? 0;

async function round(root: string, redisUrl: string, events: unknown[][], prefix: string): Promise<RoundResult> {
  const { RedisJournal } = require(join(root, 'platform', 'dist', 'journal', 'redis-journal'));
  const { Redis } = require(join(root, 'node_modules', 'ioredis'));
  // As the collector opens its connection (collector/src/collector.ts).
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
  const journal = new RedisJournal(redis, prefix, 1e9, { stationContext: () => ({ site: 'quay' }) });
  const x0 = await xadds(redis);
  const latencies: number[] = [];
  let sent = 0;
  let done = 0;
  const t0 = performance.now();
  await new Promise<void>((finish, fail) => {
    const tick = () => {
      const now = performance.now();
      if (sent < Math.floor(((now - t0) * RATE) / 1000) && now - t0 < MS) {
        const start = now;
        journal.append(events[sent++ % events.length]).then(() => {
          done++;
          latencies.push(performance.now() - start);
        }, fail);
      }
      if (now - t0 >= MS && done === sent) finish();
      else setImmediate(tick);
    };
    tick();
  });
  const added = (await xadds(redis)) - x0;
  await redis.quit();
  latencies.sort((a, b) => a - b);
  return { xaddsPerCall: added / sent, p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-jc-'));
  const redis = await startRedis(dir, { appendOnly: true, fsync: 'always' });
  try {
    const station = new BenchStation('CP-1', 1);
    const { ocpp16Adapter } = require(join(roots[0]!, 'collector', 'dist', 'ocpp', 'adapters'));
    const events: unknown[][] = [];
    for (let i = 0; i < 64; i++) {
      const payload = JSON.parse(station.meterValues().text)[3];
      events.push((await ocpp16Adapter.handle('MeterValues', payload, { stationId: 'CP-1', receivedAt: Date.now(), decisions })).events);
    }
    const out = roots.map(() => [] as RoundResult[]);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 ? [...roots.keys()].reverse() : [...roots.keys()];
      for (const i of order) out[i]!.push(await round(roots[i]!, redis.url, events, `jc${r}-${i}:`));
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [i, root] of roots.entries()) {
      const rs = out[i]!;
      process.stdout.write(
        `${root}: ${RATE} calls/s, XADD per call ${med(rs.map((x) => x.xaddsPerCall)).toFixed(3)} [${rs.map((x) => x.xaddsPerCall.toFixed(2)).join(' ')}], ` +
          `append p50 ${med(rs.map((x) => x.p50)).toFixed(2)} ms, p99 ${med(rs.map((x) => x.p99)).toFixed(2)} ms\n`,
      );
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`journal-commits failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
