/**
 * The Firmware page's view in the query string: the tab, the drift list's page and vendor/model, the
 * campaign list's status filter, and whether the create-campaign form is open. Defaults are left out
 * of the URL, so a plain /firmware is the overview.
 */
import type { CampaignStatus } from '../../api/firmwareTypes';

export const TABS = ['overview', 'catalogue', 'campaigns'] as const;
export type FirmwareTab = (typeof TABS)[number];
export const CAMPAIGN_STATUSES: CampaignStatus[] = ['running', 'paused', 'completed', 'cancelled'];
export const DRIFT_PAGE_SIZE = 25;

export interface FirmwareView {
  tab: FirmwareTab;
  /** 0-based page of the drift list */
  driftPage: number;
  /** `vendor/model` the drift list is narrowed to */
  driftModel?: string;
  status?: CampaignStatus;
  /** the create-campaign form is open (campaigns tab) */
  create: boolean;
  /** the release the create form starts with (from the catalogue's "Start campaign") */
  releaseId?: string;
}

export const DEFAULT_VIEW: FirmwareView = { tab: 'overview', driftPage: 0, create: false };

function nonNegativeInt(text: string | null): number {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? n : 0;
}

export function parseFirmwareView(params: URLSearchParams): FirmwareView {
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as FirmwareTab)
    : 'overview';
  const status = params.get('status') as CampaignStatus | null;
  const model = params.get('model');
  const releaseId = params.get('release');
  return {
    tab,
    driftPage: nonNegativeInt(params.get('driftPage')),
    ...(model && model.includes('/') ? { driftModel: model } : {}),
    ...(status && CAMPAIGN_STATUSES.includes(status) ? { status } : {}),
    create: tab === 'campaigns' && params.get('create') === '1',
    ...(releaseId && /^[1-9]\d{0,17}$/.test(releaseId) ? { releaseId } : {}),
  };
}

/** The query string of `view`, keeping parameters of others (e.g. Grafana's own) from `prev`. */
export function firmwareViewParams(view: FirmwareView, prev = new URLSearchParams()): URLSearchParams {
  const next = new URLSearchParams(prev);
  const set = (key: string, value: string | undefined) => (value ? next.set(key, value) : next.delete(key));
  set('tab', view.tab === 'overview' ? undefined : view.tab);
  set('driftPage', view.driftPage ? String(view.driftPage) : undefined);
  set('model', view.driftModel);
  set('status', view.status);
  set('create', view.create ? '1' : undefined);
  set('release', view.create ? view.releaseId : undefined);
  return next;
}

/** `vendor/model` → the drift query's filter. */
export function splitModel(key: string | undefined): { vendor?: string; model?: string } {
  if (!key) {
    return {};
  }
  const i = key.indexOf('/');
  return { vendor: key.slice(0, i), model: key.slice(i + 1) };
}
