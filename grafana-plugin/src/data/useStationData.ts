import { ApiError, chargewatchApi } from '../api/client';
import { usePolling, useRefreshBoth } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** One station and its history over the last `hours`, kept fresh. */
export function useStationData(id: string, hours: number, live: LiveOptions) {
  const station = usePolling(() => chargewatchApi.station(id), id, { ...live, resetOnKeyChange: true });
  const history = usePolling(() => chargewatchApi.stationHistory(id, hours), `${id}|${hours}`, {
    ...live,
    resetOnKeyChange: true,
  });
  const refresh = useRefreshBoth(station, history);

  const notFound = station.error instanceof ApiError && station.error.notFound;
  // the station exists but the history route answers 404: an older collector without history
  const historyMissing = Boolean(station.data) && history.error instanceof ApiError && history.error.notFound;
  return { station, history, refresh, notFound, historyMissing };
}
