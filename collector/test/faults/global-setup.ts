/**
 * The suite runs the built collector (`collector/bin/chargewatch.js` loads `dist/`): build it when
 * `dist` is missing or older than a source file, so a direct `jest -c` run never tests stale code.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasBinary } from '../../src/devstack/services';

const collectorDir = join(__dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export default async function globalSetup(): Promise<void> {
  const missing = ['redis-server', 'influxd'].filter((b) => !hasBinary(b));
  if (missing.length) throw new Error(`the fault suite needs ${missing.join(' and ')} (Debian: redis-server, influxdb); npm run test:faults installs them`);
  const built = join(collectorDir, 'dist', 'cli', 'main.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(collectorDir, 'src'))) {
    execSync('npm run build', { cwd: collectorDir, stdio: 'inherit' });
  }
}
