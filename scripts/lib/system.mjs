// Makes sure the binaries the tests and the demo run are present: Debian packages are installed when
// missing and we are root; otherwise we stop with a message naming what to install.
import { execSync, spawnSync } from 'node:child_process';

export const REQUIRED = [
  { bin: 'redis-server', pkg: 'redis-server' },
  { bin: 'influxd', pkg: 'influxdb' },
  { bin: 'prometheus', pkg: 'prometheus' },
  { bin: 'promtool', pkg: 'prometheus' },
  { bin: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
  { bin: 'amtool', pkg: 'prometheus-alertmanager' },
  // Debian keeps the server binaries under /usr/lib/postgresql/<version>/bin; pg_ctlcluster (from
  // postgresql-common, which the postgresql package pulls in) is the one on PATH.
  { bin: 'pg_ctlcluster', pkg: 'postgresql' },
  { bin: 'chromium', pkg: 'chromium' },
  { bin: 'docker-compose', pkg: 'docker-compose' },
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

export function ensureSystemPackages(required = REQUIRED, { purpose = 'the tests' } = {}) {
  const missing = required.filter((r) => !has(r.bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = has('apt-get');
  if (!isRoot || !hasApt) {
    console.error(
      `\n${purpose} need these programs: ${missing.map((m) => m.bin).join(', ')}.\n` +
        (hasApt
          ? `Install them with:  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}\n`
          : `Install the equivalents of the Debian packages ${pkgs.join(', ')}, or run the stack with docker compose (see README).\n`),
    );
    process.exit(1);
  }
  console.log(`Installing Debian packages for ${purpose}: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync('apt-get update -qq', { stdio: 'inherit', env });
  execSync(`apt-get install -y -qq --no-install-recommends ${pkgs.join(' ')}`, { stdio: 'inherit', env });
  // Debian starts some of these as system services on install where an init system runs; the tests
  // start their own copies on free ports, so a running system copy is harmless.
}

export function ensureNodeModules(root) {
  const fs = require_('node:fs');
  const path = require_('node:path');
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('Installing npm dependencies (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);
