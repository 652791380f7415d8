/**
 * The token registry against real PostgreSQL and the token caches against real Redis: CRUD and
 * filters, imports that write all rows or none, PINs stored only as hashes, a change reaching two
 * caches within a second, and open transactions per token for ConcurrentTx.
 */
import type { Pool } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import {
  AccountStore,
  TokenCache,
  TokenRegistry,
  TokenRegistryError,
  StationStore,
  TokenTransactions,
  createDatabasePool,
  migrateDatabase,
  pinHash,
  silentLogger,
  tokenChangeNotifier,
  tokensFromCsv,
  tokensToCsv,
} from '../../src';
import { redisPerTest } from './redis-per-test';

const ann = { kind: 'grafana-user' as const, name: 'ann', role: 'editor' as const };
const pins = { hashSecret: Buffer.alloc(32, 1), sealKey: Buffer.alloc(32, 2) };
const until = async (cond: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
};

describe('token registry and caches', () => {
  const r = redisPerTest('access');
  let url: string;
  let pool: Pool;
  beforeAll(async () => {
    url = await createTestDatabase('access');
    await migrateDatabase(url, silentLogger);
    pool = createDatabasePool(url, silentLogger);
  });
  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });
  beforeEach(() => pool.query('TRUNCATE tokens, accounts RESTART IDENTITY CASCADE'));

  it('creates, finds, filters, changes, blocks and deletes tokens; ids are case-insensitive per type', async () => {
    const reg = new TokenRegistry(pool, { pins });
    const accounts = new AccountStore(pool);
    const fleet = await accounts.create({ kind: 'fleet', name: 'Fleet A', currency: 'EUR' }, ann);
    const card = await reg.create({ type: 'ISO14443', uid: '04:a2:b3:c4', accountId: fleet.id, groupId: 'G1', allowedSites: ['S1'], note: 'van 12 driver card' }, ann);
    expect(card).toMatchObject({ uid: '04A2B3C4', ocpiType: 'RFID', status: 'Accepted', accountId: fleet.id, createdBy: 'ann' });
    await reg.create({ type: 'Central', uid: 'App-User-1' }, ann);
    await expect(reg.create({ type: 'Central', uid: 'APP-USER-1' }, ann)).rejects.toMatchObject({ code: 'duplicate' });
    await expect(reg.create({ type: 'Central', uid: 'x', accountId: '999' }, ann)).rejects.toMatchObject({ code: 'unknown_account' });
    expect((await reg.find('ISO14443', '04a2b3c4'))?.id).toBe(card.id);
    expect((await reg.list({ q: 'van' })).items.map((t) => t.id)).toEqual([card.id]);
    expect((await reg.list({ q: '04a2' })).items.map((t) => t.id)).toEqual([card.id]);
    expect((await reg.list({ accountId: fleet.id })).total).toBe(1);
    // The unrestricted Central token is allowed everywhere; the card only at S1.
    expect((await reg.list({ station: 'CP-9', site: 'S2' })).items.map((t) => t.type)).toEqual(['Central']);
    expect((await reg.list({ station: 'CP-9', site: 'S1' })).total).toBe(2);
    const patched = await reg.update(card.id, { groupId: null, maxConcurrentTx: 1 }, ann);
    expect(patched.groupId).toBeUndefined();
    expect(patched.maxConcurrentTx).toBe(1);
    await expect(reg.update(card.id, { uid: '04A2B3C5' }, ann)).rejects.toMatchObject({ code: 'invalid' });
    expect((await reg.block(card.id, ann)).status).toBe('Blocked');
    expect((await reg.unblock(card.id, ann)).status).toBe('Accepted');
    expect(await reg.delete(card.id)).toBe(true);
    expect(await reg.get(card.id)).toBeUndefined();
  });

  it('keeps only the keyed hash of a PIN, seals it only when asked, and never returns it', async () => {
    const plain = new TokenRegistry(pool, { pins });
    const t = await plain.create({ type: 'KeyCode', pin: '482915' }, ann);
    expect(JSON.stringify(t)).not.toContain('482915');
    expect(t.hasPin).toBe(true);
    const { rows } = await pool.query('SELECT * FROM tokens');
    expect(JSON.stringify(rows)).not.toContain('482915');
    expect(rows[0].pin_hash).toBe(pinHash('482915', pins.hashSecret));
    expect(rows[0].pin_sealed).toBeNull();
    expect((await plain.find('KeyCode', '482915'))?.id).toBe(t.id);
    expect((await plain.tokensAllowedAt('CP-1'))[0]!.pin).toBeUndefined();
    const sealing = new TokenRegistry(pool, { pins, sealPins: true });
    await sealing.update(t.id, { pin: '771234' }, ann);
    const sealed = (await pool.query('SELECT pin_sealed FROM tokens')).rows[0].pin_sealed as string;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('771234');
    expect((await sealing.tokensAllowedAt('CP-1'))[0]!.pin).toBe('771234');
    expect(JSON.stringify(await sealing.list())).not.toMatch(/771234|pin_?hash|sealed/i);
  });

  it('imports all rows or none, naming every bad row; an export imports back as the same tokens', async () => {
    const reg = new TokenRegistry(pool, { pins });
    const csv = 'type,uid,pin,allowed_sites,note\r\nISO14443,04A2B3C4,,S1;S2,ok\r\nISO14443,04A2,,,too short\r\nKeyCode,,12,,short pin\r\nCentral,app-1,,,"=HYPERLINK(""x"")"\r\nISO14443,04a2b3c4,,,duplicate of row 2\r\n';
    const err = await reg.import(tokensFromCsv(csv), ann).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRegistryError);
    expect((err as TokenRegistryError).rows!.map((x) => x.row)).toEqual([3, 4, 6]);
    expect((await reg.list()).total).toBe(0);
    const good = csv.split('\r\n').filter((_l, i) => i !== 2 && i !== 3 && i !== 5).join('\r\n');
    expect(await reg.import(tokensFromCsv(good), ann)).toMatchObject({ created: 2, updated: 0 });
    const exported = tokensToCsv((await reg.list()).items);
    expect(exported).toContain(`"'=HYPERLINK(""x"")"`);
    expect(await reg.import(tokensFromCsv(exported), ann)).toMatchObject({ created: 0, updated: 2 });
    const again = (await reg.list()).items;
    expect(again.map((t) => [t.type, t.uid, t.allowedSites, t.note])).toEqual([
      ['ISO14443', '04A2B3C4', ['S1', 'S2'], 'ok'],
      ['Central', 'app-1', [], '=HYPERLINK("x")'],
    ]);
    // An unknown account fails the whole import, checked before any write.
    const bad = await reg.import([{ row: 1, input: { type: 'Central', uid: 'new' } }, { row: 2, input: { type: 'Central', uid: 'n2', accountId: '77' } }], ann).catch((e: unknown) => e);
    expect((bad as TokenRegistryError).rows).toEqual([{ row: 2, errors: ['accountId 77 names no account'] }]);
    expect((await reg.list()).total).toBe(2);
  });

  it('pages through every token in id order (ids are numbers, not text)', async () => {
    const reg = new TokenRegistry(pool, { pins });
    await reg.import(Array.from({ length: 23 }, (_, i) => ({ row: i + 1, input: { type: 'Central', uid: `T-${i}` } })), ann);
    const loaded = await reg.loadForCache(undefined, 5);
    expect(loaded.map((t) => Number(t.id))).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect((await reg.list({ limit: 12 })).items.map((t) => Number(t.id))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('brings a change to two caches within a second; a lost message is healed by the full reload', async () => {
    const notify = tokenChangeNotifier(r.redis, r.prefix);
    const reg = new TokenRegistry(pool, { pins, notify });
    const caches = [0, 1].map(() => new TokenCache({ source: reg, redis: r.redis, prefix: r.prefix, hashSecret: pins.hashSecret, fullReloadMs: 400 }));
    await Promise.all(caches.map((c) => c.start()));
    try {
      const t = await reg.create({ type: 'ISO14443', uid: '04A2B3C4D5E6F7' }, ann);
      for (const c of caches) expect(await until(() => c.lookup({ id: '04a2b3c4d5e6f7', type: 'ISO14443' })?.id === t.id)).toBeLessThan(1000);
      // A 1.6 idTag has no type: found by id across types.
      expect(caches[0]!.lookup({ id: '04A2B3C4D5E6F7', type: 'Unknown' })?.id).toBe(t.id);
      await reg.block(t.id, ann);
      for (const c of caches) await until(() => c.lookup({ id: '04A2B3C4D5E6F7', type: 'ISO14443' })?.status === 'Blocked', 1000);
      const pin = await reg.create({ type: 'KeyCode', pin: '5566' }, ann);
      await until(() => caches[1]!.lookup({ id: '5566', type: 'KeyCode' })?.id === pin.id, 1000);
      await reg.delete(t.id);
      for (const c of caches) await until(() => c.lookup({ id: '04A2B3C4D5E6F7', type: 'ISO14443' }) === undefined, 1000);
      // Written behind the registry's back (no announcement): the periodic reload finds it.
      await pool.query(`INSERT INTO tokens (type, uid, ocpi_type, created_by, updated_by) VALUES ('Central', 'quiet', 'APP_USER', 't', 't')`);
      await until(() => caches[0]!.lookup({ id: 'quiet', type: 'Central' }) !== undefined, 2000);
    } finally {
      await Promise.all(caches.map((c) => c.stop()));
    }
  });

  it('counts open transactions per token across stations, healing ended and never-opened ones', async () => {
    const store = new StationStore(r.redis, r.prefix);
    const tt = new TokenTransactions(r.redis, r.prefix, (id) => store.txKeys(id), { pendingGraceMs: 1000 });
    const now = Date.now();
    expect(await tt.claim('7', 'CP-1', '100', now)).toBe(0);
    // A second start right after: the first is pending (state not written yet) and counts.
    expect(await tt.claim('7', 'CP-2', '200', now + 5)).toBe(1);
    // The same start resent does not count itself.
    expect(await tt.claim('7', 'CP-1', '100', now + 6)).toBe(1);
    await tt.release('7', 'CP-2', '200');
    // Past the grace and never opened in the station state: gone.
    expect(await tt.claim('7', 'CP-3', '300', now + 5000)).toBe(0);
    // Open in the station state: counts whatever its age.
    await r.redis.hset(store.txKeys('CP-3').transactions, '300', '{}');
    expect(await tt.claim('7', 'CP-4', '400', now + 60_000)).toBe(1);
    // Ended in the station state: no longer counted, and dropped.
    await r.redis.hdel(store.txKeys('CP-3').transactions, '300');
    await r.redis.set(store.txKeys('CP-3').ended('300'), '{}');
    expect(await tt.claim('7', 'CP-5', '500', now + 60_001)).toBe(1);
    expect(await r.redis.zcard(`${r.prefix}access:tokentx:7`)).toBe(2);
  });
});
