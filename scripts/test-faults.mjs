#!/usr/bin/env node
// `npm run test:faults`: the fault suite on its own. Real InfluxDB, Redis and collector processes are
// paused, stopped, killed and restarted under load; every acknowledged event must end up in InfluxDB
// exactly once. Writes docs/reliability.md. Exits with jest's status.
import { execSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeModules, ensureSystemPackages, REQUIRED } from './lib/system.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

ensureNodeModules(root);
ensureSystemPackages(REQUIRED.filter((r) => ['redis-server', 'influxd'].includes(r.bin)), { purpose: 'the fault suite' });
execSync('npm run build', { cwd: root, stdio: 'inherit' });

const res = spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '-c', 'collector/test/faults/jest.config.js', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.exit(res.status ?? 1);
