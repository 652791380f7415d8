/**
 * One Redis connection per test file and a fresh key prefix per test, so tests neither see nor clean up
 * each other's keys. Call at the top of a describe (or file); read `redis` and `prefix` inside tests.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { deleteKeys } from './redis-cleanup';

export function redisPerTest(label: string): { readonly redis: Redis; readonly prefix: string } {
  const ctx = { redis: undefined as unknown as Redis, prefix: '' };
  beforeAll(() => {
    ctx.redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  });
  afterAll(async () => {
    await ctx.redis.quit();
  });
  beforeEach(() => {
    ctx.prefix = `test:${label}:${randomUUID()}:`;
  });
  afterEach(() => deleteKeys(ctx.redis, ctx.prefix));
  return ctx;
}
