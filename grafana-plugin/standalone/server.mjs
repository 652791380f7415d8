// Standalone harness server for the ChargeWatch Grafana app plugin.
//
//   node standalone/server.mjs --port 3300 [--host 127.0.0.1]
//
// Serves the harness page (standalone/dist/app.js, built by standalone/build.mjs) and imitates the two
// Grafana pieces the plugin relies on:
//   /api/plugin-proxy/chargewatch-fleet-app/<path> → the routes of src/plugin.json, matched, checked
//                                                    against the harness user's role and forwarded
//                                                    as Grafana does (grafana-proxy.mjs), with
//                                                    apiUrl = $CHARGEWATCH_API_URL and
//                                                    apiToken = $CHARGEWATCH_API_TOKEN
//   /standalone/api/status-grid                    → instant query of chargewatch_connector_status_code
//                                                    against $PROMETHEUS_URL/api/v1/query, as data frames
// and serves @grafana/ui's icons under /public/build/img/icons/.
import { existsSync, createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { proxyRequest, ROLES } from './grafana-proxy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pluginRoot = path.resolve(here, '..');
const PLUGIN_ID = 'chargewatch-fleet-app';
const PROXY_PREFIX = `/api/plugin-proxy/${PLUGIN_ID}/`;
const ICONS_PREFIX = '/public/build/img/icons/';
export const STATUS_METRIC = 'chargewatch_connector_status_code';

const MIME = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
};

const pluginJson = JSON.parse(readFileSync(path.join(pluginRoot, 'src', 'plugin.json'), 'utf8'));

const indexHtml = (role) => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>ChargeWatch · standalone harness</title>
    <script>
      window.grafanaBootData = { settings: { appSubUrl: '', buildInfo: { version: 'standalone' } }, user: { orgRole: '${role}' }, navTree: [], assets: { dark: '', light: '' } };
      window.__grafana_public_path__ = '/public/';
    </script>
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="/standalone/app.js"></script>
  </body>
</html>`;

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendFile(res, file) {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    stat = undefined;
  }
  if (!stat || !stat.isFile()) {
    sendJson(res, 404, { error: 'not_found', message: 'no such file' });
    return;
  }
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache',
  });
  createReadStream(file).pipe(res);
}

/** Resolves `rel` under `root`, refusing anything that escapes it. */
function safeJoin(root, rel) {
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decodeURIComponent(rel)));
  return file.startsWith(root + path.sep) ? file : undefined;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Imitates Grafana's plugin proxy with the plugin's real routes (grafana-proxy.mjs). */
async function proxyToCollector(req, res, url, opts) {
  if (!opts.apiUrl) {
    sendJson(res, 503, {
      error: 'not_configured',
      message: 'CHARGEWATCH_API_URL is not set for the standalone server',
    });
    return;
  }
  // the escaped path, as Grafana reads it (req.url is what the browser sent)
  const escaped = req.url.split('?')[0].slice(PROXY_PREFIX.length);
  const result = proxyRequest(
    pluginJson.routes,
    { method: req.method, path: escaped, query: url.search, headers: { ...req.headers } },
    { role: opts.role, login: 'harness' },
    {
      jsonData: { apiUrl: opts.apiUrl.replace(/\/+$/, '') },
      secureJsonData: { apiToken: opts.apiToken ?? '' },
      sendUserHeader: true,
    }
  );
  if (result.status === 404) {
    sendJson(res, 404, { message: 'plugin route match not found' });
    return;
  }
  if (result.status === 403) {
    sendJson(res, 403, { message: 'plugin proxy route access denied' });
    return;
  }
  const target = result.url;
  const headers = { Accept: 'application/json' };
  for (const name of ['authorization', 'x-chargewatch-role', 'x-grafana-user']) {
    if (result.headers[name] && (name !== 'authorization' || opts.apiToken)) {
      headers[name] = result.headers[name];
    }
  }
  let body;
  if (req.method !== 'GET') {
    body = await readBody(req);
    // a request without a body (a DELETE) goes on without one, as through Grafana's reverse proxy:
    // fastify refuses an empty body that says it is JSON
    if (body.length === 0) {
      body = undefined;
    } else {
      headers['Content-Type'] = req.headers['content-type'] ?? 'application/json';
    }
  }
  let upstream;
  try {
    upstream = await fetch(target, { method: req.method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    sendJson(res, 502, { error: 'bad_gateway', message: `Collector API unreachable: ${err.message}` });
    return;
  }
  const buf = Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, {
    'Content-Type': upstream.headers.get('content-type') ?? 'application/json',
    'Content-Length': buf.length,
    'Cache-Control': 'no-store',
  });
  res.end(buf);
}

/**
 * Prometheus instant vector → one table-shaped data frame (what Grafana's Prometheus data source returns
 * with Format "Table"): Time, station_id, site, evse, connector, Value.
 */
export function promVectorToFrames(result, metric = STATUS_METRIC) {
  const rows = result.filter((s) => s.metric?.station_id !== undefined);
  const col = (name) => rows.map((s) => s.metric[name] ?? '');
  return [
    {
      name: metric,
      refId: 'A',
      fields: [
        { name: 'Time', type: 'time', values: rows.map((s) => Math.round(Number(s.value[0]) * 1000)) },
        { name: 'station_id', type: 'string', values: col('station_id') },
        { name: 'site', type: 'string', values: col('site') },
        { name: 'evse', type: 'string', values: col('evse') },
        { name: 'connector', type: 'string', values: col('connector') },
        { name: 'Value', type: 'number', values: rows.map((s) => Number(s.value[1])) },
      ],
    },
  ];
}

export async function queryStatusFrames(prometheusUrl, timeoutMs = 10_000) {
  const url = new URL(prometheusUrl.replace(/\/+$/, '') + '/api/v1/query');
  url.searchParams.set('query', STATUS_METRIC);
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || body.status !== 'success') {
    throw new Error(`Prometheus query failed (HTTP ${res.status}): ${body.error ?? res.statusText}`);
  }
  if (body.data?.resultType !== 'vector') {
    throw new Error(`unexpected Prometheus result type ${body.data?.resultType}`);
  }
  return { frames: promVectorToFrames(body.data.result), series: body.data.result.length };
}

async function statusGrid(res, opts) {
  if (!opts.prometheusUrl) {
    sendJson(res, 503, { error: 'not_configured', message: 'PROMETHEUS_URL is not set for the standalone server' });
    return;
  }
  try {
    const { frames, series } = await queryStatusFrames(opts.prometheusUrl, opts.timeoutMs);
    sendJson(res, 200, { frames, series, fetchedAt: new Date().toISOString() });
  } catch (err) {
    sendJson(res, 502, { error: 'bad_gateway', message: err.message });
  }
}

/**
 * Starts the harness server. Options default to the environment:
 * CHARGEWATCH_API_URL, CHARGEWATCH_API_TOKEN, PROMETHEUS_URL. Builds the bundle first if it is missing.
 * Resolves to { url, port, server, close() }.
 */
export async function startServer(options = {}) {
  const opts = {
    port: 0,
    host: '127.0.0.1',
    apiUrl: process.env.CHARGEWATCH_API_URL,
    apiToken: process.env.CHARGEWATCH_API_TOKEN,
    prometheusUrl: process.env.PROMETHEUS_URL,
    // Grafana org role of the harness user: the plugin routes' reqRole is checked against it
    role: process.env.CHARGEWATCH_HARNESS_ROLE ?? 'Viewer',
    timeoutMs: 15_000,
    build: 'if-missing', // 'if-missing' | 'always' | 'never'
    ...options,
  };
  if (!ROLES.includes(opts.role)) {
    throw new Error(`role must be one of ${ROLES.join(', ')}, not ${opts.role}`);
  }
  const distDir = path.join(here, 'dist');
  const iconsDir = path.join(pluginRoot, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
  if (opts.build === 'always' || (opts.build === 'if-missing' && !existsSync(path.join(distDir, 'app.js')))) {
    const { buildStandalone } = await import('./build.mjs');
    await buildStandalone();
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://harness');
      const p = url.pathname;
      if (p.startsWith(PROXY_PREFIX)) {
        await proxyToCollector(req, res, url, opts);
      } else if (p === '/standalone/api/status-grid') {
        await statusGrid(res, opts);
      } else if (p === '/standalone/api/health') {
        sendJson(res, 200, {
          ok: true,
          apiConfigured: Boolean(opts.apiUrl),
          prometheusConfigured: Boolean(opts.prometheusUrl),
        });
      } else if (p.startsWith('/standalone/') && /\.(js|map|css|svg|png|woff2?|ttf)$/.test(p)) {
        const file = safeJoin(distDir, p.slice('/standalone/'.length));
        file ? sendFile(res, file) : sendJson(res, 404, { error: 'not_found' });
      } else if (p.startsWith(ICONS_PREFIX)) {
        const file = safeJoin(iconsDir, p.slice(ICONS_PREFIX.length));
        file ? sendFile(res, file) : sendJson(res, 404, { error: 'not_found' });
      } else if (p.startsWith('/api/') || p.startsWith('/public/')) {
        // Grafana's own assets (fonts, other images) do not exist here; answer 404 rather than the page
        sendJson(res, 404, { error: 'not_found', message: 'not served by the standalone harness' });
      } else if (req.method === 'GET') {
        // single-page app: every other path is the harness page
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(indexHtml(opts.role));
      } else {
        sendJson(res, 405, { error: 'method_not_allowed' });
      }
    } catch (err) {
      if (!res.headersSent) {
        sendJson(res, 500, { error: 'internal', message: err.message });
      } else {
        res.destroy(err);
      }
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address();
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    server,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [key, inline] = a.startsWith('--') ? a.slice(2).split('=', 2) : [undefined];
    if (!key) {
      continue;
    }
    const value = inline ?? argv[++i];
    if (key === 'port') {
      out.port = Number(value);
    } else if (key === 'host') {
      out.host = value;
    } else if (key === 'api-url') {
      out.apiUrl = value;
    } else if (key === 'prometheus-url') {
      out.prometheusUrl = value;
    } else if (key === 'role') {
      out.role = value;
    } else {
      throw new Error(`unknown option --${key}`);
    }
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  const { url } = await startServer({ port: 3300, ...args });
  console.log(`ChargeWatch standalone harness on ${url}/a/${PLUGIN_ID}/fleet`);
  console.log(`  collector API: ${args.apiUrl ?? process.env.CHARGEWATCH_API_URL ?? '(CHARGEWATCH_API_URL not set)'}`);
  console.log(`  Prometheus:    ${args.prometheusUrl ?? process.env.PROMETHEUS_URL ?? '(PROMETHEUS_URL not set)'}`);
  console.log(`  Grafana role:  ${args.role ?? process.env.CHARGEWATCH_HARNESS_ROLE ?? 'Viewer'}`);
}
