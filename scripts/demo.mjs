#!/usr/bin/env node
// `npm run demo`: install what is missing, build, then run `chargewatch demo` (services, collector,
// 50 simulated stations, the plugin's pages on a standalone page). Ctrl-C stops everything.
import { execSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REQUIRED, ensureNodeModules, ensureSystemPackages } from './lib/system.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
ensureNodeModules(root);
ensureSystemPackages(REQUIRED.filter((r) => !['chromium', 'docker-compose'].includes(r.bin)), { purpose: 'the demo' });
execSync('npm run build', { cwd: root, stdio: 'inherit' });

const plugin = join(root, 'grafana-plugin');
try {
  const marker = join(plugin, 'node_modules', '.package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(join(plugin, 'package-lock.json')).mtimeMs) {
    execSync('npm ci --no-audit --no-fund', { cwd: plugin, stdio: 'inherit' });
  }
  execSync('node standalone/build.mjs', { cwd: plugin, stdio: 'inherit' });
} catch (err) {
  console.warn(`The plugin's standalone page could not be built (${err.message}); the demo runs without it.`);
}

const child = spawn(process.execPath, [join(root, 'cli', 'bin', 'chargewatch.js'), 'demo', ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group; the child stops every service it started.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 0));
