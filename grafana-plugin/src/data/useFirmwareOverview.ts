import { useCallback } from 'react';
import { firmwareApi } from '../api/firmware';
import type { FirmwareDriftQuery } from '../api/firmwareTypes';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** The Overview tab: stations per vendor/model/version, the targets, and one page of the drift list. */
export function useFirmwareOverview(drift: FirmwareDriftQuery, live: LiveOptions) {
  const inventory = usePolling(() => firmwareApi.inventory(), 'inventory', live);
  const targets = usePolling(() => firmwareApi.targets(), 'targets', live);
  const driftPage = usePolling(() => firmwareApi.drift(drift), JSON.stringify(drift), live);
  const a = inventory.refresh;
  const b = targets.refresh;
  const c = driftPage.refresh;
  const refresh = useCallback(() => {
    a();
    b();
    c();
  }, [a, b, c]);
  return { inventory, targets, drift: driftPage, refresh, lastUpdated: inventory.lastUpdated };
}
