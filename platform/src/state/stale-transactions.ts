/**
 * Closes transactions that can no longer be open because no meter value or transaction message has
 * named them for `staleAfterMs` (TX_STALE_AFTER_SEC): the station lost them and will never stop them.
 * Each close is a `transaction.ended` event with `closedBy: 'collector'` and stoppedReason
 * `StaleNoActivity`, timed at the transaction's last activity, handed to `publish` — the same journal
 * path as every other event, so InfluxDB and every consumer see it.
 *
 * Safe with several processes sweeping (collectors on a timer, the worker's scheduler):
 * - a lock keeps sweeps from overlapping (efficiency only);
 * - each close is one atomic script over the station's keys that ends the transaction only if it is
 *   still open and its activity is exactly what the sweep saw: a Stop/Ended being handled at that moment
 *   has already bumped the activity (TransactionQueries.ending), so the sweep backs off, and a second
 *   sweeper finds the transaction closed;
 * - between the close in the state and the journal append the transaction sits in `tx:closing`; a sweep
 *   that finds an entry older than `retryAfterMs` there (its sweeper died) publishes the same event again.
 */
import type { Redis } from 'ioredis';
import { collectorClose, type TransactionEnded, type TransactionRecord } from '@chargewatch/model';
import type { SinkLogger } from '../sinks/influx/sink-types';
import type { TransactionQueries } from './transaction-queries';
import { ENDED_TX_TTL_SEC, parseActivityMember, parseRecord, type GlobalTxKeys, type StationTxKeys } from './transaction-records';

/** KEYS: activity, transactions, ended record, connectors. ARGV: txId, activity the sweep saw, ended JSON, TTL s. */
const CLOSE_SCRIPT = `
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if not rec then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return { 'gone' }
end
local act = redis.call('HGET', KEYS[1], ARGV[1])
if act and tonumber(act) ~= tonumber(ARGV[2]) then return { 'active', act } end
local t = cjson.decode(rec)
t.ended = cjson.decode(ARGV[3])
local ended = cjson.encode(t)
redis.call('SET', KEYS[3], ended, 'EX', tonumber(ARGV[4]))
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
local cs = redis.call('HGETALL', KEYS[4])
for i = 1, #cs, 2 do
  local ok, c = pcall(cjson.decode, cs[i + 1])
  if ok and type(c) == 'table' and c.transactionId == ARGV[1] then
    c.transactionId = nil
    redis.call('HSET', KEYS[4], cs[i], cjson.encode(c))
  end
end
return { 'closed', ended }
`;

/** Moves a `tx:closing` entry to now if it still has the score the sweep saw: one sweeper retries it. */
const CLAIM_SCRIPT = `
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0
`;

const UNLOCK_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export interface StaleSweepOptions {
  redis: Redis;
  queries: TransactionQueries;
  keysOf: (stationId: string) => StationTxKeys;
  global: GlobalTxKeys;
  /** Station ids, for the one-time backfill of transactions opened before activity was recorded. */
  stationIds: () => Promise<string[]>;
  /** Tells the change feed a station's state changed (its transaction closed here, not by apply()). */
  changed?: (stationId: string) => Promise<void>;
  staleAfterMs: number;
  /** Makes the events durable in the journal (and may show them to observers); throws when it cannot. */
  publish: (events: TransactionEnded[]) => Promise<void>;
  /** Identifies this sweeper in the lock. */
  holder: string;
  /** Candidates handled per sweep; the rest wait for the next one. Default 1000. */
  batchSize?: number;
  /** A close left unjournaled this long is published again by whoever sweeps. Default 60 s. */
  retryAfterMs?: number;
  /** Longest a sweep holds the lock. Default 5 min. */
  lockMs?: number;
  logger?: SinkLogger;
}

export interface StaleSweepResult {
  /** false when another process held the lock: nothing was done. */
  ran: boolean;
  closed: TransactionEnded[];
  /** Closes of a sweeper that died before journaling them, published now. */
  recovered: number;
}

export class StaleTransactionSweeper {
  private backfilled = false;

  constructor(private readonly o: StaleSweepOptions) {}

  async closeStaleTransactions(now: number = Date.now()): Promise<StaleSweepResult> {
    const { redis, global } = this.o;
    const token = `${this.o.holder}:${now}:${Math.random().toString(36).slice(2)}`;
    if ((await redis.set(global.sweepLock, token, 'PX', this.o.lockMs ?? 300_000, 'NX')) !== 'OK') return { ran: false, closed: [], recovered: 0 };
    try {
      if (!this.backfilled) {
        const added = await this.o.queries.backfillActivity(await this.o.stationIds());
        if (added > 0) this.o.logger?.info({ transactions: added }, 'open transactions without recorded activity added to the stale sweep');
        this.backfilled = true;
      }
      const recovered = await this.recover(now);
      const closed = await this.sweep(now);
      return { ran: true, closed, recovered };
    } finally {
      await redis.eval(UNLOCK_SCRIPT, 1, global.sweepLock, token).catch(() => undefined);
    }
  }

  private async sweep(now: number): Promise<TransactionEnded[]> {
    const { redis, global } = this.o;
    const cutoff = now - this.o.staleAfterMs;
    const found = await redis.zrangebyscore(global.activityIndex, '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, this.o.batchSize ?? 1000);
    const closed: TransactionEnded[] = [];
    for (let i = 0; i < found.length; i += 2) {
      const member = found[i]!;
      const seen = found[i + 1]!;
      const tx = parseActivityMember(member);
      if (!tx) {
        await redis.zrem(global.activityIndex, member);
        continue;
      }
      // Someone else's close of it is pending (or a sweeper died with it): the recovery pass owns it.
      if ((await redis.zadd(global.closing, 'NX', now, member)) === 0) continue;
      const keys = this.o.keysOf(tx.stationId);
      const ended = { time: Number(seen), stoppedReason: 'StaleNoActivity', closedBy: 'collector' };
      const [outcome, value] = (await redis.eval(
        CLOSE_SCRIPT,
        4,
        keys.activity,
        keys.transactions,
        keys.ended(tx.transactionId),
        keys.connectors,
        tx.transactionId,
        seen,
        JSON.stringify(ended),
        String(ENDED_TX_TTL_SEC),
      )) as [string, string | undefined];
      if (outcome !== 'closed') {
        // Gone: ended meanwhile. Active: its activity moved on; the index learns the newer time.
        if (outcome === 'gone') await redis.zrem(global.activityIndex, member);
        else await redis.zadd(global.activityIndex, Number(value), member);
        await redis.zrem(global.closing, member);
        continue;
      }
      await redis.zrem(global.activityIndex, member);
      await this.o.changed?.(tx.stationId);
      const event = closeEvent(tx.stationId, parseRecord(value)!, now);
      if (await this.publishOne(member, event)) closed.push(event);
    }
    return closed;
  }

  /** Publishes closes that are in the state but whose sweeper died before journaling them. */
  private async recover(now: number): Promise<number> {
    const { redis, global } = this.o;
    const waiting = await redis.zrangebyscore(global.closing, '-inf', now - (this.o.retryAfterMs ?? 60_000), 'WITHSCORES', 'LIMIT', 0, this.o.batchSize ?? 1000);
    let recovered = 0;
    for (let i = 0; i < waiting.length; i += 2) {
      const member = waiting[i]!;
      if ((await redis.eval(CLAIM_SCRIPT, 1, global.closing, member, waiting[i + 1]!, String(now))) !== 1) continue;
      const tx = parseActivityMember(member);
      const record = tx && parseRecord(await redis.get(this.o.keysOf(tx.stationId).ended(tx.transactionId)));
      // Not closed by us after all (the sweeper died before its script ran, or the station ended it).
      if (!tx || !record?.ended || record.ended.closedBy !== 'collector') {
        await redis.zrem(global.closing, member);
        continue;
      }
      if (await this.publishOne(member, closeEvent(tx.stationId, record, now))) recovered++;
    }
    return recovered;
  }

  private async publishOne(member: string, event: TransactionEnded): Promise<boolean> {
    try {
      await this.o.publish([event]);
    } catch (err) {
      // Left in tx:closing: the next sweep after retryAfterMs publishes it.
      this.o.logger?.warn({ err, stationId: event.stationId, transactionId: event.transactionId }, 'stale transaction closed but not yet journaled; will retry');
      return false;
    }
    await this.o.redis.zrem(this.o.global.closing, member);
    return true;
  }
}

/** The event of a close by policy, rebuilt the same way from its ended record on a retry. */
function closeEvent(stationId: string, record: TransactionRecord, receivedAt: number): TransactionEnded {
  return collectorClose(stationId, record, { time: record.ended!.time, receivedAt, reason: 'StaleNoActivity' });
}
