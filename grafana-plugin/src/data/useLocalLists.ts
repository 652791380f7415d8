import { accessApi } from '../api/access';
import type { LocalListState } from '../api/accessTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** One page of the stations' local-list states, with the collector's state filter. */
export function useLocalLists(query: { state?: LocalListState; limit: number; offset: number }, live: LiveOptions) {
  return usePolling(() => accessApi.localLists(query), JSON.stringify(query), live);
}

/** One station's list, looked up by id (a station never synced has one too). */
export function useStationLocalList(stationId: string | undefined, live: LiveOptions) {
  return usePolling(
    () => (stationId ? accessApi.localList(stationId) : Promise.resolve(undefined)),
    `local-list:${stationId ?? ''}`,
    { ...live, resetOnKeyChange: true }
  );
}

/** The Editor's resync; both reads refresh after it. */
export function useLocalListSync(onDone: () => void) {
  return useFirmwareAction((stationId: string, full: boolean) => accessApi.syncLocalList(stationId, full), onDone);
}
