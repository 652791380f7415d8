/**
 * The submitting side of the command path, usable from any process (API, worker): submit a command for
 * a station, wait for its result, read one, list a station's history. The collector that holds the
 * station's websocket sends it (collector/src/commands); the result comes back through the stored
 * record and the done channel, so a submitter on another process sees it as soon as it is written.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisKeys, isFinalStatus, redactCommandParams, type Actor, type Command, type CommandRecord } from '@chargewatch/model';
import { decodeCommandRecord, SCRIPT_RESULTS } from './command-record';
import { SUBMIT } from './command-scripts';
import { validateCommand } from './command-validation';

export interface CommandBusOptions {
  redis: Redis;
  prefix: string;
  /** Deadline of a command whose submitter sets none. */
  defaultDeadlineMs: number;
  /** How long records and per-station history are kept. */
  retentionMs: number;
  /** Most history entries kept per station (older ones drop out first). */
  historyLimit?: number;
  /** Most commands that may wait for one station; more are refused (CommandQueueFullError). */
  maxQueuedPerStation?: number;
  now?: () => number;
}

export interface SubmitOptions {
  actor: Actor;
  /** Time from now within which the command must be sent; default from the bus options. */
  deadlineMs?: number;
  /** false: end `offline` at once when the station is not connected. Default true. */
  waitForConnection?: boolean;
  /**
   * The command's id, chosen by the submitter so that submitting again after a crash is harmless: a
   * second submit with an id already stored queues nothing and returns the stored record. Ids are
   * 1–64 characters of `A-Z a-z 0-9 _ . : -` (they become part of Redis keys). Default: a random UUID.
   */
  id?: string;
}

/** What a submitter-chosen command id may be made of. */
export const COMMAND_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

export class UnknownStationError extends Error {
  constructor(readonly stationId: string) {
    super(`no station ${JSON.stringify(stationId)} is registered`);
    this.name = 'UnknownStationError';
  }
}

export class CommandQueueFullError extends Error {
  constructor(
    readonly stationId: string,
    readonly limit: number,
  ) {
    super(`${limit} commands already wait for station ${JSON.stringify(stationId)}; try again once it has taken some`);
    this.name = 'CommandQueueFullError';
  }
}

/** The longest deadline a submitter may ask for: a command older than this is history, not a plan. */
export const MAX_COMMAND_DEADLINE_MS = 7 * 24 * 3600 * 1000;

export class CommandBus {
  readonly keys: RedisKeys;
  private readonly now: () => number;
  private subscriber?: Redis;
  private subscribed?: Promise<void>;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly maxQueued: number;

  constructor(private readonly opts: CommandBusOptions) {
    this.keys = new RedisKeys(opts.prefix);
    this.now = opts.now ?? Date.now;
    // A station that stays away must not let its queue grow without bound.
    this.maxQueued = opts.maxQueuedPerStation ?? 1000;
  }

  /**
   * Validates and queues a command (CommandValidationError, UnknownStationError, CommandQueueFullError
   * otherwise) and wakes the collector that holds the station. Returns the record as stored: `queued`,
   * or `offline` when the station is not connected and `waitForConnection` is false; with an `id` that
   * is already stored, that record, unchanged (nothing is queued twice).
   */
  async submit(stationId: string, command: Command, opts: SubmitOptions): Promise<CommandRecord> {
    const valid = validateCommand(command.name, command.params);
    const deadlineMs = Math.min(Math.max(opts.deadlineMs ?? this.opts.defaultDeadlineMs, 0), MAX_COMMAND_DEADLINE_MS);
    if (opts.id !== undefined && !COMMAND_ID_PATTERN.test(opts.id)) throw new RangeError(`command id ${JSON.stringify(opts.id)} is not 1-64 characters of A-Z a-z 0-9 _ . : -`);
    const id = opts.id ?? randomUUID();
    const now = this.now();
    const k = this.keys;
    const res = (await this.opts.redis.eval(
      SUBMIT,
      6,
      k.stations(),
      k.station(stationId),
      k.commandQueue(stationId),
      k.stationCommands(stationId),
      k.command(id),
      k.commandsPending(),
      stationId,
      id,
      String(now),
      String(now + deadlineMs),
      opts.waitForConnection === false ? '0' : '1',
      valid.name,
      JSON.stringify(valid.params),
      JSON.stringify(redactCommandParams(valid)),
      JSON.stringify(opts.actor),
      String(Math.ceil(this.opts.retentionMs / 1000)),
      String(now - this.opts.retentionMs),
      String(this.opts.historyLimit ?? 1000),
      JSON.stringify(SCRIPT_RESULTS.offline()),
      k.commandDone(),
      String(this.maxQueued),
    )) as string[];
    if (res[0] === 'unknown') throw new UnknownStationError(stationId);
    if (res[0] === 'full') throw new CommandQueueFullError(stationId, this.maxQueued);
    if (res[0] === 'exists') {
      const stored = await this.get(id);
      if (stored && stored.stationId === stationId) return stored;
      throw new RangeError(`command id ${JSON.stringify(id)} is already used by another station's command`);
    }
    const [state, owner, online] = res;
    // A collector that misses this wake-up finds the command in its periodic resync.
    if (state === 'queued' && online === '1' && owner) await this.opts.redis.publish(k.collectorWake(owner), stationId);
    const record = await this.get(id);
    if (!record) throw new Error(`command ${id} vanished right after it was stored`);
    return record;
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    return decodeCommandRecord(await this.opts.redis.hgetall(this.keys.command(id)));
  }

  /**
   * The record once it is final, or as it is when `timeoutMs` runs out (still `queued` or `sending`);
   * undefined for an unknown id.
   */
  async wait(id: string, timeoutMs: number): Promise<CommandRecord | undefined> {
    await this.subscribe();
    return new Promise<CommandRecord | undefined>((resolve, reject) => {
      let settled = false;
      const waiters = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, waiters);
      const done = () => {
        waiters.delete(check);
        if (waiters.size === 0) this.waiters.delete(id);
        clearTimeout(timer);
      };
      const settle = (record: CommandRecord | undefined) => {
        if (settled) return;
        settled = true;
        done();
        resolve(record);
      };
      const check = () => {
        this.get(id).then((r) => {
          if (!r || isFinalStatus(r.status)) settle(r);
        }, (err) => {
          if (settled) return;
          settled = true;
          done();
          reject(err);
        });
      };
      const timer = setTimeout(() => this.get(id).then(settle, reject), Math.max(0, timeoutMs));
      waiters.add(check);
      // Subscribed before this read, so a result written in between is seen one way or the other.
      check();
    });
  }

  /** The station's commands, newest first. */
  async listForStation(stationId: string, limit: number, offset = 0): Promise<{ total: number; items: CommandRecord[] }> {
    const historyKey = this.keys.stationCommands(stationId);
    const [total, ids] = await Promise.all([this.opts.redis.zcard(historyKey), this.opts.redis.zrevrange(historyKey, offset, offset + limit - 1)]);
    if (ids.length === 0) return { total, items: [] };
    const p = this.opts.redis.pipeline();
    for (const id of ids) p.hgetall(this.keys.command(id));
    const rows = (await p.exec()) ?? [];
    const items = rows.flatMap(([, h]) => {
      const r = decodeCommandRecord((h ?? {}) as Record<string, string>);
      return r ? [r] : [];
    });
    return { total, items };
  }

  private subscribe(): Promise<void> {
    this.subscribed ??= (async () => {
      const sub = this.opts.redis.duplicate();
      this.subscriber = sub;
      sub.on('error', () => undefined);
      sub.on('message', (_channel: string, id: string) => this.waiters.get(id)?.forEach((check) => check()));
      // After a reconnect ioredis subscribes again; results published meanwhile are caught by re-reading.
      sub.on('ready', () => this.waiters.forEach((set) => set.forEach((check) => check())));
      await sub.subscribe(this.keys.commandDone());
    })().catch((err: unknown) => {
      // Not kept as a failed promise: the next wait tries again (Redis may be back).
      this.subscribed = undefined;
      this.subscriber?.disconnect();
      this.subscriber = undefined;
      throw err;
    });
    return this.subscribed;
  }

  async close(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}
