/**
 * Redis commands by name over a window (INFO commandstats), for "what does one call cost Redis":
 * the figure that decides how many collector processes one Redis carries.
 */
import Redis from 'ioredis';

export type CommandCounts = Map<string, number>;

/** Calls per command from the text of INFO commandstats. */
export function parseCommandStats(info: string): CommandCounts {
  const counts: CommandCounts = new Map();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(m[1]!, Number(m[2]));
  return counts;
}

export class RedisCommandCounter {
  private readonly redis: Redis;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  }

  /** Calls per command so far (this reader's own INFO calls included, one per read). */
  async read(): Promise<CommandCounts> {
    return parseCommandStats(await this.redis.info('commandstats'));
  }

  /** "0.52 (xadd 0.50, evalsha 0.02)": commands per call in the window, the busiest first, INFO left out. */
  static perCall(before: CommandCounts, after: CommandCounts, calls: number): string {
    const rows: Array<[string, number]> = [];
    for (const [name, n] of after) {
      if (name === 'info') continue;
      const d = n - (before.get(name) ?? 0);
      if (d > 0) rows.push([name, d / calls]);
    }
    rows.sort((a, b) => b[1] - a[1]);
    const total = rows.reduce((a, [, x]) => a + x, 0);
    return `${total.toFixed(2)}${rows.length ? ` (${rows.slice(0, 6).map(([name, x]) => `${name} ${x.toFixed(2)}`).join(', ')})` : ''}`;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
