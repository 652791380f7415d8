/**
 * Charging sessions against real Redis and PostgreSQL: journal entries of 1.6 and 2.0.1 transactions
 * become one row each, linked to the registry token the collectors' cache finds (1.6 idTags without a
 * type, PINs by their hash) and its account; the station's end replaces a close by policy; and any
 * order, split and repetition of the same events (redelivery, claims by another worker) gives the same
 * row as the events in order, once (fast-check).
 */
import fc from 'fast-check';
import type { Pool } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import type { ChargeEvent, IdToken } from '@chargewatch/model';
import {
  AccountStore,
  SessionRecorder,
  SessionStore,
  TokenCache,
  TokenRegistry,
  createDatabasePool,
  migrateDatabase,
  silentLogger,
  tokenHash,
  type ChargingSession,
  type JournalEntry,
} from '../../src';
import { redisPerTest } from './redis-per-test';

const ann = { kind: 'grafana-user' as const, name: 'ann', role: 'editor' as const };
const pins = { hashSecret: Buffer.alloc(32, 7) };
const HASH_SECRET = 'sessions-test';
const T0 = Date.parse('2026-11-30T08:00:00Z');
const CARD = '04A1B2C3D4E5F6';

describe('charging sessions', () => {
  const r = redisPerTest('sessions');
  let url: string;
  let pool: Pool;
  let registry: TokenRegistry;
  let sessions: SessionStore;
  let cache: TokenCache;
  let recorder: SessionRecorder;
  let cardId: string;
  let pinId: string;
  let accountId: string;
  let seq = 0;

  beforeAll(async () => {
    url = await createTestDatabase('sessions');
    await migrateDatabase(url, silentLogger);
    pool = createDatabasePool(url, silentLogger);
    registry = new TokenRegistry(pool, { pins });
    sessions = new SessionStore(pool);
    const account = await new AccountStore(pool).create({ kind: 'fleet', name: 'Fleet A', currency: 'EUR' }, ann);
    accountId = account.id;
    cardId = (await registry.create({ type: 'ISO14443', uid: CARD, accountId }, ann)).id;
    pinId = (await registry.create({ type: 'KeyCode', pin: '4711' }, ann)).id;
  });
  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE charging_sessions');
    cache = new TokenCache({ source: registry, redis: r.redis, prefix: r.prefix, hashSecret: pins.hashSecret });
    await cache.start();
    recorder = new SessionRecorder({ store: sessions, tokens: cache, hashSecret: HASH_SECRET });
  });
  afterEach(() => cache.stop());

  const entry = (events: ChargeEvent[]): JournalEntry => ({
    id: `${T0}-${seq++}`,
    entry: { kind: 'events', version: 1, events, stations: Object.fromEntries(events.map((e) => [e.stationId, { site: 'depot' }])) },
  });
  const at = (stationId: string, ms: number) => ({ stationId, time: T0 + ms, receivedAt: T0 + ms });
  const register = (value: number) => [{ measurand: 'Energy.Active.Import.Register', value, unit: 'Wh' }];
  const sample = (stationId: string, ms: number, tx: string, wh: number): ChargeEvent => ({
    type: 'meter.sample', ...at(stationId, ms), evseId: 1, connectorId: 1, transactionId: tx, context: 'Sample.Periodic',
    values: [...register(wh), { measurand: 'Power.Active.Import', value: 11000, unit: 'W' }, { measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Wh', phase: 'L1' }],
  });
  const one = async (stationId: string, tx: string): Promise<ChargingSession> => {
    const page = await sessions.list({ stationId });
    const s = page.items.find((x) => x.transactionId === tx);
    if (!s) throw new Error(`no session ${stationId}/${tx}`);
    return s;
  };

  /** A 1.6 session: idTag without a type, meter values, the station's stop. */
  const v16Session = (stationId: string, tx: string, idTag: string): ChargeEvent[] => [
    { type: 'transaction.started', ...at(stationId, 0), evseId: 1, connectorId: 1, transactionId: tx, idToken: { id: idTag, type: 'Unknown' }, meterStartWh: 1000, offline: false },
    sample(stationId, 60_000, tx, 1500.5),
    sample(stationId, 120_000, tx, 2250.25),
    {
      type: 'transaction.ended', ...at(stationId, 180_000), evseId: 1, connectorId: 1, transactionId: tx, meterStopWh: 2400, stoppedReason: 'EVDisconnected',
      idToken: { id: idTag, type: 'Unknown' }, offline: false, closedBy: 'station', start: { time: T0, meterStartWh: 1000, idToken: { id: idTag, type: 'Unknown' } },
    },
  ];

  it('records a 1.6 session linked to its registry token and account, with its energy', async () => {
    await recorder.handle([entry(v16Session('CP-1', '7', CARD.toLowerCase()))]);
    const s = await one('CP-1', '7');
    expect(s).toEqual({
      id: expect.any(String), stationId: 'CP-1', transactionId: '7', evseId: 1, connectorId: 1, site: 'depot',
      token: { ref: cardId, type: 'ISO14443', masked: '****e5f6' }, accountId,
      startedAt: new Date(T0).toISOString(), endedAt: new Date(T0 + 180_000).toISOString(),
      energyWh: 1400, meterStartWh: 1000, meterStopWh: 2400, stoppedReason: 'EVDisconnected', closedBy: 'station', offline: false, active: false,
    });
    expect(JSON.stringify(s).toUpperCase()).not.toContain(CARD);
    const raw = await pool.query('SELECT token_hash FROM charging_sessions');
    expect(raw.rows[0].token_hash).toBe(tokenHash({ id: CARD, type: 'ISO14443' }, HASH_SECRET));
    expect((await sessions.list({ tokenRef: cardId })).items.map((x) => x.id)).toEqual([s.id]);
    expect((await sessions.list({ accountId })).total).toBe(1);
  });

  it('records a 2.0.1 session whose token comes after the start, its energy from the register readings', async () => {
    const tx = 'b7c1-uuid';
    await recorder.handle([entry([{ type: 'transaction.started', ...at('CP-2', 0), evseId: 2, connectorId: 1, transactionId: tx, offline: false, triggerReason: 'CablePluggedIn' }])]);
    expect(await one('CP-2', tx)).toMatchObject({ active: true, evseId: 2 });
    expect((await one('CP-2', tx)).token).toBeUndefined();
    await recorder.handle([
      entry([{ type: 'transaction.updated', ...at('CP-2', 5_000), evseId: 2, connectorId: 1, transactionId: tx, idToken: { id: '4711', type: 'KeyCode' }, offline: false }]),
      entry([sample('CP-2', 60_000, tx, 50_000), sample('CP-2', 120_000, tx, 57_500.125)]),
    ]);
    await recorder.handle([entry([{ type: 'transaction.ended', ...at('CP-2', 130_000), evseId: 2, connectorId: 1, transactionId: tx, stoppedReason: 'Local', offline: true, start: { time: T0 } }])]);
    const s = await one('CP-2', tx);
    expect(s).toMatchObject({ token: { ref: pinId, type: 'KeyCode', masked: '****' }, energyWh: 7500.125, stoppedReason: 'Local', offline: true, active: false });
    expect((await pool.query('SELECT token_hash FROM charging_sessions')).rows[0].token_hash).toBeNull();
  });

  it('keeps an unregistered token masked and hashed, without a link', async () => {
    const stranger: IdToken = { id: 'DEADBEEF01', type: 'ISO14443' };
    await recorder.handle([entry([{ type: 'transaction.started', ...at('CP-3', 0), evseId: 1, connectorId: 1, transactionId: '1', idToken: stranger, offline: false }])]);
    const s = await one('CP-3', '1');
    expect(s.token).toEqual({ type: 'ISO14443', masked: expect.stringMatching(/EF01$/) });
    expect(s.accountId).toBeUndefined();
    expect((await sessions.list({ active: true })).total).toBe(1);
    expect((await sessions.list({ active: false })).total).toBe(0);
  });

  it('replaces a close by policy with the station’s own end, and never the other way round', async () => {
    const [start, s1, s2, stationEnd] = v16Session('CP-4', '9', CARD);
    const close: ChargeEvent = { type: 'transaction.ended', ...at('CP-4', 400_000), evseId: 1, connectorId: 1, transactionId: '9', stoppedReason: 'StaleNoActivity', offline: false, closedBy: 'collector', start: { time: T0, meterStartWh: 1000 } };
    await recorder.handle([entry([start!, s1!, s2!]), entry([close])]);
    expect(await one('CP-4', '9')).toMatchObject({ stoppedReason: 'StaleNoActivity', closedBy: 'collector', energyWh: 1250.25 });
    await recorder.handle([entry([stationEnd!])]);
    expect(await one('CP-4', '9')).toMatchObject({ stoppedReason: 'EVDisconnected', closedBy: 'station', energyWh: 1400, endedAt: new Date(T0 + 180_000).toISOString() });
    await recorder.handle([entry([close])]);
    expect(await one('CP-4', '9')).toMatchObject({ stoppedReason: 'EVDisconnected', closedBy: 'station' });
  });

  it('unlinks, not loses, a session whose token was deleted from the registry', async () => {
    const doomed = await registry.create({ type: 'Central', uid: 'app-doomed' }, ann);
    await cache.reload([doomed.id]);
    const events = v16Session('CP-5', '3', 'app-doomed');
    await recorder.handle([entry(events.slice(0, 1))]);
    expect((await one('CP-5', '3')).token?.ref).toBe(doomed.id);
    await registry.delete(doomed.id);
    expect((await one('CP-5', '3')).token).toEqual({ type: 'Central', masked: expect.any(String) });
    // The cache still knows the token a moment longer: the row is written all the same.
    await recorder.handle([entry(events.slice(1))]);
    expect(await one('CP-5', '3')).toMatchObject({ active: false, energyWh: 1400 });
  });

  it('waits for the token cache: a batch before its first load is refused, to be read again', async () => {
    const cold = new SessionRecorder({ store: sessions, tokens: { loaded: false, lookup: () => undefined }, hashSecret: HASH_SECRET });
    await expect(cold.handle([entry(v16Session('CP-6', '1', CARD))])).rejects.toThrow(/token cache/);
    expect((await sessions.list({ stationId: 'CP-6' })).total).toBe(0);
  });

  it('gives the same row for any order, split and repetition of a session’s events', async () => {
    const events: ChargeEvent[] = [
      ...v16Session('CP-P', '42', CARD),
      { type: 'transaction.ended', ...at('CP-P', 900_000), evseId: 1, connectorId: 1, transactionId: '42', stoppedReason: 'StaleNoActivity', offline: false, closedBy: 'collector', start: { time: T0, meterStartWh: 1000 } } as ChargeEvent,
      { type: 'station.heartbeat', ...at('CP-P', 10) },
    ];
    await recorder.handle([entry(events)]);
    const expected = await one('CP-P', '42');
    await fc.assert(
      fc.asyncProperty(
        // A sort key per event, then repeats (an index and its sort key): every order with every event at least once.
        fc.array(fc.integer(), { minLength: events.length, maxLength: events.length }),
        fc.array(fc.record({ i: fc.integer({ min: 0, max: events.length - 1 }), k: fc.integer() }), { maxLength: events.length * 2 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 8 }),
        async (keys, repeats, cuts) => {
          await pool.query('TRUNCATE charging_sessions');
          const seq = [...keys.map((k, i) => ({ i, k })), ...repeats].sort((a, b) => a.k - b.k).map(({ i }) => events[i]!);
          const batches: JournalEntry[][] = [];
          for (let i = 0, c = 0; i < seq.length; c++) {
            const n = cuts[c % cuts.length]!;
            batches.push([entry(seq.slice(i, i + n))]);
            i += n;
          }
          for (const b of batches) await recorder.handle(b);
          const got = await one('CP-P', '42');
          expect({ ...got, id: expected.id }).toEqual(expected);
          expect((await sessions.list({ stationId: 'CP-P' })).total).toBe(1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('pages newest first and counts past the last page', async () => {
    for (let i = 0; i < 7; i++) {
      await recorder.handle([entry([{ type: 'transaction.started', ...at('CP-L', i * 1000), evseId: 1, connectorId: 1, transactionId: String(i), idToken: { id: CARD, type: 'ISO14443' }, offline: false }])]);
    }
    const first = await sessions.list({ tokenRef: cardId, limit: 3 });
    expect(first.total).toBe(7);
    expect(first.items.map((s) => s.transactionId)).toEqual(['6', '5', '4']);
    expect((await sessions.list({ tokenRef: cardId, limit: 3, offset: 6 })).items.map((s) => s.transactionId)).toEqual(['0']);
    expect(await sessions.list({ tokenRef: cardId, offset: 50 })).toEqual({ total: 7, items: [] });
    expect((await sessions.list({ from: T0 + 2000, to: T0 + 4000 })).items.map((s) => s.transactionId)).toEqual(['3', '2']);
    expect(await sessions.get('999999')).toBeUndefined();
    expect(await sessions.get('not-a-number')).toBeUndefined();
  });
});
