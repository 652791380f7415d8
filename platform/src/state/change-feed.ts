/**
 * The stations whose state changed, and when: a sorted set (`stations:changed`, station id → epoch ms
 * of its last state write). The API keeps an in-memory index of the fleet (collector/src/api/fleet-index.ts)
 * and re-reads only the stations named here since its last look, instead of scanning the registry on
 * every request — at 100,000 stations a scan blocked the collector's event loop for seconds.
 *
 * A global key, not in a station's cluster slot: written beside the station's MULTI, like the
 * transaction activity index. A reader that re-reads a station it already has loses nothing; one that
 * fell behind the trim horizon reloads everything.
 */
import type { Redis } from 'ioredis';

export class StationChangeFeed {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
  ) {}

  async mark(stationIds: string[], at = Date.now()): Promise<void> {
    if (stationIds.length === 0) return;
    await this.redis.zadd(this.key, ...stationIds.flatMap((id) => [String(at), id]));
  }

  /** Entries at or after `since` (epoch ms), oldest first, at most `limit`. */
  async since(since: number, limit: number): Promise<Array<{ id: string; at: number }>> {
    const raw = await this.redis.zrangebyscore(this.key, since, '+inf', 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i]!, at: Number(raw[i + 1]) });
    return out;
  }

  /** Like since(), from the `offset`-th entry on: paging through one look at the feed. */
  async sinceOffset(since: number, offset: number, limit: number): Promise<Array<{ id: string; at: number }>> {
    const raw = await this.redis.zrangebyscore(this.key, since, '+inf', 'WITHSCORES', 'LIMIT', offset, limit);
    const out: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ id: raw[i]!, at: Number(raw[i + 1]) });
    return out;
  }

  /** Drops entries older than `before`. */
  async trim(before: number): Promise<void> {
    await this.redis.zremrangebyscore(this.key, '-inf', `(${before}`);
  }
}
