/**
 * The PostgreSQL store against a real server: migrations apply once and a second run changes nothing;
 * the audit log stores entries without secrets, filters and pages; the analyst role can read and only read.
 */
import { Client, type Pool } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { PgAuditLog, createDatabasePool, migrateDatabase, silentLogger, type AuditEntry } from '../../src';

const user = (name: string) => ({ kind: 'grafana-user' as const, name, role: 'editor' as const });

describe('PostgreSQL audit log', () => {
  let url: string;
  let pool: Pool;
  beforeAll(async () => {
    url = await createTestDatabase('audit');
    pool = createDatabasePool(url, silentLogger);
  });
  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });

  it('applies every migration once; a second run applies nothing and keeps the rows', async () => {
    const first = await migrateDatabase(url, silentLogger);
    expect(first).toEqual(['0001_audit-log', '0002_analyst-role', '0003_firmware', '0004_firmware-campaigns', '0007_misuse-incidents']);
    await new PgAuditLog(pool).record({ at: new Date(), actor: user('ann'), action: 'station.metadata.put', target: 'CP-1', result: '200' });
    expect(await migrateDatabase(url, silentLogger)).toEqual([]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM audit_log');
    expect(rows[0].n).toBe(1);
    await pool.query('TRUNCATE audit_log');
  });

  it('stores who, what, result and latency, and no secret at any depth', async () => {
    const log = new PgAuditLog(pool);
    await log.record({
      at: new Date('2026-01-01T10:00:00Z'),
      actor: user('ann'),
      action: 'station.security.put',
      target: 'CP-SEC',
      details: { body: { profile: 2, password: 'hunter2-secret', nested: [{ privateKey: '-----BEGIN PRIVATE KEY-----' }], authorization: 'Bearer abc' } },
      result: '200',
      latencyMs: 12.6,
    });
    const { rows } = await pool.query("SELECT * FROM audit_log WHERE target = 'CP-SEC'");
    expect(rows[0]).toMatchObject({ actor_kind: 'grafana-user', actor_name: 'ann', actor_role: 'editor', action: 'station.security.put', result: '200', latency_ms: 13 });
    const stored = JSON.stringify(rows[0].details);
    expect(stored).toContain('"profile":2');
    for (const secret of ['hunter2-secret', 'PRIVATE KEY', 'Bearer abc']) expect(stored).not.toContain(secret);
    await pool.query('TRUNCATE audit_log');
  });

  it('filters by station, actor, action and period, newest first, in pages', async () => {
    const log = new PgAuditLog(pool);
    const base = Date.parse('2026-02-01T00:00:00Z');
    const entries: AuditEntry[] = Array.from({ length: 12 }, (_, i) => ({
      at: new Date(base + i * 60_000),
      actor: user(i % 2 ? 'bob' : 'ann'),
      action: i % 3 ? 'command.Reset' : 'station.metadata.put',
      target: i < 8 ? 'CP-A' : 'CP-B',
      result: 'accepted',
    }));
    for (const e of entries) await log.record(e);

    const a = await log.list({ target: 'CP-A', limit: 3 });
    expect(a.total).toBe(8);
    expect(a.items.map((e) => e.at.getTime())).toEqual([7, 6, 5].map((i) => base + i * 60_000));
    const page3 = await log.list({ target: 'CP-A', limit: 3, offset: 6 });
    expect(page3.items.map((e) => e.at.getTime())).toEqual([1, 0].map((i) => base + i * 60_000));

    expect((await log.list({ actor: 'bob' })).total).toBe(6);
    expect((await log.list({ action: 'command' })).total).toBe(8);
    expect((await log.list({ action: 'comm' })).total).toBe(0);
    const period = await log.list({ from: new Date(base + 2 * 60_000), to: new Date(base + 5 * 60_000) });
    expect(period.total).toBe(3);
    expect((await log.list({ actor: "ann' OR '1'='1" })).total).toBe(0);
  });

  it('gives the analyst role SELECT on audit_log and nothing more', async () => {
    const analyst = `analyst_${Date.now()}`;
    await pool.query(`CREATE ROLE ${analyst} LOGIN IN ROLE chargewatch_analyst`);
    const u = new URL(url);
    u.username = analyst;
    const client = new Client({ connectionString: u.toString() });
    await client.connect();
    try {
      await expect(client.query('SELECT count(*) FROM audit_log')).resolves.toBeDefined();
      await expect(client.query("DELETE FROM audit_log WHERE target = 'CP-A'")).rejects.toThrow(/permission denied/);
      await expect(client.query('SELECT * FROM pgmigrations')).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
      await pool.query(`DROP ROLE ${analyst}`);
    }
  });
});
