#!/usr/bin/env node
// `npm run bench`: builds the collector when its sources are newer than the build, then runs the
// benchmark (collector/src/bench/main.ts → collector/dist/bench/main.js), which writes docs/benchmarks.md.
// Tuning knobs (environment): BENCH_LOADGENS, BENCH_CONNECTIONS, BENCH_THROUGHPUT_MS, BENCH_PACED_RATE,
// BENCH_PACED_MS, BENCH_IDLE_CONNECTIONS, BENCH_STORM_TIMEOUT_MS, BENCH_PROFILE_MS (0 disables profiling).
import { execSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'collector', 'src');
const entry = join(root, 'collector', 'dist', 'bench', 'main.js');

function newestMtime(dir) {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const extra = [join(root, 'collector', 'tsconfig.build.json'), join(root, 'tsconfig.json')];
const needsBuild = !existsSync(entry) || Math.max(newestMtime(src), ...extra.map((f) => statSync(f).mtimeMs)) > statSync(entry).mtimeMs;
if (needsBuild) {
  console.log('[bench] building the collector (npm run build -w collector)');
  execSync('npm run build -w collector', { cwd: root, stdio: 'inherit' });
}

const hard = Number(execSync('ulimit -Hn', { shell: '/bin/sh' }).toString().trim()) || 0;
const soft = Number(execSync('ulimit -Sn', { shell: '/bin/sh' }).toString().trim()) || 0;
const want = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 10000) + 2000;
if (soft && soft < want) console.warn(`[bench] ulimit -n is ${soft} (hard ${hard}); ${want} file descriptors per process are needed for the idle and storm phases`);

const child = spawn(process.execPath, [entry], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
