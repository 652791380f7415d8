import { firmwareApi } from '../api/firmware';
import type { CampaignAction, CampaignListQuery, CampaignPreviewRequest, NewCampaign } from '../api/firmwareTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling, useRefreshBoth } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** The campaign list, newest first. */
export function useCampaignList(query: CampaignListQuery, live: LiveOptions) {
  return usePolling(() => firmwareApi.campaigns(query), JSON.stringify(query), live);
}

/** The create form's two calls: the dry run, then the campaign itself. */
export function useCampaignDraft(onCreated?: (id: string) => void) {
  const preview = useFirmwareAction((body: CampaignPreviewRequest) => firmwareApi.previewCampaign(body));
  const create = useFirmwareAction(
    (body: NewCampaign) => firmwareApi.createCampaign(body),
    (c) => onCreated?.(c.id)
  );
  return { preview, create };
}

/**
 * One campaign, live: its detail (waves, tallies, gates, events) and its per-station report, both
 * polled with the page; its release, read once; and the Editor's pause / resume / cancel, after which both are read again.
 */
export function useCampaign(id: string, live: LiveOptions) {
  const detail = usePolling(() => firmwareApi.campaign(id), id, { ...live, resetOnKeyChange: true });
  const report = usePolling(() => firmwareApi.campaignReport(id), id, { ...live, resetOnKeyChange: true });
  const releaseId = detail.data?.campaign.releaseId ?? '';
  // the release does not change: read once per campaign
  const release = usePolling(
    () => (releaseId ? firmwareApi.release(releaseId) : Promise.resolve(undefined)),
    releaseId
  );
  const refresh = useRefreshBoth(detail, report);
  const steer = useFirmwareAction((action: CampaignAction) => firmwareApi.steerCampaign(id, action), refresh);
  return { detail, report, release: release.data, refresh, steer, lastUpdated: detail.lastUpdated };
}
