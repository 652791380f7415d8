import { firmwareApi } from '../api/firmware';
import type { NewFirmwareRelease } from '../api/firmwareTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling, useRefreshBoth } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** Releases shown in the catalogue (newest first, as the collector lists them). */
export const RELEASE_LIMIT = 200;

/** The catalogue tab: releases and targets, and the Editor's two writes (add a release, set a target). */
export function useFirmwareCatalogue(live: LiveOptions) {
  const releases = usePolling(() => firmwareApi.releases({ limit: RELEASE_LIMIT }), 'releases', live);
  const targets = usePolling(() => firmwareApi.targets(), 'targets', live);
  const refresh = useRefreshBoth(releases, targets);
  const addRelease = useFirmwareAction((release: NewFirmwareRelease) => firmwareApi.addRelease(release), refresh);
  const setTarget = useFirmwareAction(
    (vendor: string, model: string, releaseId: string) => firmwareApi.setTarget(vendor, model, releaseId),
    refresh
  );
  return { releases, targets, refresh, addRelease, setTarget, lastUpdated: releases.lastUpdated };
}
