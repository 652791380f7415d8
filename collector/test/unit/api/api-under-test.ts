/**
 * The real API (buildApi, every route module) over loopback, with tripwire dependencies: a handler
 * that runs touches one of them, which records it and fails. So a test can tell "refused before the
 * handler" from "handled". Requests go over raw sockets because fetch normalises targets (dot
 * segments, doubled slashes) and cannot send absolute-form ones; fastify's inject cannot run under jest
 * (an ES-module-only dependency).
 */
import net from 'node:net';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { silentLogger, type AuditEntry, type AuditLog } from '@chargewatch/platform';
import { buildApi, type ApiDeps } from '../../../src/api/server';
import { securityRoutes } from '../../../src/api/routes/security';
import { commandRoutes } from '../../../src/api/routes/commands';
import { auditRoutes } from '../../../src/api/routes/audit';

export const TOKEN = 'unit-token';

export interface ApiUnderTest {
  app: FastifyInstance;
  port: number;
  registry: Registry;
  /** Dependencies handlers touched since the last reset, as `dep.property`. */
  reached: string[];
  audited: AuditEntry[];
  close(): Promise<void>;
}

/** An object whose every property access (once armed) is recorded and throws. */
function tripwire(name: string, reached: string[], armed: () => boolean): any {
  return new Proxy({}, {
    get(_t, prop) {
      if (!armed() || prop === 'then' || typeof prop === 'symbol') return undefined;
      reached.push(`${name}.${String(prop)}`);
      throw new Error(`handler reached ${name}.${String(prop)}`);
    },
  });
}

/** `probes`: more route plugins, registered in the /api/v1 scope before the real ones. */
export async function startApi(extra: Partial<ApiDeps> = {}, probes: NonNullable<ApiDeps['plugins']> = []): Promise<ApiUnderTest> {
  const reached: string[] = [];
  const audited: AuditEntry[] = [];
  let armed = false;
  const wire = (name: string) => tripwire(name, reached, () => armed);
  const audit: AuditLog = {
    record: async (e) => void audited.push(e),
    list: async () => {
      throw new Error('the audit route reads its own log');
    },
  };
  const registry = new Registry();
  const deps: ApiDeps = {
    store: wire('store'),
    query: wire('query'),
    influx: wire('influx'),
    registry,
    token: TOKEN,
    auth: true,
    logger: silentLogger,
    ready: {},
    onMetadataChanged: () => void reached.push('onMetadataChanged'),
    audit,
    plugins: [
      ...probes,
      securityRoutes(wire('stationAuth')),
      commandRoutes({ bus: wire('bus'), audit, outcomes: wire('outcomes'), waitSec: 0, waitMaxSec: 1 }),
      auditRoutes(wire('auditLog')),
    ],
    ...extra,
  };
  const app = await buildApi(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  armed = true;
  const { port } = app.server.address() as net.AddressInfo;
  return { app, port, registry, reached, audited, close: () => app.close() };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request with the target exactly as given (`GET <target> HTTP/1.1`). */
export function rawRequest(port: number, method: string, target: string, headers: Record<string, string> | Array<[string, string]> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
    for (const [k, v] of Array.isArray(headers) ? headers : Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    const socket = net.connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n${body ?? ''}`));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      const parsed: Record<string, string> = {};
      for (const l of headerLines) {
        const i = l.indexOf(':');
        parsed[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers: parsed, body: rest.join('\r\n\r\n') });
    });
  });
}

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The documented routes (method, path with `{id}`-style parameters), read from /openapi.json. */
export async function documentedRoutes(port: number): Promise<Array<{ method: string; path: string }>> {
  const doc = JSON.parse((await rawRequest(port, 'GET', '/openapi.json')).body) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
}
