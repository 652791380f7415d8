/**
 * Misuse detection against real Redis and PostgreSQL: journal entries crafted for each rule produce
 * exactly one incident (later findings merge into it), a replay of the same entries produces none and
 * changes no count, PIN guessing locks KeyCodes out at its station, and normal traffic finds nothing.
 */
import type { Pool } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@chargewatch/tools';
import { DEFAULT_MISUSE_THRESHOLDS, type ChargeEvent, type IdToken } from '@chargewatch/model';
import {
  IncidentStore,
  MisuseDetector,
  StationStore,
  createDatabasePool,
  isKeyCodeLockedOut,
  keyCodeLockoutUntil,
  migrateDatabase,
  silentLogger,
  type AuditEntry,
  type IncidentRecord,
  type JournalEntry,
  type TokenBlocker,
} from '../../src';
import { redisPerTest } from './redis-per-test';

const T0 = Date.now() - 3_600_000;
const CARD: IdToken = { id: '04A1B2C3D4E5F6', type: 'ISO14443' };

describe('misuse detection', () => {
  const r = redisPerTest('misuse');
  let url: string;
  let pool: Pool;
  let incidents: IncidentStore;
  let store: StationStore;
  let opened: IncidentRecord[];
  let audit: AuditEntry[];
  let blocked: Array<[string, string]>;
  let detector: MisuseDetector;
  let seq = 0;

  beforeAll(async () => {
    url = await createTestDatabase('misuse');
    await migrateDatabase(url, silentLogger);
    pool = createDatabasePool(url, silentLogger);
    incidents = new IncidentStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(url);
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE misuse_incidents CASCADE');
    store = new StationStore(r.redis, r.prefix);
    await store.setMetadata('BER-1', { site: 'berlin', latitude: 52.52, longitude: 13.405 });
    await store.setMetadata('BER-2', { site: 'berlin', latitude: 52.521, longitude: 13.406 });
    await store.setMetadata('MUC-1', { site: 'munich', latitude: 48.137, longitude: 11.575 });
    opened = [];
    audit = [];
    blocked = [];
    const blocker: TokenBlocker = { available: true, block: async (type, uid) => (blocked.push([type, uid]), true) };
    detector = new MisuseDetector({
      redis: r.redis,
      prefix: r.prefix,
      incidents,
      stations: store,
      blocker,
      blockOn: new Set(['impossible_travel']),
      audit: { record: async (e) => void audit.push(e), list: async () => ({ total: 0, items: [] }) },
      logger: silentLogger,
      onIncident: (i) => opened.push(i),
    });
  });

  /** One journal entry per event, ids in time order. */
  const entries = (events: ChargeEvent[]): JournalEntry[] =>
    events.map((e) => ({ id: `${e.time}-${seq++}`, entry: { kind: 'events', version: 1, events: [e], stations: { [e.stationId]: { site: e.stationId.startsWith('MUC') ? 'munich' : 'berlin' } } } }));
  const base = (stationId: string, at: number) => ({ stationId, time: at, receivedAt: at });
  const auth = (stationId: string, at: number, idToken: IdToken, result: string): ChargeEvent => ({ type: 'authorization.requested', ...base(stationId, at), idToken, result });
  const started = (stationId: string, at: number, tx: string, idToken: IdToken): ChargeEvent => ({ type: 'transaction.started', ...base(stationId, at), evseId: 1, connectorId: 1, transactionId: tx, idToken, offline: false, meterStartWh: 0 });
  const ended = (stationId: string, at: number, tx: string, idToken?: IdToken): ChargeEvent => ({ type: 'transaction.ended', ...base(stationId, at), evseId: 1, connectorId: 1, transactionId: tx, stoppedReason: 'Local', offline: false, idToken, meterStopWh: 1000 });
  const status = (stationId: string, at: number, s: string, errorCode = 'NoError', evseId = 1): ChargeEvent => ({ type: 'connector.status', ...base(stationId, at), evseId, connectorId: evseId === 0 ? 0 : 1, status: s as 'Charging', errorCode });
  const heartbeat = (stationId: string, at: number): ChargeEvent => ({ type: 'station.heartbeat', ...base(stationId, at) });
  const all = async () => (await incidents.list({ limit: 500 })).items;

  /** Feeds the events, then replays them all: the incidents must not change. */
  async function feedAndReplay(events: ChargeEvent[]) {
    const es = entries(events);
    await detector.handle(es);
    const first = await all();
    const firstOpened = opened.length;
    await detector.handle(es);
    await detector.handle(es.slice(Math.floor(es.length / 2)));
    const again = await all();
    expect(again.map((i) => [i.id, i.count, i.lastSeen])).toEqual(first.map((i) => [i.id, i.count, i.lastSeen]));
    expect(opened.length).toBe(firstOpened);
    return first;
  }

  test('a burst of unknown tokens at one station: one incident, counted per finding', async () => {
    const events = Array.from({ length: 7 }, (_, i) => auth('BER-1', T0 + i * 10_000, { id: `UNKNOWN${i}`, type: 'ISO14443' }, 'Invalid'));
    const found = await feedAndReplay(events);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'unknown_token_burst', severity: 'warning', stationId: 'BER-1', site: 'berlin', count: 3, status: 'open' });
    expect(JSON.stringify(found[0]!.evidence)).not.toMatch(/UNKNOWN\d/);
  });

  test('normal traffic finds nothing: a few unknown tokens, one driver retrying, accepted sessions that end', async () => {
    const events: ChargeEvent[] = [
      ...Array.from({ length: 4 }, (_, i) => auth('BER-1', T0 + i * 1000, { id: `STRANGER${i}`, type: 'ISO14443' }, 'Invalid')),
      ...Array.from({ length: 10 }, (_, i) => auth('BER-2', T0 + i * 1000, { id: 'SAMEONE', type: 'ISO14443' }, 'Invalid')),
      auth('BER-1', T0 + 20_000, CARD, 'Accepted'),
      started('BER-1', T0 + 21_000, '1', CARD),
      status('BER-1', T0 + 22_000, 'Charging'),
      ended('BER-1', T0 + 3_600_000, '1', CARD),
      status('BER-1', T0 + 3_601_000, 'Finishing'),
      status('BER-1', T0 + 3_700_000, 'Available'),
      auth('MUC-1', T0 + 20 * 3_600_000, CARD, 'Accepted'),
      started('MUC-1', T0 + 20 * 3_600_000, '2', CARD),
      auth('BER-2', T0 + 25_000, { id: '1234', type: 'KeyCode' }, 'Invalid'),
      auth('BER-2', T0 + 26_000, { id: '1235', type: 'KeyCode' }, 'Accepted'),
    ];
    await detector.handle(entries(events));
    expect(await all()).toEqual([]);
  });

  test('a blocked token tried again and again', async () => {
    const found = await feedAndReplay(Array.from({ length: 4 }, (_, i) => auth(i % 2 ? 'BER-1' : 'BER-2', T0 + i * 30_000, CARD, i % 2 ? 'Blocked' : 'Expired')));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'blocked_token_retry', count: 2, token: { masked: '****E5F6', type: 'ISO14443', hash: expect.stringMatching(/^[0-9a-f]{32}$/) } });
  });

  test('a blocked card refused at its transaction starts counts as tried again; refused starts are no sessions', async () => {
    const refusedStart = (stationId: string, at: number, tx: string, authorization: string): ChargeEvent => ({ ...(started(stationId, at, tx, CARD) as Extract<ChargeEvent, { type: 'transaction.started' }>), authorization });
    const refusedUpdate = (stationId: string, at: number, tx: string): ChargeEvent => ({ type: 'transaction.updated', ...base(stationId, at), evseId: 1, connectorId: 1, transactionId: tx, idToken: CARD, authorization: 'Blocked', offline: false });
    const found = await feedAndReplay([
      refusedStart('BER-1', T0, '20', 'Blocked'),
      refusedStart('BER-1', T0 + 30_000, '21', 'Blocked'),
      refusedUpdate('BER-2', T0 + 60_000, '22'),
      refusedStart('BER-2', T0 + 90_000, '23', 'Blocked'),
    ]);
    expect(found.map((i) => i.rule)).toEqual(['blocked_token_retry']);
    expect(found[0]).toMatchObject({ count: 2, token: { masked: '****E5F6' } });
  });

  test('PIN guessing: one incident, and KeyCodes are refused at that station for the lockout', async () => {
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => auth('BER-1', now - 60_000 + i * 5000, { id: String(1000 + i), type: 'KeyCode' }, 'Invalid'));
    const found = await feedAndReplay(events);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'pin_guessing', severity: 'critical', count: 2, response: { action: 'keycode_lockout' } });
    expect(JSON.stringify(found[0])).not.toMatch(/100\d/);
    expect(await isKeyCodeLockedOut(r.redis, r.prefix, 'BER-1')).toBe(true);
    expect(await isKeyCodeLockedOut(r.redis, r.prefix, 'BER-2')).toBe(false);
    const until = await keyCodeLockoutUntil(r.redis, r.prefix, 'BER-1');
    expect(until).toBe(events[5]!.receivedAt + DEFAULT_MISUSE_THRESHOLDS.pinGuessing.lockoutSec * 1000);
    expect(await r.redis.pttl(`${r.prefix}st:{BER-1}:keycode-lockout`)).toBeGreaterThan(0);
  });

  test('one token in two concurrent sessions; a session that ended does not count', async () => {
    const found = await feedAndReplay([
      started('BER-1', T0, '10', CARD),
      ended('BER-1', T0 + 60_000, '10'),
      started('BER-2', T0 + 120_000, '11', CARD),
      started('MUC-1', T0 + 180_000, '12', { ...CARD, type: 'Unknown' }),
    ]);
    const concurrent = found.filter((i) => i.rule === 'concurrent_sessions');
    expect(concurrent).toHaveLength(1);
    expect(concurrent[0]!.summary).toContain('BER-2#11');
    expect(concurrent[0]!.summary).not.toContain('BER-1#10');
  });

  test('impossible travel: a cloned card in Berlin and Munich, blocked and audited', async () => {
    const found = await feedAndReplay([auth('BER-1', T0, CARD, 'Accepted'), auth('BER-2', T0 + 60_000, CARD, 'Accepted'), auth('MUC-1', T0 + 30 * 60_000, CARD, 'Accepted')]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'impossible_travel', severity: 'critical', stationId: 'MUC-1', site: 'munich', response: { action: 'block_token', result: 'blocked' } });
    expect(blocked).toEqual([['ISO14443', CARD.id]]);
    expect(audit).toEqual([expect.objectContaining({ action: 'misuse.token.block', result: 'blocked', details: expect.objectContaining({ token: '****E5F6' }) })]);
    expect(JSON.stringify(audit)).not.toContain(CARD.id);
  });

  test('outside allowed hours, through the lookup', async () => {
    const d = new MisuseDetector({
      redis: r.redis,
      prefix: r.prefix,
      incidents,
      stations: store,
      logger: silentLogger,
      allowedHours: { allowedHours: async (t) => (t.id === CARD.id ? { windows: [{ start: '08:00', end: '09:00' }] } : undefined) },
    });
    const at = Date.UTC(2026, 11, 1, 3, 0);
    await d.handle(entries([auth('BER-1', at, CARD, 'Accepted'), auth('BER-1', at, { id: 'OTHER123', type: 'ISO14443' }, 'Accepted'), auth('BER-1', Date.UTC(2026, 11, 1, 8, 30), CARD, 'Accepted')]));
    const found = await all();
    expect(found.map((i) => [i.rule, i.count])).toEqual([['outside_allowed_hours', 1]]);
  });

  test('a car left on a bay past the grace period, found by later traffic of the station', async () => {
    const grace = DEFAULT_MISUSE_THRESHOLDS.idleBay.graceSec * 1000;
    const found = await feedAndReplay([
      status('BER-1', T0, 'Charging'),
      status('BER-1', T0 + 60_000, 'SuspendedEV'),
      heartbeat('BER-1', T0 + 60_000 + grace / 2),
      heartbeat('BER-1', T0 + 60_000 + grace + 1000),
      heartbeat('BER-1', T0 + 60_000 + grace + 300_000),
      status('BER-2', T0, 'Charging'),
      status('BER-2', T0 + 60_000, 'Finishing'),
      status('BER-2', T0 + 120_000, 'Available'),
      heartbeat('BER-2', T0 + 60_000 + grace * 2),
    ]);
    expect(found.map((i) => [i.rule, i.stationId, i.count])).toEqual([['idle_bay', 'BER-1', 1]]);
  });

  test('LocalListConflict and watched security events', async () => {
    const sec = (type: string, at: number): ChargeEvent => ({ type: 'security.event', ...base('BER-2', at), eventType: type, source: 'station' });
    const found = await feedAndReplay([
      status('BER-1', T0, 'Available', 'LocalListConflict', 0),
      status('BER-1', T0 + 1000, 'Available', 'LocalListConflict', 0),
      sec('TamperDetectionActivated', T0),
      sec('TamperDetectionActivated', T0 + 5000),
      sec('StartupOfTheDevice', T0 + 6000),
      { type: 'security.event', ...base('BER-2', T0 + 7000), eventType: 'TamperDetectionActivated', source: 'collector' },
    ]);
    expect(found.map((i) => [i.rule, i.severity, i.count]).sort()).toEqual([
      ['local_list_conflict', 'warning', 2],
      ['security_event', 'critical', 2],
    ]);
  });

  test('the API side: filters, acknowledge, resolve; a finding after resolving opens a new incident', async () => {
    const tamper = (at: number): ChargeEvent => ({ type: 'security.event', ...base('BER-1', at), eventType: 'TamperDetectionActivated', source: 'station' });
    await detector.handle(entries([tamper(T0)]));
    const [first] = await all();
    const actor = { kind: 'grafana-user' as const, name: 'ann', role: 'editor' as const };
    expect(await incidents.acknowledge(first!.id, actor)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'grafana-user:ann' });
    expect(await incidents.resolve(first!.id, actor, 'replaced the cover')).toMatchObject({ status: 'resolved', resolution: 'replaced the cover' });
    await detector.state.endEpisode(first!.subject);
    await detector.handle(entries([tamper(T0 + 1000)]));
    expect((await incidents.list({ status: 'open' })).items).toHaveLength(1);
    expect((await incidents.list({ status: 'resolved', rule: 'security_event', station: 'BER-1' })).total).toBe(1);
    expect((await incidents.list({ from: new Date(T0 + 500) })).total).toBe(1);
    expect(await incidents.openCounts()).toEqual([{ rule: 'security_event', severity: 'critical', count: 1 }]);
    expect(await incidents.get('nope')).toBeUndefined();
  });
});
