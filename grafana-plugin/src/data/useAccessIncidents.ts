import { accessApi } from '../api/access';
import type { IncidentQuery } from '../api/accessTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** One page of the incident feed, most recently seen first, with the collector's filters. */
export function useIncidentList(query: IncidentQuery, live: LiveOptions) {
  return usePolling(() => accessApi.incidents(query), JSON.stringify(query), live);
}

/** Acknowledge (someone is on it) and resolve; the feed is read again after each. */
export function useIncidentActions(onDone: () => void) {
  const acknowledge = useFirmwareAction((id: string) => accessApi.acknowledgeIncident(id), onDone);
  const resolve = useFirmwareAction(
    (id: string, resolution?: string) => accessApi.resolveIncident(id, resolution),
    onDone
  );
  return { acknowledge, resolve };
}
