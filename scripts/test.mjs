#!/usr/bin/env node
// `npm test`: everything CI runs, from a fresh clone, with no prior step.
//   1. npm dependencies and Debian packages (redis, influxdb, prometheus, alertmanager, chromium)
//   2. build every package (tsc -b: model, platform, collector, worker, tools, cli)
//   3. unit tests of each package, then integration tests (real services on free loopback ports),
//      then the fault suite (real processes stopped, killed and paused under load)
//   4. repository checks: alert rules, Alertmanager routes, dashboards, provisioning, docker compose,
//      import rules (dependency-cruiser) and source file size
//   5. end-to-end: the whole stack with a simulated fleet; alert delivery, dashboard queries, plugin
//      pages in headless Chromium
// Reports (docs/reliability.md, docs/screenshots) are written to a temporary directory, so a run leaves
// the working tree as it found it; CHARGEWATCH_WRITE_REPORTS=1 npm test (or npm run test:faults)
// refreshes them in docs/ on purpose. The last step fails if the run changed the git working tree.
// Prints one summary line: "N passed, N failed".
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, ensureSystemPackages } from './lib/system.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const totals = { passed: 0, failed: 0, suites: [] };

/** `git status --porcelain`, or '' outside a git checkout (a tarball has no tree to keep clean). */
function gitStatus() {
  const res = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  return res.status === 0 ? res.stdout : '';
}

function runJest(name, args, env = {}, { cwd = root, jestBin = jest } = {}) {
  const out = join(mkdtempSync(join(tmpdir(), 'cw-jest-')), 'result.json');
  console.log(`\n=== ${name} ===`);
  const res = spawnSync(process.execPath, [jestBin, '--ci', '--json', `--outputFile=${out}`, ...args], {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  let passed = 0;
  let failed = 0;
  if (existsSync(out)) {
    const r = JSON.parse(readFileSync(out, 'utf8'));
    passed = r.numPassedTests;
    failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    rmSync(dirname(out), { recursive: true, force: true });
  }
  if (res.status !== 0 && failed === 0) failed = 1; // a crash before any test result still fails the run
  totals.passed += passed;
  totals.failed += failed;
  totals.suites.push({ name, passed, failed });
  return res.status === 0;
}

/** Counts a non-jest test run (node:test with the TAP reporter) into the totals. */
function record(name, passed, failed) {
  totals.passed += passed;
  totals.failed += failed;
  totals.suites.push({ name, passed, failed });
}

function step(name, fn) {
  console.log(`\n=== ${name} ===`);
  try {
    fn();
    return true;
  } catch (err) {
    console.error(`${name} failed: ${err.message}`);
    totals.failed += 1;
    totals.suites.push({ name, passed: 0, failed: 1 });
    return false;
  }
}

ensureNodeModules(root);
ensureSystemPackages();

// Without an explicit request the suites' reports go to a temporary directory (see the header).
if (process.env.CHARGEWATCH_WRITE_REPORTS !== '1') {
  const reports = mkdtempSync(join(tmpdir(), 'cw-reports-'));
  process.env.FAULT_REPORT ??= join(reports, 'reliability.md');
  process.env.CHARGEWATCH_SCREENSHOT_DIR ??= join(reports, 'screenshots');
  console.log(`reports of this run: ${reports}`);
}
const treeBefore = gitStatus();
const built = step('build (tsc -b)', () => execSync('npm run build', { cwd: root, stdio: 'inherit' }));

for (const pkg of ['model', 'platform', 'collector', 'worker', 'tools', 'cli']) runJest(`${pkg}: unit`, ['-c', `${pkg}/jest.config.js`, '--selectProjects', 'unit']);
runJest('platform: integration (real Redis, InfluxDB)', ['-c', 'platform/jest.config.js', '--selectProjects', 'integration']);
runJest('collector: integration (real Redis, InfluxDB, Prometheus)', ['-c', 'collector/jest.config.js', '--selectProjects', 'integration']);
runJest('worker: integration (real Redis, the worker as a child process)', ['-c', 'worker/jest.config.js', '--selectProjects', 'integration']);
if (built) runJest('collector: faults (InfluxDB, Redis, collector stopped, killed, paused under load)', ['-c', 'collector/test/faults/jest.config.js']);
runJest('repository: alerting, dashboards, provisioning, compose, import rules, file size', ['-c', 'jest.config.js', '--selectProjects', 'config']);

if (built) {
  const { runEndToEnd } = await import('./lib/e2e.mjs');
  await runEndToEnd({ root, runJest, step, record });
}

step('working tree unchanged by the run', () => {
  const after = gitStatus();
  if (after !== treeBefore) throw new Error(`npm test changed the working tree:\n${after}`);
});

console.log('\n=== summary ===');
for (const s of totals.suites) console.log(`${s.failed ? 'FAIL' : 'ok  '} ${s.name}: ${s.passed} passed, ${s.failed} failed`);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed ? 1 : 0);
