/**
 * CPU per MeterValues call of two parts of the collector's hot path, in-process, for before/after
 * figures that a busy machine does not blur: `node tools/dist/bench/hot-path.js [ROOT...]`, each ROOT a
 * built checkout (default: this one), e.g. a `git archive` of the commit before a change built in /tmp.
 *
 * - adapter: ocpp16Adapter.handle('MeterValues') on the load generator's frame (9 sampled values):
 *   validation of surrogates and id limits, normalisation, the copy without undefined fields.
 * - journal: RedisJournal.append of that call's events, one call per event-loop turn (the group commit
 *   at its smallest, as at a paced rate), against a real Redis with appendfsync always; CPU of this
 *   process only (encoding, ioredis, socket writes), not Redis'.
 * - lines: toLines (platform/src/sinks/influx/points.ts) of that call's events, what the InfluxDB
 *   writer renders per call (in the collector or the worker, INFLUX_WRITER).
 * The roots are measured in alternating rounds; figures are medians (µs of this process' CPU per call).
 */
import { join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startRedis } from '../devstack/services';
import { BenchStation } from './frames';
import { ROOT } from './setup';

const roots = process.argv.slice(2).map((r) => resolve(r));
if (!roots.length) roots.push(ROOT);
const ROUNDS = Number(process.env.HOT_ROUNDS ?? 5);
const N = Number(process.env.HOT_CALLS ?? 20_000);

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const decisions = new Proxy({}, { get: () => undefined });

async function adapterRound(root: string, payloads: unknown[]): Promise<number> {
  const { ocpp16Adapter } = require(join(root, 'collector', 'dist', 'ocpp', 'adapters'));
  const t0 = cpuUs();
  for (let i = 0; i < N; i++) await ocpp16Adapter.handle('MeterValues', payloads[i % payloads.length], { stationId: 'CP-1', receivedAt: Date.now(), decisions });
  return (cpuUs() - t0) / N;
}

function linesRound(root: string, events: unknown[][]): number {
  const { toLines } = require(join(root, 'platform', 'dist', 'sinks', 'influx', 'points'));
  const meta = { site: 'quay' };
  let n = 0;
  for (let i = 0; i < 2000; i++) for (const e of events[i % events.length]!) n += toLines(e, meta).length;
  const c0 = cpuUs();
  for (let i = 0; i < N; i++) for (const e of events[i % events.length]!) n += toLines(e, meta).length;
  if (n === 0) throw new Error('no lines rendered');
  return (cpuUs() - c0) / N;
}

async function journalRound(root: string, redisUrl: string, events: unknown[][], round: number): Promise<number> {
  const { RedisJournal } = require(join(root, 'platform', 'dist', 'journal', 'redis-journal'));
  const { Redis } = require(join(root, 'node_modules', 'ioredis'));
  const redis = new Redis(redisUrl);
  const journal = new RedisJournal(redis, `hot${round}${roots.indexOf(root)}:`, 1e9, { stationContext: () => ({ site: 'quay' }) });
  for (let i = 0; i < 500; i++) await journal.append(events[i % events.length]);
  const t0 = cpuUs();
  for (let i = 0; i < N / 4; i++) await journal.append(events[i % events.length]);
  const us = (cpuUs() - t0) / (N / 4);
  await redis.quit();
  return us;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-hot-'));
  const redis = await startRedis(dir, { appendOnly: true, fsync: 'always' });
  try {
    const station = new BenchStation('CP-1', 1);
    const payloads = Array.from({ length: 64 }, () => JSON.parse(station.meterValues().text)[3]);
    const { ocpp16Adapter } = require(join(roots[0]!, 'collector', 'dist', 'ocpp', 'adapters'));
    const events: unknown[][] = [];
    for (const p of payloads) events.push((await ocpp16Adapter.handle('MeterValues', p, { stationId: 'CP-1', receivedAt: Date.now(), decisions })).events);
    const out = roots.map(() => ({ adapter: [] as number[], lines: [] as number[], journal: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...roots.keys()].reverse() : [...roots.keys()];
      for (const i of order) {
        out[i]!.adapter.push(await adapterRound(roots[i]!, payloads));
        out[i]!.lines.push(linesRound(roots[i]!, events));
        out[i]!.journal.push(await journalRound(roots[i]!, redis.url, events, round));
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [i, root] of roots.entries()) {
      process.stdout.write(`${root}: adapter ${med(out[i]!.adapter).toFixed(2)} µs/call [${out[i]!.adapter.map((x) => x.toFixed(1)).join(' ')}], lines ${med(out[i]!.lines).toFixed(2)} µs/call [${out[i]!.lines.map((x) => x.toFixed(1)).join(' ')}], journal append ${med(out[i]!.journal).toFixed(1)} µs/call [${out[i]!.journal.map((x) => x.toFixed(1)).join(' ')}]\n`);
    }
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`hot-path failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
