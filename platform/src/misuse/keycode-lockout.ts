/**
 * The response to PIN guessing: for a while after the misuse consumer found one, every KeyCode token
 * at that station is refused. The consumer writes the lockout (a key per station that expires at the
 * end of it); the collector's decision path asks `isKeyCodeLockedOut` before a KeyCode is authorized.
 */
import { RedisKeys } from '@chargewatch/model';
import type { Redis } from 'ioredis';

/** Only ever lengthens a lockout; PXAT: a replay sets the same end. */
const LOCK_SCRIPT = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur and cur >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[1])
return 1
`;

/** Locks KeyCodes at the station until `untilMs` (epoch ms); a lockout already running longer is kept. */
export async function lockOutKeyCodes(redis: Redis, prefix: string, stationId: string, untilMs: number, now = Date.now()): Promise<boolean> {
  if (untilMs <= now) return false;
  return Number(await redis.eval(LOCK_SCRIPT, 1, new RedisKeys(prefix).keyCodeLockout(stationId), String(Math.floor(untilMs)))) === 1;
}

/** true while KeyCodes are locked out at the station. */
export async function isKeyCodeLockedOut(redis: Redis, prefix: string, stationId: string): Promise<boolean> {
  return (await redis.exists(new RedisKeys(prefix).keyCodeLockout(stationId))) === 1;
}

/** When the station's KeyCode lockout ends (epoch ms), if one is running. */
export async function keyCodeLockoutUntil(redis: Redis, prefix: string, stationId: string): Promise<number | undefined> {
  const v = await redis.get(new RedisKeys(prefix).keyCodeLockout(stationId));
  return v === null ? undefined : Number(v);
}
