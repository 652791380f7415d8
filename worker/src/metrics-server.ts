/**
 * The worker's own HTTP listener: `/metrics` for Prometheus (job `chargewatch-worker`) and `/healthz`,
 * which answers 503 once shutdown has begun so an orchestrator stops counting on this process.
 * node:http is enough for two read-only routes; the worker has no API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  port: number;
  /** From now on /healthz answers 503. */
  draining(): void;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, host: string, port: number, onError: (err: unknown) => void): Promise<MetricsServer> {
  let draining = false;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(draining ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: draining ? 'stopping' : 'ok' }));
      return;
    }
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
        .catch((err) => {
          onError(err);
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the worker serves /metrics and /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    draining: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
