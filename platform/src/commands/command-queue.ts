/**
 * The sending side of the command path: what a collector does with a station's queue. Every step is one
 * script (command-scripts.ts), so two collectors — or a collector and its own restarted self — never
 * both send a command, and a crash leaves nothing half-moved: a command still queued waits for the next
 * owner, one that was on the wire ends `interrupted`.
 */
import type { Redis } from 'ioredis';
import { RedisKeys, type CommandName, type CommandOutcome, type CommandResult } from '@chargewatch/model';
import { SCRIPT_RESULTS } from './command-record';
import { FINISH, RELEASE, SWEEP, TAKE } from './command-scripts';

export interface CommandQueueOptions {
  redis: Redis;
  prefix: string;
  collectorId: string;
  /** How long records are kept after they end. */
  retentionMs: number;
  /** Time past a call's timeout after which a silent sender is presumed gone. */
  graceMs?: number;
}

/** A command this process moved to a final status (to be counted and audited by the caller). */
export interface EndedCommand {
  id: string;
  status: CommandOutcome;
}

export type TakeResult =
  | { kind: 'took'; id: string; name: CommandName; params: unknown; connection: string; connectedAt: number; ended: EndedCommand[] }
  | { kind: 'busy' | 'not_owner'; ended: EndedCommand[] }
  | { kind: 'empty'; ended: EndedCommand[] };

const pairs = (flat: string[]): EndedCommand[] => {
  const out: EndedCommand[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i]!, status: flat[i + 1] as CommandOutcome });
  return out;
};

export class CommandQueue {
  readonly keys: RedisKeys;
  private readonly graceMs: number;

  constructor(private readonly opts: CommandQueueOptions) {
    this.keys = new RedisKeys(opts.prefix);
    this.graceMs = opts.graceMs ?? 10_000;
  }

  /**
   * Takes the station's next command if this collector owns the station and nothing is in flight on its
   * current connection; marks it `sending` with the connection it goes out on. Expired commands met on
   * the way end `timeout`; a command left in flight by an earlier connection ends `interrupted`.
   */
  async take(stationId: string, now: number, callTimeoutMs: number): Promise<TakeResult> {
    const k = this.keys;
    const res = (await this.opts.redis.eval(
      TAKE,
      4,
      k.station(stationId),
      k.commandQueue(stationId),
      k.commandInflight(stationId),
      k.commandsPending(),
      this.opts.collectorId,
      String(now),
      String(now + callTimeoutMs),
      k.commandPrefix(),
      String(this.graceMs),
      JSON.stringify(SCRIPT_RESULTS.interrupted()),
      JSON.stringify(SCRIPT_RESULTS.timeout()),
      k.commandDone(),
    )) as string[];
    const kind = res[0];
    if (kind === 'took') {
      const [, id, connection, name, params] = res as [string, string, string, CommandName, string];
      return { kind, id, name, params: JSON.parse(params) as unknown, connection, connectedAt: Number(connection.slice(connection.lastIndexOf('@') + 1)), ended: pairs(res.slice(5)) };
    }
    if (kind === 'empty') return { kind, ended: pairs(res.slice(1)) };
    return { kind: kind === 'busy' ? 'busy' : 'not_owner', ended: [] };
  }

  /** Records which OCPP action and protocol the adapter chose, before the call goes out. */
  async noteSending(id: string, protocol: string, action: string): Promise<void> {
    await this.opts.redis.hset(this.keys.command(id), { protocol, action });
  }

  /** Writes the result of a command this collector sent on `connection`; false when it had already ended. */
  async finish(stationId: string, id: string, connection: string, result: CommandResult, now: number): Promise<boolean> {
    const k = this.keys;
    const done = await this.opts.redis.eval(
      FINISH,
      3,
      k.command(id),
      k.commandInflight(stationId),
      k.commandsPending(),
      id,
      connection,
      result.status,
      JSON.stringify(result),
      String(now),
      String(Math.ceil(this.opts.retentionMs / 1000)),
      k.commandDone(),
    );
    return done === 1;
  }

  /** Puts a command back at the head of the queue: the connection changed before it was sent. */
  async release(stationId: string, id: string, connection: string): Promise<boolean> {
    const k = this.keys;
    const done = await this.opts.redis.eval(RELEASE, 4, k.command(id), k.commandInflight(stationId), k.commandQueue(stationId), k.commandsPending(), id, connection);
    return done === 1;
  }

  /** Ends what is due: waiting commands past their deadline, and sends whose sender went silent. */
  async sweep(now: number, limit = 200): Promise<EndedCommand[]> {
    const k = this.keys;
    const due = await this.opts.redis.zrangebyscore(k.commandsPending(), '-inf', now, 'LIMIT', 0, limit);
    if (due.length === 0) return [];
    const stations = await this.opts.redis.pipeline(due.map((id) => ['hget', k.command(id), 'station'])).exec();
    const ended: EndedCommand[] = [];
    for (const [i, id] of due.entries()) {
      const stationId = stations?.[i]?.[1] as string | null | undefined;
      if (!stationId) {
        await this.opts.redis.zrem(k.commandsPending(), id);
        continue;
      }
      const status = (await this.opts.redis.eval(
        SWEEP,
        5,
        k.command(id),
        k.commandsPending(),
        k.station(stationId),
        k.commandQueue(stationId),
        k.commandInflight(stationId),
        id,
        String(now),
        String(this.graceMs),
        JSON.stringify(SCRIPT_RESULTS.offlineAtDeadline()),
        JSON.stringify(SCRIPT_RESULTS.timeout()),
        JSON.stringify(SCRIPT_RESULTS.interrupted()),
        k.commandDone(),
      )) as string;
      if (status === 'offline' || status === 'timeout' || status === 'interrupted') ended.push({ id, status });
    }
    return ended;
  }

  /** Commands submitted and not yet final, fleet-wide (queued or on the wire). */
  pendingCount(): Promise<number> {
    return this.opts.redis.zcard(this.keys.commandsPending());
  }

  /** Which of these stations have commands waiting (one pipelined round trip). */
  async withQueued(stationIds: string[]): Promise<string[]> {
    if (stationIds.length === 0) return [];
    const res = await this.opts.redis.pipeline(stationIds.map((id) => ['llen', this.keys.commandQueue(id)])).exec();
    return stationIds.filter((_, i) => Number(res?.[i]?.[1] ?? 0) > 0);
  }
}
