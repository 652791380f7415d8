/**
 * What every part of `npm run bench` shares: the knobs (environment), the targets, where the repository
 * and the `chargewatch` binary are, logging, and the registry of everything started so it can all be
 * stopped in reverse order.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them. */
export const loadavgNow = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
export const LOADAVG_AT_START = loadavgNow();
export const ROOT = resolve(__dirname, '..', '..', '..');
export const BIN = join(ROOT, 'cli', 'bin', 'chargewatch.js');

const env = process.env;
/**
 * `npm run bench -- --quick` (or BENCH_QUICK=1): figures in about a minute for a developer comparing two
 * builds: fewer connections, shorter phases, no idle/storm, Authorize or profile phases. Explicit BENCH_*
 * settings still win.
 */
export const QUICK = process.argv.includes('--quick') || env.BENCH_QUICK === '1';
const num = (name: string, full: number, quick = full) => (env[name] ? Number(env[name]) : QUICK ? quick : full);
export const P = {
  quick: QUICK,
  loadgens: num('BENCH_LOADGENS', 1),
  connections: num('BENCH_CONNECTIONS', 200, 100),
  warmupMs: num('BENCH_WARMUP_MS', 2000, 1000),
  throughputMs: num('BENCH_THROUGHPUT_MS', 15_000, 6000),
  /** The closed loop and the paced phase each run in this many slices, the servers under test taking turns. */
  slices: Math.max(1, num('BENCH_SLICES', 3, 2)),
  /** Fixed paced rate; unset, the paced phase offers TARGETS.pacedFraction × the bare throughput of the same run. */
  pacedRate: env.BENCH_PACED_RATE ? Number(env.BENCH_PACED_RATE) : undefined,
  pacedMs: num('BENCH_PACED_MS', 10_000, 4000),
  /** 0 skips the idle-connection and reconnect-storm phases. */
  idleConnections: num('BENCH_IDLE_CONNECTIONS', 10_000, 0),
  stormTimeoutMs: num('BENCH_STORM_TIMEOUT_MS', 60_000),
  profileMs: num('BENCH_PROFILE_MS', 8000, 0),
  /** 1: measure "every sink live" a second time with INFLUX_WRITER=worker and a worker child; 0 skips it. */
  workerPlacement: num('BENCH_WORKER_PLACEMENT', 1) !== 0,
  /** 0 skips the Authorize scenario with 100,000 tokens (access-bench.ts). */
  access: num('BENCH_ACCESS', 1, 0) !== 0,
  localAddrs: Array.from({ length: num('BENCH_SOURCE_ADDRESSES', 16) }, (_, i) => `127.0.0.${i + 1}`),
};
/** pacedFraction: target 2's offered rate, as a share of the bare server's closed-loop throughput in the same run. */
export const TARGETS = { ratio: 0.5, p99Ms: 50, pacedFraction: 0.4, rssPerConnKB: 30, scaleStations: 100_000, scaleRssPerStationKB: 30, scaleStormMs: 60_000, apiP99Ms: 100, apiStallMs: 50 };

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
