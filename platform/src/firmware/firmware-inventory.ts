/**
 * The fleet's firmware: what every registered station last booted with (the Redis registry's vendor,
 * model and firmwareVersion), grouped per vendor/model/version, and whether each runs its vendor/model's
 * target release (`on`), another version (`off`), or has no target (`none`). Stations that never booted
 * have no vendor/model and are only counted. The registry is read in pipelined chunks, one field set
 * per station, so a fleet of tens of thousands costs a few round trips.
 */
import type { Redis } from 'ioredis';
import { RedisKeys, firmwareVersionMatches } from '@chargewatch/model';
import type { FirmwareTarget } from './firmware-catalogue';

export type TargetState = 'on' | 'off' | 'none';

export interface StationFirmware {
  stationId: string;
  vendor: string;
  model: string;
  /** Absent when the boot reported none. */
  version?: string;
  online: boolean;
  target: TargetState;
  /** The target release's id and version, when the vendor/model has one. */
  targetReleaseId?: string;
  targetVersion?: string;
}

export interface InventoryGroup {
  vendor: string;
  model: string;
  /** `null` for stations whose boot reported no version. */
  version: string | null;
  target: TargetState;
  stations: number;
}

export interface FirmwareInventory {
  groups: InventoryGroup[];
  /** Stations per target state, and registered stations that never booted. */
  totals: { on: number; off: number; none: number; unbooted: number };
}

const CHUNK = 500;

/** One booted station against the targets (undefined when it has not booted). */
export function stationFirmwareOf(
  s: { id: string; vendor?: string | null; model?: string | null; firmwareVersion?: string | null; online: boolean },
  targets: FirmwareTarget[],
): StationFirmware | undefined {
  if (!s.vendor || !s.model) return undefined;
  const t = targets.find((x) => x.vendor === s.vendor && x.model === s.model);
  const version = s.firmwareVersion || undefined;
  const out: StationFirmware = { stationId: s.id, vendor: s.vendor, model: s.model, online: s.online, target: !t ? 'none' : firmwareVersionMatches(version, t.version, t.versionMatch) ? 'on' : 'off' };
  if (version) out.version = version;
  if (t) {
    out.targetReleaseId = t.releaseId;
    out.targetVersion = t.version;
  }
  return out;
}

/** Every booted station's firmware against the targets. */
export async function readStationFirmware(redis: Redis, prefix: string, targets: FirmwareTarget[]): Promise<{ stations: StationFirmware[]; unbooted: number }> {
  const keys = new RedisKeys(prefix);
  const ids = (await redis.smembers(keys.stations())).sort();
  const stations: StationFirmware[] = [];
  let unbooted = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const p = redis.pipeline();
    for (const id of chunk) p.hmget(keys.station(id), 'vendor', 'model', 'firmwareVersion', 'online');
    const res = (await p.exec()) ?? [];
    chunk.forEach((stationId, j) => {
      const [vendor, model, version, online] = (res[j]?.[1] ?? []) as Array<string | null>;
      const s = stationFirmwareOf({ id: stationId, vendor, model, firmwareVersion: version, online: online === '1' }, targets);
      if (s) stations.push(s);
      else unbooted++;
    });
  }
  return { stations, unbooted };
}

/** Counts per vendor/model/version (sorted), and the totals. */
export function summarizeInventory(stations: StationFirmware[], unbooted: number): FirmwareInventory {
  const groups = new Map<string, InventoryGroup>();
  const totals = { on: 0, off: 0, none: 0, unbooted };
  for (const s of stations) {
    totals[s.target]++;
    const key = `${s.vendor}\u0000${s.model}\u0000${s.version ?? ''}`;
    const g = groups.get(key) ?? { vendor: s.vendor, model: s.model, version: s.version ?? null, target: s.target, stations: 0 };
    g.stations++;
    groups.set(key, g);
  }
  const list = [...groups.values()].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model) || String(a.version).localeCompare(String(b.version)));
  return { groups: list, totals };
}

/** Stations off their target, by vendor, model, station id; paged. */
export function driftPage(stations: StationFirmware[], q: { vendor?: string; model?: string; limit?: number; offset?: number }): { total: number; items: StationFirmware[] } {
  const off = stations.filter((s) => s.target === 'off' && (q.vendor === undefined || s.vendor === q.vendor) && (q.model === undefined || s.model === q.model));
  off.sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model) || a.stationId.localeCompare(b.stationId));
  const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
  const offset = Math.max(0, q.offset ?? 0);
  return { total: off.length, items: off.slice(offset, offset + limit) };
}
