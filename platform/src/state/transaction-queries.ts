/**
 * Reads of the shared transaction state that the adapters (through the collector's CsmsDecisions) and
 * the Prometheus sink need: a transaction by id, the one a Stop/Ended message is about to end, the ones
 * a reboot lost, and which collector owns which open transactions.
 */
import type { Redis } from 'ioredis';
import type { ConnectorRef, LostTransaction, TransactionRecord } from '@chargewatch/model';
import { activityMember, parseRecord, type GlobalTxKeys, type StationTxKeys } from './transaction-records';

/**
 * Marks an open transaction active (never moving its activity back) and returns its open and ended
 * records. Atomic, so a stale sweep that has not closed it yet sees the activity and backs off, and one
 * that has closed it already left the ended record this returns.
 */
const ENDING_SCRIPT = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  local prev = tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
  if prev == nil or prev < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
end
return { redis.call('HGET', KEYS[2], ARGV[1]), redis.call('GET', KEYS[3]) }
`;

/** Marks the still-open ones among ARGV[2..] active at ARGV[1] and returns them: atomic against a sweep's close. */
const TOUCH_OPEN_SCRIPT = `
local out = {}
for i = 2, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[1])
    table.insert(out, ARGV[i])
  end
end
return out
`;

export interface TransactionOwnership {
  /** Collector holding (or last holding) the station's websocket. */
  owner?: string;
  transactionIds: string[];
}

export class TransactionQueries {
  constructor(
    private readonly redis: Redis,
    private readonly keysOf: (stationId: string) => StationTxKeys,
    private readonly global: GlobalTxKeys,
  ) {}

  /** Open, or ended within ENDED_TX_TTL_SEC (then `ended` is set). */
  async find(stationId: string, transactionId: string): Promise<TransactionRecord | undefined> {
    const keys = this.keysOf(stationId);
    const [open, ended] = await Promise.all([this.redis.hget(keys.transactions, transactionId), this.redis.get(keys.ended(transactionId))]);
    return parseRecord(open) ?? parseRecord(ended);
  }

  /** For a message that ends the transaction: see ENDING_SCRIPT. */
  async ending(stationId: string, transactionId: string, at: number): Promise<TransactionRecord | undefined> {
    const keys = this.keysOf(stationId);
    const [open, ended] = (await this.redis.eval(ENDING_SCRIPT, 3, keys.activity, keys.transactions, keys.ended(transactionId), transactionId, String(at))) as [
      string | null,
      string | null,
    ];
    return parseRecord(open) ?? parseRecord(ended);
  }

  /**
   * Open transactions on `ref` that the station lost in a reboot: their last activity is older than its
   * last BootNotification. Called when the connector reports Available after that boot; marks them
   * active at `at` so a concurrent stale sweep does not close them a second time.
   */
  async lostByReboot(stationId: string, ref: ConnectorRef, at: number): Promise<LostTransaction[]> {
    const keys = this.keysOf(stationId);
    const [bootRaw, open] = await Promise.all([this.redis.hget(keys.station, 'lastBoot'), this.redis.hgetall(keys.transactions)]);
    const lastBoot = Number(bootRaw);
    if (!bootRaw || !Number.isFinite(lastBoot)) return [];
    const here = Object.values(open)
      .map((raw) => parseRecord(raw))
      .filter((t): t is TransactionRecord => t !== undefined && t.evseId === ref.evseId && t.connectorId === ref.connectorId);
    if (here.length === 0) return [];
    const activity = await this.redis.hmget(keys.activity, ...here.map((t) => t.transactionId));
    const lost: LostTransaction[] = [];
    here.forEach((t, i) => {
      const lastActivity = Number(activity[i] ?? t.startedAt);
      if (Number.isFinite(lastActivity) && lastActivity < lastBoot) lost.push({ ...t, lastActivity });
    });
    if (lost.length === 0) return [];
    // A sweep may have closed one meanwhile: only what is still open is lost here (and closed once).
    const stillOpen = new Set((await this.redis.eval(TOUCH_OPEN_SCRIPT, 2, keys.transactions, keys.activity, String(at), ...lost.map((t) => t.transactionId))) as string[]);
    return lost.filter((t) => stillOpen.has(t.transactionId));
  }

  /** Owner and open transaction ids of each station, in one pipeline (the Prometheus sink's reconciliation). */
  async ownership(stationIds: readonly string[]): Promise<Map<string, TransactionOwnership>> {
    const out = new Map<string, TransactionOwnership>();
    if (stationIds.length === 0) return out;
    const p = this.redis.pipeline();
    for (const id of stationIds) {
      const keys = this.keysOf(id);
      p.hget(keys.station, 'collectorId');
      p.hkeys(keys.transactions);
    }
    const res = (await p.exec()) ?? [];
    stationIds.forEach((id, i) => {
      const [ownerErr, owner] = res[i * 2] ?? [];
      const [txErr, txIds] = res[i * 2 + 1] ?? [];
      if (ownerErr || txErr) throw ownerErr ?? txErr;
      out.set(id, { owner: (owner as string | null) ?? undefined, transactionIds: (txIds as string[] | undefined) ?? [] });
    });
    return out;
  }

  /** Puts open transactions that have no activity yet (opened before activity was recorded) into the index. */
  async backfillActivity(stationIds: readonly string[]): Promise<number> {
    let added = 0;
    for (const id of stationIds) {
      const keys = this.keysOf(id);
      const [open, activity] = await Promise.all([this.redis.hgetall(keys.transactions), this.redis.hkeys(keys.activity)]);
      const known = new Set(activity);
      for (const [txId, raw] of Object.entries(open)) {
        if (known.has(txId)) continue;
        const since = parseRecord(raw)?.startedAt ?? 0;
        if ((await this.redis.hsetnx(keys.activity, txId, String(since))) === 1) {
          await this.redis.zadd(this.global.activityIndex, 'NX', since, activityMember(id, txId));
          added++;
        }
      }
    }
    return added;
  }
}
