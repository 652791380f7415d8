/**
 * The misuse rules' sliding state in Redis (keys in model keys.ts), shared by every worker and kept
 * across restarts:
 * - windows: sorted sets of `<subject>/<event key>` scored by event time. Adding an event twice
 *   changes nothing, and a window read at an event's time is what it was when the event was first
 *   judged (later events have higher scores), so replays and out-of-order delivery agree;
 * - episodes: which incident the findings about one subject currently merge into (a script, so two
 *   workers finding at once agree on one);
 * - sessions per token, with a per-station tombstone so an end handled before its start (two workers)
 *   does not leave a phantom open session;
 * - idle-bay states per EVSE, guarded by the last event key applied;
 * - the KeyCode lockout of a station (keycode-lockout.ts).
 */
import { RedisKeys, compareEventKeys, type BayState, type OpenSession, type WindowEntry } from '@chargewatch/model';
import type { Redis } from 'ioredis';

/** Entries kept per window key, newest first: enough for any threshold anyone sets. */
const WINDOW_MAX_ENTRIES = 500;
/** How long a session's token is remembered after its start (1.6 ends may omit the token). */
const TX_TOKEN_TTL_MS = 7 * 86_400_000;

/** Returns the dedupe key of the episode `at` belongs to: the current one within mergeMs of its last finding, else `fresh`. */
const EPISODE_SCRIPT = `
local cur = redis.call('HMGET', KEYS[1], 'dedupe', 'last')
local at = tonumber(ARGV[1])
local merge = tonumber(ARGV[2])
if cur[1] and cur[2] and math.abs(at - tonumber(cur[2])) <= merge then
  if at > tonumber(cur[2]) then redis.call('HSET', KEYS[1], 'last', ARGV[1]) end
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return cur[1]
end
redis.call('HSET', KEYS[1], 'dedupe', ARGV[3], 'last', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return ARGV[3]
`;

export class MisuseState {
  readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  /**
   * Adds `member` at `at` and returns the window's entries scored in [at − beforeMs, at + afterMs].
   * Entries older than keepMs before `at` are dropped.
   */
  async window(key: string, member: string, at: number, beforeMs: number, afterMs = 0, keepMs = beforeMs): Promise<WindowEntry[]> {
    const res = await this.redis
      .multi()
      .zadd(key, at, member)
      .zremrangebyscore(key, '-inf', `(${at - keepMs}`)
      .zremrangebyrank(key, 0, -(WINDOW_MAX_ENTRIES + 1))
      .pexpire(key, Math.max(keepMs, beforeMs + afterMs) + 60_000)
      .zrangebyscore(key, at - beforeMs, at + afterMs, 'WITHSCORES')
      .exec();
    const flat = (res?.[4]?.[1] ?? []) as string[];
    const out: WindowEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i]!, at: Number(flat[i + 1]) });
    return out;
  }

  /** The dedupe key of the incident a finding about `subject` at `at` merges into (`fresh` when it opens one). */
  async episode(subject: string, at: number, mergeMs: number, fresh: string): Promise<string> {
    return String(await this.redis.eval(EPISODE_SCRIPT, 1, this.keys.misuseEpisode(subject), String(at), String(mergeMs), fresh, String(mergeMs + 60_000)));
  }

  /** Forgets the episode (an operator resolved its incident): the next finding opens a new incident. */
  async endEpisode(subject: string): Promise<void> {
    await this.redis.del(this.keys.misuseEpisode(subject));
  }

  /**
   * Records a session of the token: returns the token's open sessions, or undefined when this
   * transaction has already ended (its end was handled first).
   */
  async sessionStarted(tokenHash: string, s: OpenSession, keepMs: number): Promise<OpenSession[] | undefined> {
    const txtok = this.keys.misuseStation(s.stationId, 'txtok');
    const known = await this.redis.hget(txtok, s.transactionId);
    if (known === '') return undefined;
    const sessions = this.keys.misuseToken(tokenHash, 'sessions');
    const res = await this.redis
      .multi()
      .hset(txtok, s.transactionId, tokenHash)
      .pexpire(txtok, TX_TOKEN_TTL_MS)
      .hset(sessions, JSON.stringify([s.stationId, s.transactionId]), String(s.startedAt))
      .pexpire(sessions, keepMs)
      .hgetall(sessions)
      .exec();
    const all = (res?.[4]?.[1] ?? {}) as Record<string, string>;
    return Object.entries(all).map(([field, startedAt]) => {
      const [stationId, transactionId] = JSON.parse(field) as [string, string];
      return { stationId, transactionId, startedAt: Number(startedAt) };
    });
  }

  /** Ends a session: the token comes from the event or from the start we recorded. */
  async sessionEnded(stationId: string, transactionId: string, tokenHash: string | undefined): Promise<void> {
    const txtok = this.keys.misuseStation(stationId, 'txtok');
    const hash = tokenHash ?? ((await this.redis.hget(txtok, transactionId)) || undefined);
    const m = this.redis.multi().hset(txtok, transactionId, '').pexpire(txtok, TX_TOKEN_TTL_MS);
    if (hash) m.hdel(this.keys.misuseToken(hash, 'sessions'), JSON.stringify([stationId, transactionId]));
    await m.exec();
  }

  /** Idle-bay states of many stations in one round trip. */
  async bays(stationIds: string[]): Promise<Map<string, Record<string, StoredBay>>> {
    const p = this.redis.pipeline();
    for (const id of stationIds) p.hgetall(this.keys.misuseStation(id, 'bays'));
    const res = (await p.exec()) ?? [];
    const out = new Map<string, Record<string, StoredBay>>();
    stationIds.forEach((id, i) => {
      const h = (res[i]?.[1] ?? {}) as Record<string, string>;
      const bays: Record<string, StoredBay> = {};
      for (const [f, v] of Object.entries(h)) {
        try {
          bays[f] = JSON.parse(v) as StoredBay;
        } catch {
          // A damaged entry is dropped at the next write.
        }
      }
      out.set(id, bays);
    });
    return out;
  }

  /** Writes a bay's state unless a later event was applied already; undefined state removes it. */
  async setBay(stationId: string, field: string, state: BayState | undefined, eventKey: string, current: StoredBay | undefined): Promise<boolean> {
    if (current?.lastKey && compareEventKeys(eventKey, current.lastKey) < 0) return false;
    const key = this.keys.misuseStation(stationId, 'bays');
    if (state) await this.redis.multi().hset(key, field, JSON.stringify({ ...state, lastKey: eventKey } satisfies StoredBay)).pexpire(key, TX_TOKEN_TTL_MS).exec();
    else await this.redis.hdel(key, field);
    return true;
  }
}

export interface StoredBay extends BayState {
  lastKey?: string;
}
