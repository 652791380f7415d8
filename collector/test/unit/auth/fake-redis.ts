/** An in-memory stand-in for the few ioredis calls StationSecurity makes, shared by the auth unit tests. */

export function fakeRedis() {
  const hashes = new Map<string, Record<string, string>>();
  const sets = new Map<string, Set<string>>();
  const calls = { hgetall: 0 };
  const redis = {
    calls,
    hashes,
    sets,
    async hgetall(k: string) {
      calls.hgetall++;
      return { ...(hashes.get(k) ?? {}) };
    },
    async sismember(k: string, m: string) {
      return sets.get(k)?.has(m) ? 1 : 0;
    },
    async exists(k: string) {
      return hashes.has(k) ? 1 : 0;
    },
    async del(k: string) {
      return hashes.delete(k) ? 1 : 0;
    },
    multi() {
      const ops: Array<() => void> = [];
      const m = {
        hset(k: string, f: Record<string, string>) {
          ops.push(() => hashes.set(k, { ...(hashes.get(k) ?? {}), ...f }));
          return m;
        },
        hdel(k: string, f: string) {
          ops.push(() => delete hashes.get(k)?.[f]);
          return m;
        },
        async exec() {
          ops.forEach((o) => o());
          return [];
        },
      };
      return m;
    },
  };
  return redis;
}
