/**
 * The audit log against real PostgreSQL, Redis and InfluxDB: the collector migrates the database at
 * start, every change through the API and every command lands in audit_log with who, what, result and
 * latency and no secret, GET /api/v1/audit reads it back, and a collector whose database is down still
 * ingests and counts the entries it could not store.
 */
import type { RPCClient } from 'ocpp-rpc';
import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

type Json = Record<string, any>;

const putJson = (c: TestCollector, path: string, body: unknown) =>
  c.api(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function auditRows(url: string): Promise<Json[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT actor_kind, actor_name, action, target, details, result, latency_ms FROM audit_log ORDER BY at, id')).rows;
  } finally {
    await client.end();
  }
}

/**
 * Entries are written after the answer is sent, on a connection pool, so two entries can reach
 * PostgreSQL in either order: rows are read in the order of `at` (when the request began), which
 * is also the order the audit API pages in.
 */
async function waitForRows(url: string, n: number, match: (r: Json) => boolean = () => true): Promise<Json[]> {
  const deadline = Date.now() + 5000;
  let rows = (await auditRows(url)).filter(match);
  while (rows.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    rows = (await auditRows(url)).filter(match);
  }
  return rows;
}

describe('audit log in PostgreSQL', () => {
  let url: string;
  let collector: TestCollector;
  let station: RPCClient;

  beforeAll(async () => {
    url = await createTestDatabase('collector_audit');
    collector = await startTestCollector({ DATABASE_URL: url });
    station = stationClient(collector.ocppUrl, 'AUD-1', 'ocpp1.6');
    await station.connect();
    await station.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'Eve', firmwareVersion: '1.0' });
  });

  afterAll(async () => {
    await station.close({ force: true });
    await collector.stop();
    await dropTestDatabase(url);
  });

  it('migrates the database at start and reports it in readiness', async () => {
    const ready = (await (await fetch(`${collector.apiUrl}/readyz`)).json()) as Json;
    expect(ready).toEqual({ status: 'ready', checks: { redis: true, influxdb: true, postgres: true } });
    expect(await auditRows(url)).toEqual([]);
  });

  it('records a metadata change and a security change with result and latency, never the password', async () => {
    expect((await putJson(collector, '/api/v1/stations/AUD-1/metadata', { site: 'harbour' })).status).toBe(200);
    expect((await putJson(collector, '/api/v1/stations/AUD-1/security', { profile: 1, password: 'correct-horse-battery' })).status).toBe(200);
    expect((await putJson(collector, '/api/v1/stations/AUD-1/metadata', { site: 'x'.repeat(65) })).status).toBe(400);
    const rows = await waitForRows(url, 3);
    expect(rows.map((r) => [r.action, r.target, r.result])).toEqual([
      ['stations.metadata.put', 'AUD-1', '200'],
      ['stations.security.put', 'AUD-1', '200'],
      ['stations.metadata.put', 'AUD-1', '400'],
    ]);
    expect(rows[0]).toMatchObject({ actor_kind: 'api-token', actor_name: 'default', details: { body: { site: 'harbour' } } });
    expect(rows[1]!.details).toEqual({ body: { profile: 1, password: '[redacted]' } });
    expect(JSON.stringify(rows)).not.toContain('correct-horse-battery');
    for (const r of rows) expect(r.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('records a command twice, when submitted and when it ended, and no read at all', async () => {
    station.handle('Reset', async () => ({ status: 'Accepted' }));
    const res = await collector.api('/api/v1/stations/AUD-1/commands/Reset?wait=5', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'soft' }) });
    expect(res.status).toBe(200);
    await collector.api('/api/v1/stations/AUD-1');
    const commandRows = await waitForRows(url, 2, (r) => r.action.startsWith('command.'));
    expect(commandRows.map((r) => [r.action, r.target, r.result])).toEqual([
      ['command.Reset', 'AUD-1', 'submitted'],
      ['command.Reset', 'AUD-1', 'accepted'],
    ]);
    expect((await auditRows(url)).some((r) => r.action.endsWith('.get'))).toBe(false);
  });

  it('reads the log back through GET /api/v1/audit, newest first, filtered and paged', async () => {
    const all = (await (await collector.api('/api/v1/audit?target=AUD-1')).json()) as Json;
    expect(all.total).toBe(5);
    expect(all.items[0].action).toBe('command.Reset');
    expect(all.items.at(-1)).toMatchObject({ action: 'stations.metadata.put', result: '200', actor: { kind: 'api-token', name: 'default' } });
    const security = (await (await collector.api('/api/v1/audit?action=stations.security')).json()) as Json;
    expect(security.items.map((e: Json) => e.action)).toEqual(['stations.security.put']);
    const page = (await (await collector.api('/api/v1/audit?limit=2&offset=1')).json()) as Json;
    expect(page.items).toHaveLength(2);
    expect(page.items[0].id).toBe(all.items[1].id);
    expect((await collector.api('/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z')).status).toBe(400);
    expect((await collector.api('/api/v1/audit?action=a%20b')).status).toBe(400);
    expect((await collector.api('/api/v1/audit?limit=100000')).status).toBe(400);
    expect((await fetch(`${collector.apiUrl}/api/v1/audit`)).status).toBe(401);
    const doc = (await (await fetch(`${collector.apiUrl}/openapi.json`)).json()) as Json;
    expect(Object.keys(doc.paths)).toContain('/api/v1/audit');
  });

  it('records the Grafana user the plugin forwards, with the role its route sent, refusals included', async () => {
    const asAlice = (role: string) => ({ 'content-type': 'application/json', 'x-grafana-user': 'alice', 'x-chargewatch-role': role });
    const metadata = await collector.api('/api/v1/stations/AUD-1/metadata', { method: 'PUT', headers: asAlice('editor'), body: JSON.stringify({ site: 'quay' }) });
    expect(metadata.status).toBe(200);
    const refused = await collector.api('/api/v1/stations/AUD-1/security', { method: 'PUT', headers: asAlice('editor'), body: JSON.stringify({ profile: 0 }) });
    expect(refused.status).toBe(403);
    const reset = await collector.api('/api/v1/stations/AUD-1/commands/Reset?wait=5', { method: 'POST', headers: asAlice('editor'), body: JSON.stringify({ type: 'hard' }) });
    expect(reset.status).toBe(200);
    const rows = await waitForRows(url, 4, (r) => r.actor_name === 'alice');
    expect(rows.map((r) => [r.actor_kind, r.action, r.result])).toEqual([
      ['grafana-user', 'stations.metadata.put', '200'],
      ['grafana-user', 'stations.security.put', '403'],
      ['grafana-user', 'command.Reset', 'submitted'],
      ['grafana-user', 'command.Reset', 'accepted'],
    ]);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const roles = (await client.query("SELECT DISTINCT actor_role FROM audit_log WHERE actor_name = 'alice'")).rows;
      expect(roles).toEqual([{ actor_role: 'editor' }]);
    } finally {
      await client.end();
    }
    const byAlice = (await (await collector.api('/api/v1/audit?actor=alice')).json()) as Json;
    expect(byAlice.total).toBe(4);
    expect(byAlice.items[0].actor).toEqual({ kind: 'grafana-user', name: 'alice', role: 'editor' });
  });
});

describe('audit log with PostgreSQL down', () => {
  let collector: TestCollector;

  beforeAll(async () => {
    // A port nothing listens on: the database is unreachable for the whole test.
    collector = await startTestCollector({ DATABASE_URL: 'postgres://cw@127.0.0.1:1/none' });
  });
  afterAll(() => collector.stop());

  it('starts and ingests, reports not ready, and counts each change it could not audit', async () => {
    const station = stationClient(collector.ocppUrl, 'AUD-DOWN', 'ocpp1.6');
    await station.connect();
    try {
      const boot = (await station.call('BootNotification', { chargePointVendor: 'Alfen', chargePointModel: 'Eve' })) as Json;
      expect(boot.status).toBe('Accepted');
      const ready = await fetch(`${collector.apiUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as Json).checks.postgres).toBe(false);
      expect((await putJson(collector, '/api/v1/stations/AUD-DOWN/metadata', { site: 'depot' })).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await metric(collector, 'chargewatch_audit_write_failures_total')) < 1) await new Promise((r) => setTimeout(r, 100));
      expect(await metric(collector, 'chargewatch_audit_write_failures_total')).toBe(1);
    } finally {
      await station.close({ force: true });
    }
  });
});
