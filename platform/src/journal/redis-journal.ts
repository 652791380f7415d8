/**
 * The durable record behind every acknowledgement. A station's call is answered only after its events
 * are appended to the Redis stream `{prefix}journal` as a versioned batch (model/src/journal-entry.ts);
 * consumer groups (one per consumer: `influx`, later `firmware`, `access`, `billing`, `uptime`) read
 * it, each acknowledging only what it has durably handled. With Redis persistence (AOF) an acknowledged
 * event survives a collector crash, a consumer outage and a Redis restart.
 *
 * Appends are group-committed: one commit (one XADD, or MULTI/EXEC when it spans several entries) is in
 * flight at a time, and the calls that arrive while it is share the next one; all of a commit's calls
 * are answered when it is stored. An idle journal commits at the end of the current turn of the event
 * loop, so a lone call waits for nothing; a busy one commits as fast as Redis answers, with the batch
 * growing with the load instead of the number of XADDs (each a write, a reply and, with appendfsync
 * always, part of an fsync).
 *
 * Trimming: consumers acknowledge but never delete. `trim()` removes the entries below the oldest one
 * some registered group still needs (its oldest pending entry, or the one after its last delivered);
 * the groups are those in the set `{prefix}journal:groups`, registered by `ensureGroup` before the group
 * is created, so a consumer that is registered but not running holds the journal for when it starts.
 */
import type { ChargeEvent, StationContext } from '@chargewatch/model';
import { RedisKeys, encodeJournalEntry } from '@chargewatch/model';
import type { Redis } from 'ioredis';

export class JournalFullError extends Error {
  override readonly name = 'JournalFullError';
  constructor(readonly entries: number, readonly maxEntries: number) {
    super(`durable journal full (${entries} of ${maxEntries} entries not yet handled by every consumer); retry later`);
  }
}

export interface JournalBacklog {
  /** Entries in the stream: appended and not yet handled by every registered consumer. */
  entries: number;
  /** Age of the oldest such entry, seconds (0 when empty). */
  oldestAgeSeconds: number;
}

/** One consumer group's progress. */
export interface JournalConsumerStats {
  consumer: string;
  /** Entries the group has not handled yet: delivered and unacknowledged, plus not yet delivered. */
  lag: number;
  /** Of those, delivered to one of its consumers and not acknowledged. */
  pending: number;
  /** Age of the oldest entry the group has not handled, seconds (0 when none). */
  oldestAgeSeconds: number;
  /** Registered in journal:groups but without a group on the stream (its consumer never started). */
  missing: boolean;
}

interface Waiter {
  /** The call's events, for finding the calls a failed encoding is about (never read on success). */
  events: ChargeEvent[];
  resolve(): void;
  reject(err: unknown): void;
}

const encodable = (events: ChargeEvent[]): boolean => {
  try {
    JSON.stringify(events);
    return true;
  } catch {
    return false;
  }
};

/** Events per entry at most; a busier turn of the event loop is split into several entries. */
const MAX_EVENTS_PER_ENTRY = 1000;

/**
 * The lowest entry id any registered group still needs, and XTRIM MINID to it; atomic, so no group can
 * move between the reading and the trim. A registered group missing on the stream stops trimming.
 * Stream ids compare as (ms, seq) numbers: both fit a Lua double exactly.
 */
const TRIM_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local registered = redis.call('SMEMBERS', KEYS[2])
if #registered == 0 then return 0 end
local last = {}
local pending = {}
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  last[info['name']] = info['last-delivered-id']
  pending[info['name']] = info['pending']
end
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local minMs, minSeq
for _, name in ipairs(registered) do
  if last[name] == nil then return -1 end
  local ms, seq
  if pending[name] > 0 then
    ms, seq = parse(redis.call('XPENDING', KEYS[1], name)[2])
  else
    ms, seq = parse(last[name])
    seq = seq + 1
  end
  if minMs == nil or ms < minMs or (ms == minMs and seq < minSeq) then minMs, minSeq = ms, seq end
end
return redis.call('XTRIM', KEYS[1], 'MINID', string.format('%.0f-%.0f', minMs, minSeq))
`;

export interface RedisJournalOptions {
  /** The operator metadata of a station, stored with each batch (journal-entry.ts). */
  stationContext?: (stationId: string) => StationContext | undefined;
  /** Clock, for tests. */
  now?: () => number;
}

export class RedisJournal {
  readonly key: string;
  readonly groupsKey: string;
  /** Entry count as of the last backlog poll plus appends since: cheap enough to check per call. */
  private approxEntries = 0;
  private pendingEvents: ChargeEvent[] = [];
  private waiters: Waiter[] = [];
  private scheduled = false;
  /** A commit is waiting for Redis; appends meanwhile wait for the next one. */
  private inFlight = false;
  private readonly stationContext: (stationId: string) => StationContext | undefined;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly maxEntries: number,
    options: RedisJournalOptions = {},
  ) {
    const keys = new RedisKeys(prefix);
    this.key = keys.journal();
    this.groupsKey = keys.journalGroups();
    this.stationContext = options.stationContext ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  /** Resolves once Redis has the events (and, with appendfsync always, the disk has them). */
  append(events: ChargeEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.approxEntries >= this.maxEntries) return Promise.reject(new JournalFullError(this.approxEntries, this.maxEntries));
    return new Promise<void>((resolve, reject) => {
      for (const event of events) this.pendingEvents.push(event);
      this.waiters.push({ events, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight || this.waiters.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    const events = this.pendingEvents;
    const waiters = this.waiters;
    this.pendingEvents = [];
    this.waiters = [];
    this.scheduled = false;
    let entries: string[][];
    try {
      entries = [];
      for (let i = 0; i < events.length; i += MAX_EVENTS_PER_ENTRY) {
        const chunk = events.length <= MAX_EVENTS_PER_ENTRY ? events : events.slice(i, i + MAX_EVENTS_PER_ENTRY);
        const stations: Record<string, StationContext> = {};
        for (const e of chunk) {
          if (e.stationId in stations) continue;
          const context = this.stationContext(e.stationId);
          if (context) stations[e.stationId] = context;
        }
        entries.push(encodeJournalEntry({ events: chunk, stations }));
      }
    } catch (err) {
      // A value JSON cannot carry (a BigInt from a bug): refuse the calls that hold one rather than
      // acknowledge them, and commit their neighbours again without them.
      const bad = waiters.filter((w) => !encodable(w.events));
      const good = bad.length ? waiters.filter((w) => !bad.includes(w)) : [];
      for (const w of bad.length ? bad : waiters) w.reject(err);
      if (good.length) {
        this.waiters = good;
        this.pendingEvents = good.flatMap((w) => w.events);
        this.schedule();
      }
      return;
    }
    this.approxEntries += entries.length;
    this.inFlight = true;
    const settle = (err: unknown) => {
      this.inFlight = false;
      if (err) for (const w of waiters) w.reject(err);
      else for (const w of waiters) w.resolve();
      this.schedule();
    };
    // The usual turn fits one entry: one XADD is atomic on its own, and MULTI/EXEC around it cost a
    // transaction object, two more commands and their replies per commit (~2 % of a call's CPU).
    if (entries.length === 1) {
      this.redis.xadd(this.key, '*', ...entries[0]!).then(() => settle(undefined), settle);
      return;
    }
    // A busier turn spans several entries: all of them are stored, or the calls are refused.
    const m = this.redis.multi();
    for (const fields of entries) m.xadd(this.key, '*', ...fields);
    m.exec().then((res) => settle(res?.find(([err]) => err)?.[0] ?? (res ? undefined : new Error('journal append aborted'))), settle);
  }

  /**
   * Registers `group` as a consumer the journal is kept for, then creates it. A new group starts at the
   * oldest entry still in the stream: what was appended before it existed is handled too.
   */
  async ensureGroup(group: string): Promise<void> {
    await this.redis.sadd(this.groupsKey, group);
    try {
      await this.redis.xgroup('CREATE', this.key, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** The registered consumer groups. */
  groups(): Promise<string[]> {
    return this.redis.smembers(this.groupsKey);
  }

  /**
   * Removes the entries every registered group has handled; returns how many (-1: a registered group
   * does not exist on the stream yet, so nothing is removed).
   */
  async trim(): Promise<number> {
    return Number(await this.redis.eval(TRIM_SCRIPT, 2, this.key, this.groupsKey));
  }

  async backlog(): Promise<JournalBacklog> {
    const [len, first] = await Promise.all([this.redis.xlen(this.key), this.redis.xrange(this.key, '-', '+', 'COUNT', 1)]);
    this.approxEntries = len;
    return { entries: len, oldestAgeSeconds: this.ageOf(first[0]?.[0]) };
  }

  /** Each registered group's lag, pending count and oldest unhandled age; `known` spares a caller that just read the backlog a second read. */
  async consumerStats(known?: JournalBacklog): Promise<JournalConsumerStats[]> {
    const registered = (await this.groups()).sort();
    if (registered.length === 0) return [];
    const info = new Map<string, { pending: number; lastDelivered: string; lag: number | null }>();
    try {
      for (const g of (await this.redis.xinfo('GROUPS', this.key)) as unknown[][]) {
        const f: Record<string, unknown> = {};
        for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
        info.set(String(f.name), { pending: Number(f.pending), lastDelivered: String(f['last-delivered-id']), lag: f.lag === null || f.lag === undefined ? null : Number(f.lag) });
      }
    } catch (err) {
      if (!String((err as Error).message).includes('no such key')) throw err;
    }
    const backlog = known ?? (await this.backlog());
    return Promise.all(
      registered.map(async (consumer): Promise<JournalConsumerStats> => {
        const g = info.get(consumer);
        if (!g) return { consumer, lag: backlog.entries, pending: 0, oldestAgeSeconds: backlog.oldestAgeSeconds, missing: true };
        const [firstUndelivered, pendingSummary] = await Promise.all([
          this.redis.xrange(this.key, `(${g.lastDelivered}`, '+', 'COUNT', 1),
          g.pending > 0 ? (this.redis.xpending(this.key, consumer) as Promise<[number, string, string, unknown]>) : Promise.resolve(undefined),
        ]);
        // XINFO's lag (entries not yet delivered) is unknown only while entries deleted by an older
        // version lie ahead of the group; the stream's length is then the honest upper bound.
        const undelivered = g.lag ?? (firstUndelivered.length ? backlog.entries : 0);
        const oldestId = pendingSummary?.[1] ?? firstUndelivered[0]?.[0];
        return { consumer, lag: g.pending + undelivered, pending: g.pending, oldestAgeSeconds: this.ageOf(oldestId), missing: false };
      }),
    );
  }

  private ageOf(id: string | undefined): number {
    if (!id) return 0;
    return Math.max(0, (this.now() - Number(id.split('-')[0])) / 1000);
  }
}
