/**
 * Removes registry entries of stations that connected but never booted. A websocket connection alone
 * registers a station, so identities that connect once (scans, typos, misconfigured test benches,
 * attackers) would otherwise stay in Redis, in the API's lists and in Prometheus for ever.
 *
 * Only entries nobody has cared about go: no BootNotification (no `lastBoot`), no registration decision
 * (set at a boot or by an operator), no metadata, no security record, no open transaction, no queued
 * or historic command, not online, and last seen before the cutoff. Each removal is one script that
 * checks all of that again on the station's keys, so a station that boots or is edited at that moment
 * stays. The script also touches the global registry set: like the command scripts it needs one Redis
 * (standalone or with replicas), not Redis Cluster.
 */
import type { Redis } from 'ioredis';

export interface PruneKeys {
  station: string;
  connectors: string;
  transactions: string;
  activity: string;
  metadata: string;
  security: string;
  commandQueue: string;
  commandInflight: string;
  commandHistory: string;
}

export interface PruneOptions {
  /** The registry set. */
  stations: string;
  ids: () => Promise<string[]>;
  keysOf: (stationId: string) => PruneKeys;
  /** Epoch ms: stations last seen at or after it stay. */
  seenBefore: number;
}

const PRUNE_SCRIPT = `
for i = 6, 10 do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
if redis.call('HLEN', KEYS[4]) > 0 then return 0 end
local h = redis.call('HMGET', KEYS[2], 'lastBoot', 'registration', 'online', 'lastSeen', 'firstSeen')
if h[1] or h[2] or h[3] == '1' then return 0 end
local seen = tonumber(h[4] or h[5] or '0') or 0
if seen >= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SREM', KEYS[1], ARGV[1])
return 1
`;

const CHUNK = 500;

/** Ids removed from the registry, with all their state. */
export async function pruneUnbootedStations(redis: Redis, o: PruneOptions): Promise<string[]> {
  const ids = await o.ids();
  const pruned: string[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // A cheap first look over the station hashes, so the script runs only for likely candidates.
    const p = redis.pipeline();
    for (const id of chunk) p.hmget(o.keysOf(id).station, 'lastBoot', 'registration', 'online', 'lastSeen', 'firstSeen');
    const rows = (await p.exec()) ?? [];
    const candidates = chunk.filter((_id, j) => {
      const [lastBoot, registration, online, lastSeen, firstSeen] = (rows[j]?.[1] ?? []) as Array<string | null>;
      return !lastBoot && !registration && online !== '1' && Number(lastSeen ?? firstSeen ?? 0) < o.seenBefore;
    });
    for (const id of candidates) {
      const k = o.keysOf(id);
      const keys = [o.stations, k.station, k.connectors, k.transactions, k.activity, k.metadata, k.security, k.commandQueue, k.commandInflight, k.commandHistory];
      if ((await redis.eval(PRUNE_SCRIPT, keys.length, ...keys, id, String(o.seenBefore))) === 1) pruned.push(id);
    }
  }
  return pruned;
}
