/**
 * Which API requests become audit entries, and what they hold (a fake audit log; requests over loopback
 * because fastify's inject pulls in an ES-module-only dependency jest cannot load).
 */
import Fastify from 'fastify';
import type { AuditEntry, AuditLog } from '@chargewatch/platform';
import { auditAction, auditChanges } from '../../../src/api/audit-changes';

class MemoryAudit implements AuditLog {
  entries: AuditEntry[] = [];
  fail = false;
  async record(e: AuditEntry) {
    if (this.fail) throw new Error('database down');
    this.entries.push(e);
  }
  async list() {
    return { total: this.entries.length, items: this.entries };
  }
}

async function app(audit: AuditLog) {
  const a = Fastify();
  auditChanges(a, audit);
  a.addHook('onRequest', async (req, reply) => {
    if (req.headers.authorization !== 'Bearer t') return reply.code(401).send({ error: 'Unauthorized', message: 'no' });
  });
  a.put('/api/v1/stations/:id/security', async () => ({ ok: true }));
  a.get('/api/v1/stations/:id', async () => ({ ok: true }));
  a.post('/api/v1/stations/:id/commands/Reset', async () => ({ ok: true }));
  a.post('/api/v1/stations/metadata/import', async (_req, reply) => reply.code(400).send({ error: 'Bad Request', message: 'row 2' }));
  await a.listen({ port: 0, host: '127.0.0.1' });
  apps.push(a);
  const { port } = a.server.address() as { port: number };
  return {
    async inject(o: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }) {
      const body = o.payload === undefined ? undefined : JSON.stringify(o.payload);
      const res = await fetch(`http://127.0.0.1:${port}${o.url}`, { method: o.method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...o.headers }, body });
      await res.arrayBuffer();
      // The entry is written after the answer is sent.
      await new Promise((r) => setTimeout(r, 20));
      return { statusCode: res.status };
    },
  };
}

const apps: Array<ReturnType<typeof Fastify>> = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

const auth = { authorization: 'Bearer t' };

describe('auditAction', () => {
  it('names an action after the route\'s fixed segments and the method', () => {
    expect(auditAction('PUT', '/api/v1/stations/:id/metadata')).toBe('stations.metadata.put');
    expect(auditAction('POST', '/api/v1/stations/metadata/import')).toBe('stations.metadata.import.post');
    expect(auditAction('DELETE', '/api/v1/stations/:id/security')).toBe('stations.security.delete');
  });
});

describe('auditChanges', () => {
  it('records a change with its target, redacted body, status and latency', async () => {
    const audit = new MemoryAudit();
    const a = await app(audit);
    await a.inject({ method: 'PUT', url: '/api/v1/stations/CP%3A1/security', headers: auth, payload: { profile: 1, password: 'pw-123456789' } });
    expect(audit.entries).toHaveLength(1);
    const [e] = audit.entries;
    expect(e).toMatchObject({ action: 'stations.security.put', target: 'CP:1', result: '200', details: { body: { profile: 1, password: '[redacted]' } } });
    expect(e!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('records refused changes too (400), but not reads, 401s without an actor, or command submissions', async () => {
    const audit = new MemoryAudit();
    const a = await app(audit);
    await a.inject({ method: 'POST', url: '/api/v1/stations/metadata/import', headers: auth, payload: [] });
    await a.inject({ method: 'GET', url: '/api/v1/stations/CP-1', headers: auth });
    await a.inject({ method: 'PUT', url: '/api/v1/stations/CP-1/security', payload: { profile: 0 } });
    await a.inject({ method: 'POST', url: '/api/v1/stations/CP-1/commands/Reset', headers: auth, payload: {} });
    await a.inject({ method: 'DELETE', url: '/api/v1/nothing-here', headers: auth });
    expect(audit.entries.map((e) => [e.action, e.result])).toEqual([['stations.metadata.import.post', '400']]);
  });

  it('answers the request even when the audit log cannot store the entry', async () => {
    const audit = new MemoryAudit();
    audit.fail = true;
    const a = await app(audit);
    const res = await a.inject({ method: 'PUT', url: '/api/v1/stations/CP-1/security', headers: auth, payload: { profile: 0 } });
    expect(res.statusCode).toBe(200);
  });
});
