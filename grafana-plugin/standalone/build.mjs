// Bundles the standalone harness (standalone/main.tsx) with esbuild into standalone/dist/.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const distDir = path.join(here, 'dist');
// modules shared with the rest of the repository, resolved the way webpack and jest resolve them
const aliases = require('../aliases.cjs');

const sharedModules = {
  name: 'chargewatch-shared-modules',
  setup(build) {
    const names = Object.keys(aliases).map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    build.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => ({ path: aliases[args.path] }));
  },
};

const scrollbarsShim = {
  name: 'react-custom-scrollbars-2-shim',
  setup(build) {
    build.onResolve({ filter: /^react-custom-scrollbars-2$/ }, () => ({
      path: path.join(here, 'scrollbars-shim.mjs'),
    }));
    build.onResolve({ filter: /^react-custom-scrollbars-2-original$/ }, () => ({
      path: require.resolve('react-custom-scrollbars-2'),
    }));
  },
};

export async function buildStandalone({ minify = true, logLevel = 'warning' } = {}) {
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'main.tsx')],
    outfile: path.join(distDir, 'app.js'),
    bundle: true,
    format: 'esm',
    splitting: false,
    platform: 'browser',
    target: ['chrome110'],
    jsx: 'automatic',
    minify,
    sourcemap: true,
    metafile: true,
    logLevel,
    define: {
      'process.env.NODE_ENV': JSON.stringify('production'),
      global: 'globalThis',
    },
    loader: { '.svg': 'file', '.png': 'file', '.woff': 'file', '.woff2': 'file', '.ttf': 'file' },
    plugins: [scrollbarsShim, sharedModules],
  });
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const t0 = Date.now();
  const result = await buildStandalone();
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(
    `standalone bundle built in ${Date.now() - t0} ms (${(bytes / 1e6).toFixed(1)} MB incl. source map) → ${distDir}`
  );
}
