// The Grafana app plugin is its own npm project (Grafana's toolchain pins its own React and webpack):
// install it, run its unit tests, type-check and build it, then drive its real pages in Chromium
// against the running stack (fleet and station pages, the status grid, the firmware pages, then the
// Access page).
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The real-browser tests (package.json's test:browser runs the same); node runs them in name order. */
const BROWSER_TESTS = ['tests/browser/plugin.test.mjs', 'tests/browser/firmware.test.mjs', 'tests/browser/access.test.mjs'];

export async function runPluginChecks({ root, env, runJest, step, record }) {
  const dir = join(root, 'grafana-plugin');
  if (!existsSync(join(dir, 'package.json'))) return;
  const marker = join(dir, 'node_modules', '.package-lock.json');
  const lock = join(dir, 'package-lock.json');
  const installed =
    (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) ||
    step('grafana-plugin: npm ci', () => execSync('npm ci --no-audit --no-fund', { cwd: dir, stdio: 'inherit' }));
  if (!installed) return;
  runJest('grafana-plugin: unit tests', [], {}, { cwd: dir, jestBin: join(dir, 'node_modules', 'jest', 'bin', 'jest.js') });
  step('grafana-plugin: typecheck', () => execSync('npm run typecheck', { cwd: dir, stdio: 'inherit' }));
  step('grafana-plugin: build', () => execSync('npm run build', { cwd: dir, stdio: 'inherit' }));
  if (!step('grafana-plugin: build standalone page', () => execSync('node standalone/build.mjs', { cwd: dir, stdio: 'inherit' }))) return;

  console.log('\n=== grafana-plugin: pages in headless Chromium against the live stack ===');
  // one file at a time: the firmware test changes the fleet (a target, a campaign it cancels at its end)
  const res = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...BROWSER_TESTS], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  process.stdout.write(res.stdout ?? '');
  process.stderr.write(res.stderr ?? '');
  const count = (label) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(res.stdout ?? '')?.[1] ?? 0);
  let passed = count('pass');
  let failed = count('fail');
  if (res.status !== 0 && failed === 0) failed = 1;
  if (passed + failed === 0) failed = 1;
  record('grafana-plugin: browser tests', passed, failed);
}
