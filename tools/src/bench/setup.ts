/**
 * What every part of `npm run bench` shares: the knobs (environment), the targets, where the repository
 * and the `chargewatch` binary are, logging, and the registry of everything started so it can all be
 * stopped in reverse order.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOADAVG_AT_START = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
export const ROOT = resolve(__dirname, '..', '..', '..');
export const BIN = join(ROOT, 'cli', 'bin', 'chargewatch.js');

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
export const P = {
  loadgens: num('BENCH_LOADGENS', 1),
  connections: num('BENCH_CONNECTIONS', 200),
  warmupMs: num('BENCH_WARMUP_MS', 2000),
  throughputMs: num('BENCH_THROUGHPUT_MS', 15_000),
  /** The closed loop and the paced phase each run in this many slices, the servers under test taking turns. */
  slices: Math.max(1, num('BENCH_SLICES', 3)),
  pacedRate: num('BENCH_PACED_RATE', 5000),
  pacedMs: num('BENCH_PACED_MS', 10_000),
  idleConnections: num('BENCH_IDLE_CONNECTIONS', 10_000),
  stormTimeoutMs: num('BENCH_STORM_TIMEOUT_MS', 60_000),
  profileMs: num('BENCH_PROFILE_MS', 8000),
  /** 1: measure "every sink live" a second time with INFLUX_WRITER=worker and a worker child; 0 skips it. */
  workerPlacement: num('BENCH_WORKER_PLACEMENT', 1) !== 0,
  localAddrs: Array.from({ length: num('BENCH_SOURCE_ADDRESSES', 16) }, (_, i) => `127.0.0.${i + 1}`),
};
export const TARGETS = { ratio: 0.5, p99Ms: 50, rssPerConnKB: 30, apiP99Ms: 100, apiStallMs: 50 };

export const log = (msg: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Process bookkeeping: everything started is registered here and stopped in reverse order.
export const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | undefined;
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      await fn().catch((err) => log(`cleanup: ${String(err)}`));
    }
  })();
  return cleaning;
}
