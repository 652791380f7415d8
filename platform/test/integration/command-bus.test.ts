/**
 * The command bus and queue against the real Redis of the test harness: routing to the owner, one
 * command in flight per station, exactly-once taking under races, the connection check that turns a
 * command left on a dead connection into `interrupted`, and the deadline sweep. Station ownership is
 * written by the real StationStore from connection events, as the collector writes it.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { systemActor, type Command } from '@chargewatch/model';
import { StationStore } from '../../src/state/station-store';
import { CommandBus, CommandQueueFullError, UnknownStationError } from '../../src/commands/command-bus';
import { CommandQueue } from '../../src/commands/command-queue';
import { CommandValidationError } from '../../src/commands/command-validation';
import { deleteKeys } from './redis-cleanup';

let redis: Redis;
let prefix: string;
let store: StationStore;
let clock: number;
let bus: CommandBus;
const actor = systemActor('test');
const reset: Command = { name: 'Reset', params: { type: 'soft' } };
const queue = (collectorId: string) => new CommandQueue({ redis, prefix, collectorId, retentionMs: 3600_000, graceMs: 1000 });

beforeAll(() => {
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  prefix = `test:cmd:${randomUUID()}:`;
  store = new StationStore(redis, prefix);
  clock = 1_700_000_000_000;
  bus = new CommandBus({ redis, prefix, defaultDeadlineMs: 60_000, retentionMs: 3600_000, historyLimit: 5, now: () => clock });
});

afterEach(async () => {
  await bus.close();
  await deleteKeys(redis, prefix);
});

async function connect(stationId: string, collectorId: string, at = clock) {
  await store.apply([{ type: 'connection.opened', stationId, time: at, receivedAt: at, remoteAddress: '127.0.0.1', protocol: 'ocpp1.6', collectorId, replaced: false }]);
}

async function disconnect(stationId: string, collectorId: string, at = clock) {
  await store.apply([{ type: 'connection.closed', stationId, time: at, receivedAt: at, code: 1006, reason: '', collectorId }]);
}

describe('submit', () => {
  it('refuses unknown stations and invalid parameters before storing anything', async () => {
    await expect(bus.submit('NOPE', reset, { actor })).rejects.toBeInstanceOf(UnknownStationError);
    await connect('CP-1', 'A');
    await expect(bus.submit('CP-1', { name: 'Reset', params: { type: 'warm' } } as unknown as Command, { actor })).rejects.toThrow(CommandValidationError);
    await expect(bus.submit('CP-1', { name: 'Reset', params: { type: 'soft', tpye: 1 } } as unknown as Command, { actor })).rejects.toThrow(/additional properties/);
    expect(await bus.listForStation('CP-1', 10)).toEqual({ total: 0, items: [] });
  });

  it('queues for a connected station and wakes the collector that owns it', async () => {
    await connect('CP-1', 'A');
    const sub = redis.duplicate();
    const woken: string[] = [];
    sub.on('message', (channel: string, id: string) => woken.push(`${channel} ${id}`));
    await sub.subscribe(bus.keys.collectorWake('A'));
    const record = await bus.submit('CP-1', { name: 'RemoteStart', params: { idToken: { id: '04A1B2C3D4E5F6' } } }, { actor, deadlineMs: 5000 });
    expect(record).toMatchObject({ stationId: 'CP-1', name: 'RemoteStart', status: 'queued', submittedAt: clock, deadline: clock + 5000, waitForConnection: true, actor });
    // What readers see is redacted from the start; the raw token stays only for sending.
    expect(record.params).toEqual({ idToken: { id: '****E5F6' } });
    expect(await redis.hget(bus.keys.command(record.id), 'params')).toContain('04A1B2C3D4E5F6');
    await new Promise((r) => setTimeout(r, 100));
    expect(woken).toEqual([`${bus.keys.collectorWake('A')} CP-1`]);
    await sub.quit();
  });

  it('queues a command with a submitter-chosen id once, however often it is submitted', async () => {
    await connect('CP-1', 'A');
    const first = await bus.submit('CP-1', reset, { actor, id: 'fw-update-42' });
    expect(first).toMatchObject({ id: 'fw-update-42', status: 'queued' });
    clock += 1000;
    const again = await bus.submit('CP-1', { name: 'Reset', params: { type: 'hard' } }, { actor, id: 'fw-update-42' });
    expect(again).toEqual(first);
    expect(await redis.llen(bus.keys.commandQueue('CP-1'))).toBe(1);
    expect((await bus.listForStation('CP-1', 10)).total).toBe(1);
    await connect('CP-2', 'A');
    await expect(bus.submit('CP-2', reset, { actor, id: 'fw-update-42' })).rejects.toThrow(/another station/);
    for (const bad of ['', 'a b', 'x'.repeat(65), 'st:{1}', 'ü']) await expect(bus.submit('CP-1', reset, { actor, id: bad })).rejects.toThrow(RangeError);
  });

  it('fails fast as offline when asked not to wait, and keeps no raw parameters', async () => {
    await connect('CP-1', 'A');
    await disconnect('CP-1', 'A');
    const record = await bus.submit('CP-1', reset, { actor, waitForConnection: false });
    expect(record).toMatchObject({ status: 'offline', finishedAt: clock, result: { status: 'offline' } });
    expect(await redis.hexists(bus.keys.command(record.id), 'params')).toBe(0);
    expect(await redis.llen(bus.keys.commandQueue('CP-1'))).toBe(0);
    expect(await redis.zcard(bus.keys.commandsPending())).toBe(0);
  });

  it('refuses more than the queue limit for one station, and takes more once it drains', async () => {
    const small = new CommandBus({ redis, prefix, defaultDeadlineMs: 60_000, retentionMs: 3600_000, maxQueuedPerStation: 2, now: () => clock });
    await connect('CP-1', 'A');
    await small.submit('CP-1', reset, { actor });
    await small.submit('CP-1', reset, { actor });
    await expect(small.submit('CP-1', reset, { actor })).rejects.toThrow(CommandQueueFullError);
    await queue('A').take('CP-1', clock, 30_000);
    await expect(small.submit('CP-1', reset, { actor })).resolves.toMatchObject({ status: 'queued' });
  });

  it('keeps a bounded history per station, newest first, with paging', async () => {
    await connect('CP-1', 'A');
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      clock += 1;
      ids.push((await bus.submit('CP-1', reset, { actor })).id);
    }
    const page = await bus.listForStation('CP-1', 2, 1);
    expect(page.total).toBe(5);
    expect(page.items.map((r) => r.id)).toEqual([ids[5], ids[4]]);
  });
});

describe('take, finish, release', () => {
  it('only the owner takes; one command in flight per station, in submit order', async () => {
    await connect('CP-1', 'A');
    const [first, second] = [await bus.submit('CP-1', reset, { actor }), await bus.submit('CP-1', { name: 'ClearCache', params: {} }, { actor })];
    expect((await queue('B').take('CP-1', clock, 30_000)).kind).toBe('not_owner');
    const a = queue('A');
    const took = await a.take('CP-1', clock, 30_000);
    expect(took).toMatchObject({ kind: 'took', id: first.id, name: 'Reset', params: { type: 'soft' }, connectedAt: clock });
    expect((await a.take('CP-1', clock, 30_000)).kind).toBe('busy');
    expect(await bus.get(first.id)).toMatchObject({ status: 'sending', sentAt: clock, collectorId: 'A' });
    if (took.kind !== 'took') throw new Error('not taken');
    expect(await a.finish('CP-1', first.id, took.connection, { status: 'accepted' }, clock + 5)).toBe(true);
    // Finishing twice (or from another connection) changes nothing.
    expect(await a.finish('CP-1', first.id, took.connection, { status: 'rejected' }, clock + 6)).toBe(false);
    expect(await bus.get(first.id)).toMatchObject({ status: 'accepted', finishedAt: clock + 5, result: { status: 'accepted' } });
    expect(await a.take('CP-1', clock, 30_000)).toMatchObject({ kind: 'took', id: second.id });
  });

  it('delivers the result to a waiter on another bus instance', async () => {
    await connect('CP-1', 'A');
    const other = new CommandBus({ redis, prefix, defaultDeadlineMs: 60_000, retentionMs: 3600_000 });
    const { id } = await bus.submit('CP-1', reset, { actor });
    const waiting = other.wait(id, 5000);
    const a = queue('A');
    const took = await a.take('CP-1', clock, 30_000);
    if (took.kind !== 'took') throw new Error('not taken');
    const t0 = Date.now();
    await a.finish('CP-1', id, took.connection, { status: 'rejected', reason: 'station answered Rejected' }, clock);
    expect(await waiting).toMatchObject({ id, status: 'rejected', result: { reason: 'station answered Rejected' } });
    expect(Date.now() - t0).toBeLessThan(1000);
    // A wait that runs out returns the record as it is.
    const late = await bus.submit('CP-1', reset, { actor });
    expect(await other.wait(late.id, 50)).toMatchObject({ status: 'queued' });
    expect(await other.wait('no-such-id', 50)).toBeUndefined();
    await other.close();
  });

  it('a command in flight when its connection was replaced ends interrupted and is never taken again', async () => {
    await connect('CP-1', 'A', clock);
    const [first, second] = [await bus.submit('CP-1', reset, { actor }), await bus.submit('CP-1', reset, { actor })];
    const a = queue('A');
    const old = await a.take('CP-1', clock, 30_000);
    // The station reconnects, here to another collector: that one recovers the marker and goes on.
    await connect('CP-1', 'B', clock + 1000);
    const next = await queue('B').take('CP-1', clock + 1000, 30_000);
    expect(next).toMatchObject({ kind: 'took', id: second.id, ended: [{ id: first.id, status: 'interrupted' }] });
    expect(await bus.get(first.id)).toMatchObject({ status: 'interrupted', result: { status: 'interrupted' } });
    // The old sender's late answer is refused: the interrupted result stands.
    if (old.kind !== 'took') throw new Error('not taken');
    expect(await a.finish('CP-1', first.id, old.connection, { status: 'accepted' }, clock + 2000)).toBe(false);
    expect((await bus.get(first.id))!.status).toBe('interrupted');
  });

  it('release puts an unsent command back at the head of the queue', async () => {
    await connect('CP-1', 'A');
    const [first, second] = [await bus.submit('CP-1', reset, { actor }), await bus.submit('CP-1', reset, { actor })];
    const a = queue('A');
    const took = await a.take('CP-1', clock, 30_000);
    if (took.kind !== 'took') throw new Error('not taken');
    expect(await a.release('CP-1', first.id, took.connection)).toBe(true);
    expect(await bus.get(first.id)).toMatchObject({ status: 'queued' });
    expect((await bus.get(first.id))!.sentAt).toBeUndefined();
    expect(await a.take('CP-1', clock, 30_000)).toMatchObject({ kind: 'took', id: first.id });
    expect(await redis.lrange(bus.keys.commandQueue('CP-1'), 0, -1)).toEqual([second.id]);
  });

  it('takes every command exactly once when many takers race', async () => {
    await connect('CP-1', 'A');
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add((await bus.submit('CP-1', reset, { actor })).id);
    const takers = [queue('A'), queue('A'), queue('A'), queue('B')];
    const taken: string[] = [];
    while (taken.length < ids.size) {
      const results = await Promise.all(takers.map((q) => q.take('CP-1', clock, 30_000)));
      const took = results.filter((r) => r.kind === 'took');
      expect(took.length).toBeLessThanOrEqual(1);
      for (const r of took) {
        if (r.kind !== 'took') continue;
        taken.push(r.id);
        await takers[0]!.finish('CP-1', r.id, r.connection, { status: 'accepted' }, clock);
      }
    }
    expect(taken.length).toBe(ids.size);
    expect(new Set(taken)).toEqual(ids);
  });
});

describe('sweep', () => {
  it('ends waiting commands at their deadline: offline when the station is away, timeout when it was busy', async () => {
    await connect('CP-1', 'A');
    await connect('CP-2', 'A');
    await disconnect('CP-2', 'A');
    const busy = await bus.submit('CP-1', reset, { actor, deadlineMs: 1000 });
    const away = await bus.submit('CP-2', reset, { actor, deadlineMs: 1000 });
    const later = await bus.submit('CP-2', reset, { actor, deadlineMs: 60_000 });
    const a = queue('A');
    expect(await a.sweep(clock + 999)).toEqual([]);
    const ended = await a.sweep(clock + 1001);
    expect(ended).toEqual(expect.arrayContaining([{ id: busy.id, status: 'timeout' }, { id: away.id, status: 'offline' }]));
    expect(ended).toHaveLength(2);
    expect(await redis.lrange(bus.keys.commandQueue('CP-2'), 0, -1)).toEqual([later.id]);
    expect(await a.pendingCount()).toBe(1);
    expect(await redis.hexists(bus.keys.command(away.id), 'params')).toBe(0);
    // Sweeping again finds nothing new; the reconnected station then gets the one still in time.
    expect(await a.sweep(clock + 2000)).toEqual([]);
    await connect('CP-2', 'A', clock + 2000);
    expect(await a.take('CP-2', clock + 2000, 30_000)).toMatchObject({ kind: 'took', id: later.id });
  });

  it('a take meets expired commands first and ends them as timeout', async () => {
    await connect('CP-1', 'A');
    const old = await bus.submit('CP-1', reset, { actor, deadlineMs: 10 });
    const fresh = await bus.submit('CP-1', reset, { actor, deadlineMs: 60_000 });
    expect(await queue('A').take('CP-1', clock + 100, 30_000)).toMatchObject({ kind: 'took', id: fresh.id, ended: [{ id: old.id, status: 'timeout' }] });
  });

  it('ends a send whose sender went silent past the call timeout as interrupted', async () => {
    await connect('CP-1', 'A');
    const { id } = await bus.submit('CP-1', reset, { actor, deadlineMs: 1000 });
    const a = queue('A');
    await a.take('CP-1', clock, 5000);
    // Past the deadline but within the call timeout plus grace: the sender may still get an answer.
    expect(await a.sweep(clock + 5500)).toEqual([]);
    expect(await a.sweep(clock + 6001)).toEqual([{ id, status: 'interrupted' }]);
    expect(await redis.exists(bus.keys.commandInflight('CP-1'))).toBe(0);
    expect(await a.pendingCount()).toBe(0);
  });
});
