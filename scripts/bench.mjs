#!/usr/bin/env node
// `npm run bench`: brings the build up to date (`tsc -b` rebuilds only packages whose sources changed),
// then runs the benchmark (tools/src/bench/main.ts → tools/dist/bench/main.js), which starts the collector
// through cli/bin/chargewatch.js and writes docs/benchmarks.md.
// Tuning knobs (environment): BENCH_LOADGENS, BENCH_CONNECTIONS, BENCH_THROUGHPUT_MS, BENCH_PACED_RATE,
// BENCH_PACED_MS, BENCH_IDLE_CONNECTIONS, BENCH_STORM_TIMEOUT_MS, BENCH_PROFILE_MS (0 disables profiling),
// BENCH_WORKER_PLACEMENT (0 skips the second every-sink-live run with INFLUX_WRITER=worker, ~40 s),
// BENCH_SLICES (3: the servers take turns in slices; 1 measures each in one piece).
// `npm run bench -- --quick` (or BENCH_QUICK=1): about a minute, for comparing builds; see tools/src/bench/setup.ts.
// Arguments after `--` are passed on to main.js.
// Scale (tools/src/bench/scale.ts, BENCH_SCALE=0 skips it): BENCH_SCALE_STATIONS (100000), BENCH_SCALE_PROCESSES (7),
// BENCH_SCALE_PER_LOADGEN (16000), BENCH_SCALE_ADDRESSES (32), BENCH_SCALE_STEPS (1,2,4), BENCH_SCALE_THROUGHPUT_MS,
// BENCH_SCALE_STORM_MS (60000); `node tools/dist/bench/scale-main.js` runs only that part.
// InfluxDB outage (tools/src/bench/outage.ts, BENCH_OUTAGE=0 or --quick skips it): BENCH_OUTAGE_MS (180000; 900000 is
// the target's full 15 min), BENCH_OUTAGE_RATE (2000), BENCH_OUTAGE_CONNECTIONS (500); `node tools/dist/bench/outage-main.js`.
// Idle connections alone (target 3, tools/src/bench/idle-main.ts): `node tools/dist/bench/idle-main.js`, bare vs collector in
// alternating rounds with a memory split before/after a forced GC; IDLE_BASELINE, IDLE_ROUNDS, IDLE_SNAPSHOT_DIR, IDLE_STORM=1.
// API at scale (tools/src/bench/api-scale.ts, BENCH_API=0 or --quick skips it): BENCH_API_STATIONS (100000), BENCH_API_REQUESTS
// (200), BENCH_API_HEARTBEATERS (50), BENCH_API_CPU_PROF (a directory: profile the collector); `node tools/dist/bench/api-scale-main.js`.
import { execSync, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'tools', 'dist', 'bench', 'main.js');

console.log('[bench] npm run build');
execSync('npm run build', { cwd: root, stdio: 'inherit' });

const hard = Number(execSync('ulimit -Hn', { shell: '/bin/sh' }).toString().trim()) || 0;
const soft = Number(execSync('ulimit -Sn', { shell: '/bin/sh' }).toString().trim()) || 0;
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const want = Number(process.env.BENCH_IDLE_CONNECTIONS ?? (quick ? 0 : 10000)) + 2000;
if (soft && soft < want) console.warn(`[bench] ulimit -n is ${soft} (hard ${hard}); ${want} file descriptors per process are needed for the idle and storm phases`);

const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
