/**
 * The Overview's figures from `GET /firmware/inventory` and `GET /firmware/targets`: per vendor/model
 * the stations on each version, how many run the target and how many do not.
 */
import type { FirmwareInventoryGroup, FirmwareTarget, TargetState } from '../../api/firmwareTypes';
import { compareVersions } from '@chargewatch/model/firmware-campaign';

/** Shown for stations that reported no version. */
export const NO_VERSION = '(none)';

export interface VersionCount {
  version: string;
  stations: number;
  target: TargetState;
}

export interface ModelInventory {
  /** `vendor/model` */
  key: string;
  vendor: string;
  model: string;
  total: number;
  onTarget: number;
  offTarget: number;
  target?: FirmwareTarget;
  /** newest version first */
  versions: VersionCount[];
}

export const modelKey = (vendor: string, model: string) => `${vendor}/${model}`;

/** Groups inventory rows by vendor/model (sorted by vendor, then model). */
export function groupInventory(rows: FirmwareInventoryGroup[], targets: FirmwareTarget[] = []): ModelInventory[] {
  const byKey = new Map<string, ModelInventory>();
  for (const row of rows) {
    const key = modelKey(row.vendor, row.model);
    let m = byKey.get(key);
    if (!m) {
      const target = targets.find((t) => t.vendor === row.vendor && t.model === row.model);
      m = { key, vendor: row.vendor, model: row.model, total: 0, onTarget: 0, offTarget: 0, target, versions: [] };
      byKey.set(key, m);
    }
    m.total += row.stations;
    if (row.target === 'on') {
      m.onTarget += row.stations;
    } else if (row.target === 'off') {
      m.offTarget += row.stations;
    }
    const version = row.version ?? NO_VERSION;
    const same = m.versions.find((v) => v.version === version);
    if (same) {
      same.stations += row.stations;
    } else {
      m.versions.push({ version, stations: row.stations, target: row.target });
    }
  }
  const models = [...byKey.values()].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model));
  for (const m of models) {
    m.versions.sort((a, b) =>
      a.version === NO_VERSION ? 1 : b.version === NO_VERSION ? -1 : compareVersions(b.version, a.version)
    );
  }
  return models;
}
