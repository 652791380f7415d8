/**
 * The suite runs the built CLI (`cli/bin/chargewatch.js` loads the packages' `dist/`). `tsc -b` brings
 * every package's build up to date (a no-op when nothing changed), so a direct `jest -c` run never tests
 * stale code. Jest loads this file without the projects' moduleNameMapper, so @chargewatch/tools is
 * required only after the build, from its dist.
 */
import { execSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');

export default async function globalSetup(): Promise<void> {
  execSync('npm run build', { cwd: REPO_ROOT, stdio: 'inherit' });
  const { hasBinary } = await import('@chargewatch/tools');
  const missing = ['redis-server', 'influxd'].filter((b) => !hasBinary(b));
  if (missing.length) throw new Error(`the fault suite needs ${missing.join(' and ')} (Debian: redis-server, influxdb); npm run test:faults installs them`);
}
