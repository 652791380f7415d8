import { chargewatchApi } from '../api/client';
import type { FleetFilters, StationListQuery } from '../api/types';
import { usePolling, useRefreshBoth } from './usePolling';

export interface LiveOptions {
  intervalMs: number;
  paused: boolean;
}

/** The fleet summary (KPIs) and one page of the station list, both kept fresh. */
export function useFleetData(summaryFilters: FleetFilters, stationQuery: StationListQuery, live: LiveOptions) {
  const summary = usePolling(() => chargewatchApi.fleetSummary(summaryFilters), JSON.stringify(summaryFilters), live);
  const stations = usePolling(() => chargewatchApi.listStations(stationQuery), JSON.stringify(stationQuery), live);
  const refresh = useRefreshBoth(summary, stations);
  return { summary, stations, refresh, lastUpdated: stations.lastUpdated ?? summary.lastUpdated };
}
