import { Registry } from 'prom-client';
import type { FirmwareCatalogue, FirmwareUpdates } from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import { FIRMWARE_RESULTS, FirmwareMetrics, OPEN_STAGES } from '../../src/firmware/firmware-metrics';

/** A registry of stations as Redis would answer the inventory's reads. */
function fakeRedis(stations: Record<string, [string, string, string]>): Redis {
  return {
    smembers: async () => Object.keys(stations),
    pipeline: () => {
      const ids: string[] = [];
      const p = {
        hmget: (key: string) => {
          ids.push(key.replace(/^cw:st:\{(.*)\}$/, '$1'));
          return p;
        },
        exec: async () => ids.map((id) => [null, [...(stations[id] ?? [null, null, null]), '1']]),
      };
      return p;
    },
  } as unknown as Redis;
}

describe('firmware metrics', () => {
  it('counts stations per vendor/model and target, folds pairs past the budget into other, counts results by delta', async () => {
    const registry = new Registry();
    const m = new FirmwareMetrics(registry, 2);
    const redis = fakeRedis({ A: ['V1', 'M1', '2.0'], B: ['V1', 'M1', '1.0'], C: ['V2', 'M2', '1.0'], D: ['V3', 'M3', '1.0'], E: ['V4', 'M4', '1.0'] });
    const catalogue = { listTargets: async () => [{ vendor: 'V1', model: 'M1', releaseId: '1', version: '2.0', versionMatch: { mode: 'exact' }, setAt: new Date(), setBy: 'x' }] } as unknown as FirmwareCatalogue;
    let results = [{ result: 'verified', count: 3 }, { result: 'DownloadFailed', count: 1 }];
    const updates = { countByResult: async () => results, countOpenByState: async () => [{ state: 'downloading', count: 2 }] } as unknown as FirmwareUpdates;
    await m.refresh({ redis, prefix: 'cw:', catalogue, updates });
    results = [{ result: 'verified', count: 5 }, { result: 'DownloadFailed', count: 1 }];
    await m.refresh({ redis, prefix: 'cw:', catalogue, updates });
    const text = await registry.metrics();
    expect(text).toContain('chargewatch_firmware_stations{vendor="V1",model="M1",target="on"} 1');
    expect(text).toContain('chargewatch_firmware_stations{vendor="V1",model="M1",target="off"} 1');
    expect(text).toContain('chargewatch_firmware_stations{vendor="V2",model="M2",target="none"} 1');
    expect(text).toContain('chargewatch_firmware_stations{vendor="other",model="other",target="none"} 2');
    expect(text).toContain('chargewatch_firmware_updates_total{result="verified"} 5');
    expect(text).toContain('chargewatch_firmware_updates_total{result="DownloadFailed"} 1');
    expect(text).toContain('chargewatch_firmware_updates_open{stage="downloading"} 2');
    expect(text).toContain('chargewatch_firmware_updates_open{stage="installed"} 0');
    // Fixed label sets: no station or version ever becomes a label.
    expect(text).not.toMatch(/station_id|version=/);
    expect(FIRMWARE_RESULTS).toHaveLength(13);
    expect(OPEN_STAGES).toHaveLength(6);
  });
});
