/**
 * The collector's firmware API through the plugin proxy: Viewers read the catalogue, the inventory,
 * the drift list and campaigns; Editors add and delete releases, set targets, update one station,
 * preview, create and steer campaigns (plugin.json routes; the collector checks the same roles).
 */
import { proxyPath, request } from './client';
import type {
  CampaignAction,
  CampaignDetail,
  CampaignListQuery,
  CampaignPreview,
  CampaignPreviewRequest,
  CampaignReport,
  FirmwareCampaign,
  FirmwareCampaignList,
  FirmwareDriftPage,
  FirmwareDriftQuery,
  FirmwareInventory,
  FirmwareRelease,
  FirmwareTarget,
  FirmwareReleaseList,
  FirmwareReleaseQuery,
  FirmwareTargetChange,
  FirmwareUpdateView,
  NewCampaign,
  NewFirmwareRelease,
} from './firmwareTypes';

const fw = (...rest: string[]) => ['firmware', ...rest];

export const firmwareApi = {
  // Viewer: reads
  releases(query: FirmwareReleaseQuery = {}): Promise<FirmwareReleaseList> {
    return request('GET', proxyPath('viewer', ...fw('releases')), { ...query });
  },

  release(id: string): Promise<FirmwareRelease> {
    return request('GET', proxyPath('viewer', ...fw('releases', id)));
  },

  targets(): Promise<FirmwareTarget[]> {
    return request('GET', proxyPath('viewer', ...fw('targets')));
  },

  inventory(): Promise<FirmwareInventory> {
    return request('GET', proxyPath('viewer', ...fw('inventory')));
  },

  drift(query: FirmwareDriftQuery = {}): Promise<FirmwareDriftPage> {
    return request('GET', proxyPath('viewer', ...fw('drift')), { ...query });
  },

  update(id: string): Promise<FirmwareUpdateView> {
    return request('GET', proxyPath('viewer', ...fw('updates', id)));
  },

  campaigns(query: CampaignListQuery = {}): Promise<FirmwareCampaignList> {
    return request('GET', proxyPath('viewer', ...fw('campaigns')), { ...query });
  },

  campaign(id: string): Promise<CampaignDetail> {
    return request('GET', proxyPath('viewer', ...fw('campaigns', id)));
  },

  campaignReport(id: string): Promise<CampaignReport> {
    return request('GET', proxyPath('viewer', ...fw('campaigns', id, 'report')));
  },

  // Editor: catalogue
  addRelease(release: NewFirmwareRelease): Promise<FirmwareRelease> {
    return request('POST', proxyPath('editor', ...fw('releases')), undefined, release);
  },

  deleteRelease(id: string): Promise<void> {
    return request('DELETE', proxyPath('editor', ...fw('releases', id)));
  },

  /** Sets the vendor/model's target; `null` clears it. */
  setTarget(vendor: string, model: string, releaseId: string | null): Promise<FirmwareTargetChange> {
    return request('PUT', proxyPath('editor', ...fw('targets', vendor, model)), undefined, { releaseId });
  },

  updateStation(stationId: string, releaseId: string): Promise<FirmwareUpdateView> {
    return request('POST', proxyPath('editor', 'stations', stationId, 'firmware', 'update'), undefined, { releaseId });
  },

  // Editor: campaigns
  previewCampaign(body: CampaignPreviewRequest): Promise<CampaignPreview> {
    return request('POST', proxyPath('editor', ...fw('campaigns', 'preview')), undefined, body);
  },

  createCampaign(body: NewCampaign): Promise<FirmwareCampaign> {
    return request('POST', proxyPath('editor', ...fw('campaigns')), undefined, body);
  },

  steerCampaign(id: string, action: CampaignAction): Promise<FirmwareCampaign> {
    // an empty JSON object: a POST without a body but with Grafana's JSON content type is refused by fastify
    return request('POST', proxyPath('editor', ...fw('campaigns', id, action)), undefined, {});
  },
};

export type FirmwareApi = typeof firmwareApi;
