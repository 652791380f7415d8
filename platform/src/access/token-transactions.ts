/**
 * Open transactions per registry token, for ConcurrentTx, shared by every collector through Redis.
 * Each accepted start adds `[stationId, transactionId]` to the token's sorted set (score: decision
 * time). The station state (st:{s}:tx) stays the truth: a member counts while its transaction is open,
 * or for a short grace after the decision (the state is written right after the answer is decided);
 * members whose transaction ended, or that never opened, are removed as they are found — so closes by
 * policy, reboots and crashes need no bookkeeping here.
 *
 * Two starts of one token at the same moment: each adds itself first and counts only members older
 * than itself (ties by member), so the earlier one wins and the later sees it — never both accepted.
 */
import type { Redis } from 'ioredis';
import { RedisKeys } from '@chargewatch/model';
import { activityMember, parseActivityMember, type StationTxKeys } from '../state/transaction-records';

const KEY_TTL_SEC = 30 * 24 * 3600;

export interface TokenTransactionsOptions {
  /** How long a start counts before the station state holds its transaction (default 60 s). */
  pendingGraceMs?: number;
}

export class TokenTransactions {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /** The station state's transaction keys (StationStore.txKeys): where "open" and "ended" are read. */
    private readonly keysOf: (stationId: string) => Pick<StationTxKeys, 'transactions' | 'ended'>,
    private readonly o: TokenTransactionsOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
  }

  /**
   * Claims a place for the start of `transactionId` and returns how many other open transactions of
   * the token come before it. Call `release` when the start is then refused.
   */
  async claim(tokenId: string, stationId: string, transactionId: string, now: number): Promise<number> {
    const key = this.keys.tokenTransactions(tokenId);
    const mine = activityMember(stationId, transactionId);
    const [, , ranged] = (await this.redis.multi().zadd(key, now, mine).expire(key, KEY_TTL_SEC).zrange(key, 0, -1, 'WITHSCORES').exec()) ?? [];
    const flat = (ranged?.[1] as string[] | undefined) ?? [];
    const others: Array<{ member: string; score: number; stationId: string; transactionId: string }> = [];
    for (let i = 0; i < flat.length; i += 2) {
      const member = flat[i]!;
      const score = Number(flat[i + 1]);
      const parsed = parseActivityMember(member);
      if (member === mine || !parsed) continue;
      if (score < now || (score === now && member < mine)) others.push({ member, score, ...parsed });
    }
    if (!others.length) return 0;
    const p = this.redis.pipeline();
    for (const m of others) {
      const keys = this.keysOf(m.stationId);
      p.hexists(keys.transactions, m.transactionId);
      p.exists(keys.ended(m.transactionId));
    }
    const res = (await p.exec()) ?? [];
    const grace = this.o.pendingGraceMs ?? 60_000;
    let count = 0;
    const gone: string[] = [];
    others.forEach((m, i) => {
      const open = res[i * 2]?.[1] === 1;
      const ended = res[i * 2 + 1]?.[1] === 1;
      if (open) count++;
      else if (!ended && m.score > now - grace) count++;
      else gone.push(m.member);
    });
    if (gone.length) await this.redis.zrem(key, ...gone);
    return count;
  }

  async release(tokenId: string, stationId: string, transactionId: string): Promise<void> {
    await this.redis.zrem(this.keys.tokenTransactions(tokenId), activityMember(stationId, transactionId));
  }
}
