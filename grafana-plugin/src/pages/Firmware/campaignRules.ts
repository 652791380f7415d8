/**
 * The create-campaign form: fields as typed, the collector's limits (collector/src/api/campaign-schemas.ts
 * and model/src/firmware-campaign.ts's isValidWindow) checked before anything is sent, and the
 * request body built from a valid form. The preview and the campaign are sent the same body, so what
 * was previewed is what starts.
 */
import { isValidWindow } from '@chargewatch/model/firmware-campaign';
import type { CampaignCohort, CampaignSize, MaintenanceWindow, NewCampaign } from '../../api/firmwareTypes';

export const CAMPAIGN_LIMITS = {
  name: 200,
  id: 128,
  lists: { sites: 500, versions: 500, tags: 100, stations: 100_000, exclude: 100_000 },
  count: 1_000_000,
  withinSec: { min: 60, max: 30 * 24 * 3600 },
  maxPerSite: 10_000,
  windows: 14,
} as const;

export type SizeMode = 'count' | 'percent';
type ListField = keyof typeof CAMPAIGN_LIMITS.lists;

export interface CampaignFormState {
  name: string;
  releaseId: string;
  /** comma- or newline-separated lists */
  sites: string;
  versions: string;
  tags: string;
  stations: string;
  exclude: string;
  canaryMode: SizeMode;
  canary: string;
  wavesMode: SizeMode;
  waves: string;
  minVerifiedPercent: string;
  withinMin: string;
  maxFailedPercent: string;
  maxPerSite: string;
  /** `HH:MM-HH:MM`, optionally after weekdays (`Mon,Tue 01:00-05:00`); several separated by `;` */
  windows: string;
}

export const DEFAULT_CAMPAIGN: CampaignFormState = {
  name: '',
  releaseId: '',
  sites: '',
  versions: '',
  tags: '',
  stations: '',
  exclude: '',
  canaryMode: 'count',
  canary: '1',
  wavesMode: 'percent',
  waves: '50',
  minVerifiedPercent: '90',
  withinMin: '60',
  maxFailedPercent: '10',
  maxPerSite: '2',
  windows: '',
};

export type CampaignErrors = Partial<Record<keyof CampaignFormState, string>>;

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The distinct entries of a comma/newline list. */
export function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean)
    ),
  ];
}

/** `Mon,Wed 01:00-05:00; 22:00-02:00` → windows, or the first entry that is not one. */
export function parseWindows(text: string): { windows: MaintenanceWindow[] } | { error: string } {
  const windows: MaintenanceWindow[] = [];
  for (const part of text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(?:([A-Za-z,\s]+)\s+)?(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/.exec(part);
    if (!m) {
      return { error: `"${part}": write HH:MM-HH:MM, optionally after days (Mon,Tue)` };
    }
    const days = m[1]
      ? splitList(m[1].replace(/\s+/g, ',')).map((d) => DAYS.indexOf(d.slice(0, 3).toLowerCase()))
      : undefined;
    const w: MaintenanceWindow = { ...(days ? { days: [...new Set(days)] } : {}), start: m[2], end: m[3] };
    if ((days ?? []).includes(-1) || !isValidWindow(w)) {
      return { error: `"${part}": hours 00:00–23:59, days Sun–Sat, start and end must differ` };
    }
    windows.push(w);
  }
  return { windows };
}

function intIn(text: string, min: number, max: number): number | undefined {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function size(mode: SizeMode, text: string): CampaignSize | undefined {
  const n = mode === 'count' ? intIn(text, 1, CAMPAIGN_LIMITS.count) : intIn(text, 1, 100);
  return n === undefined ? undefined : mode === 'count' ? { count: n } : { percent: n };
}

/** The form's problems by field; empty when it can be previewed. `forCreate` also needs a name. */
export function validateCampaign(f: CampaignFormState, forCreate = true): CampaignErrors {
  const e: CampaignErrors = {};
  if (forCreate && !f.name.trim()) {
    e.name = 'Required';
  } else if (f.name.trim().length > CAMPAIGN_LIMITS.name) {
    e.name = `At most ${CAMPAIGN_LIMITS.name} characters`;
  }
  if (!/^[1-9]\d{0,17}$/.test(f.releaseId)) {
    e.releaseId = 'Pick the release to install';
  }
  for (const [field, max] of Object.entries(CAMPAIGN_LIMITS.lists) as Array<[ListField, number]>) {
    const items = splitList(f[field]);
    if (items.length > max) {
      e[field] = `At most ${max} entries`;
    } else if (items.some((s) => s.length > CAMPAIGN_LIMITS.id)) {
      e[field] = `Each entry at most ${CAMPAIGN_LIMITS.id} characters`;
    }
  }
  if (!size(f.canaryMode, f.canary)) {
    e.canary = f.canaryMode === 'count' ? 'A whole number of stations, at least 1' : 'A whole percentage, 1 to 100';
  }
  if (!size(f.wavesMode, f.waves)) {
    e.waves = f.wavesMode === 'count' ? 'A whole number of stations, at least 1' : 'A whole percentage, 1 to 100';
  }
  if (intIn(f.minVerifiedPercent, 0, 100) === undefined) {
    e.minVerifiedPercent = '0 to 100';
  }
  if (intIn(f.maxFailedPercent, 0, 100) === undefined) {
    e.maxFailedPercent = '0 to 100';
  }
  const within = intIn(f.withinMin, 1, CAMPAIGN_LIMITS.withinSec.max / 60);
  if (within === undefined) {
    e.withinMin = `Whole minutes, 1 to ${CAMPAIGN_LIMITS.withinSec.max / 60} (30 days)`;
  }
  if (intIn(f.maxPerSite, 1, CAMPAIGN_LIMITS.maxPerSite) === undefined) {
    e.maxPerSite = `1 to ${CAMPAIGN_LIMITS.maxPerSite}`;
  }
  const windows = parseWindows(f.windows);
  if ('error' in windows) {
    e.windows = windows.error;
  } else if (windows.windows.length > CAMPAIGN_LIMITS.windows) {
    e.windows = `At most ${CAMPAIGN_LIMITS.windows} windows`;
  }
  return e;
}

/** The body of a valid form: `POST /firmware/campaigns`, and without the name the preview's. */
export function campaignBody(f: CampaignFormState): NewCampaign {
  const cohort: CampaignCohort = {};
  for (const field of Object.keys(CAMPAIGN_LIMITS.lists) as ListField[]) {
    const items = splitList(f[field]);
    if (items.length) {
      cohort[field] = items;
    }
  }
  const windows = parseWindows(f.windows);
  return {
    name: f.name.trim(),
    releaseId: f.releaseId,
    cohort,
    plan: {
      canary: size(f.canaryMode, f.canary)!,
      waves: size(f.wavesMode, f.waves)!,
      gate: {
        minVerifiedPercent: Number(f.minVerifiedPercent),
        withinSec: Number(f.withinMin) * 60,
        maxFailedPercent: Number(f.maxFailedPercent),
      },
      maxPerSite: Number(f.maxPerSite),
      ...('windows' in windows && windows.windows.length ? { windows: windows.windows } : {}),
    },
  };
}

/** The preview's body: the same without the name. */
export function previewBody(f: CampaignFormState): Omit<NewCampaign, 'name'> {
  const { name: _name, ...rest } = campaignBody(f);
  return rest;
}
