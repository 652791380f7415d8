/**
 * A small firmware collector for the Firmware pages' tests: a catalogue, targets, an inventory, a
 * drift list and campaigns, kept in memory and changed by the writes, answering as the collector's
 * firmware and campaign routes do (including 409 for a transition the status does not allow).
 */
import type { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import type { GrafanaRole } from '../../standalone/grafana-proxy.mjs';
import type {
  CampaignDetail,
  CampaignPreview,
  CampaignReportRow,
  FirmwareCampaign,
  FirmwareInventoryGroup,
  FirmwareRelease,
  FirmwareTarget,
  NewCampaign,
  NewFirmwareRelease,
  StationFirmware,
} from '../api/firmwareTypes';
import { HttpError, HttpReply, installFakeBackend, type RecordedRequest } from './fakeBackend';

export const RELEASES: FirmwareRelease[] = [
  {
    id: '2',
    vendor: 'ABB',
    model: 'Terra 54',
    version: '1.8.0',
    location: 'https://fw.example/abb/1.8.0.bin',
    versionMatch: { mode: 'exact' },
    signed: false,
    createdAt: '2025-05-20T08:00:00Z',
    createdBy: 'ops',
  },
  {
    id: '1',
    vendor: 'ABB',
    model: 'Terra 54',
    version: '1.7.2',
    location: 'https://fw.example/abb/1.7.2.bin',
    versionMatch: { mode: 'prefix' },
    signed: true,
    createdAt: '2025-04-01T08:00:00Z',
    createdBy: 'ops',
  },
];

export const TARGETS: FirmwareTarget[] = [
  { vendor: 'ABB', model: 'Terra 54', releaseId: '1', version: '1.7.2', setAt: '2025-04-02T08:00:00Z', setBy: 'ops' },
];

export const INVENTORY: FirmwareInventoryGroup[] = [
  { vendor: 'ABB', model: 'Terra 54', version: '1.7.2', target: 'on', stations: 30 },
  { vendor: 'ABB', model: 'Terra 54', version: '1.6.0', target: 'off', stations: 12 },
  { vendor: 'Alpitronic', model: 'HYC300', version: '2.1', target: 'none', stations: 8 },
];

export const DRIFT: StationFirmware[] = Array.from({ length: 12 }, (_, i) => ({
  stationId: `CP-${String(i + 100).padStart(4, '0')}`,
  vendor: 'ABB',
  model: 'Terra 54',
  version: '1.6.0',
  online: i % 4 !== 0,
  target: 'off' as const,
  targetReleaseId: '1',
  targetVersion: '1.7.2',
}));

export const PREVIEW: CampaignPreview = {
  release: { id: '2', vendor: 'ABB', model: 'Terra 54', version: '1.8.0' },
  selected: 42,
  skipped: { other_vendor_model: 8, on_target: 0 },
  skippedSample: [{ id: 'CP-0900', reason: 'other_vendor_model' }],
  waves: [
    { index: 0, size: 2, sites: 2, sample: ['CP-0001', 'CP-0002'] },
    { index: 1, size: 20, sites: 3, sample: ['CP-0003'] },
    { index: 2, size: 20, sites: 3, sample: ['CP-0023'] },
  ],
};

export function makeCampaign(overrides: Partial<FirmwareCampaign> = {}): FirmwareCampaign {
  return {
    id: '7',
    name: 'Terra 1.8 rollout',
    releaseId: '2',
    cohort: { sites: ['Harbour'] },
    plan: {
      canary: { count: 2 },
      waves: { percent: 50 },
      gate: { minVerifiedPercent: 90, withinSec: 3600, maxFailedPercent: 10 },
      maxPerSite: 2,
    },
    status: 'running',
    currentWave: 0,
    waveCount: 3,
    gateOverridden: false,
    createdAt: '2025-06-01T10:00:00Z',
    createdBy: 'alice',
    updatedAt: '2025-06-01T10:00:00Z',
    ...overrides,
  };
}

export const REPORT: CampaignReportRow[] = [
  {
    stationId: 'CP-0001',
    wave: 0,
    site: 'Harbour',
    state: 'verified',
    fromVersion: '1.7.2',
    reportedVersion: '1.8.0',
    dispatchedAt: '2025-06-01T10:01:00Z',
    finishedAt: '2025-06-01T10:09:00Z',
    durationSec: 480,
    timeline: [],
  },
  {
    stationId: 'CP-0002',
    wave: 0,
    site: 'Depot',
    state: 'updating',
    fromVersion: '1.7.2',
    dispatchedAt: '2025-06-01T10:01:00Z',
    timeline: [],
  },
  { stationId: 'CP-0003', wave: 1, site: 'Harbour', state: 'pending', deferredReason: 'charging', timeline: [] },
];

export function makeDetail(campaign: FirmwareCampaign): CampaignDetail {
  return {
    campaign,
    waves: [
      {
        index: 0,
        tally: { size: 2, verified: 1, failed: 0, updating: 1, pending: 0 },
        gate: { decision: 'wait', verifiedPercent: 50, failedPercent: 0 },
        deferred: {},
      },
      {
        index: 1,
        tally: { size: 20, verified: 0, failed: 0, updating: 0, pending: 20 },
        gate: { decision: 'wait', verifiedPercent: 0, failedPercent: 0 },
        deferred: { charging: 1 },
      },
      {
        index: 2,
        tally: { size: 20, verified: 0, failed: 0, updating: 0, pending: 20 },
        gate: { decision: 'wait', verifiedPercent: 0, failedPercent: 0 },
        deferred: {},
      },
    ],
    events: [
      { id: '1', at: '2025-06-01T10:00:00Z', kind: 'created', actor: 'alice', detail: { waves: 3 } },
      { id: '2', at: '2025-06-01T10:01:00Z', kind: 'wave_started', actor: 'worker', detail: { wave: 0 } },
    ],
  };
}

const notFound = (req: RecordedRequest) =>
  new HttpError(404, { error: 'Not Found', message: `no route ${req.method} /api/v1${req.path}` });

/** Installs the fake collector for a user with Grafana role `role`; returns its requests and state. */
export function fakeFirmwareCollector(role: GrafanaRole, { campaign = makeCampaign() } = {}) {
  config.bootData.user.orgRole = role === 'None' ? '' : (role as OrgRole);
  const state = { releases: [...RELEASES], targets: [...TARGETS], campaigns: [campaign] };
  const { requests } = installFakeBackend(
    (req) => {
      const { method, path } = req;
      if (method === 'GET' && path === '/firmware/inventory') {
        return { groups: INVENTORY, totals: { on: 30, off: 12, none: 8, unbooted: 1 } };
      }
      if (method === 'GET' && path === '/firmware/targets') {
        return state.targets;
      }
      if (method === 'GET' && path === '/firmware/drift') {
        const offset = Number(req.params.offset ?? 0);
        const limit = Number(req.params.limit ?? 50);
        return { total: DRIFT.length, items: DRIFT.slice(offset, offset + limit) };
      }
      if (method === 'GET' && path === '/firmware/releases') {
        return { total: state.releases.length, items: state.releases };
      }
      const oneRelease = /^\/firmware\/releases\/(\d+)$/.exec(path);
      if (method === 'GET' && oneRelease) {
        const found = state.releases.find((r) => r.id === oneRelease[1]);
        if (!found) {
          throw new HttpError(404, { error: 'Not Found', message: `no firmware release ${oneRelease[1]}` });
        }
        return found;
      }
      if (method === 'POST' && path === '/firmware/releases') {
        const body = req.data as NewFirmwareRelease;
        if (
          state.releases.some((r) => r.vendor === body.vendor && r.model === body.model && r.version === body.version)
        ) {
          throw new HttpError(409, { error: 'Conflict', message: 'release exists' });
        }
        const release: FirmwareRelease = {
          ...body,
          id: String(state.releases.length + 1),
          versionMatch: body.versionMatch ?? { mode: 'exact' },
          signed: Boolean(body.signature),
          createdAt: '2025-06-01T12:00:00Z',
          createdBy: 'tester',
        };
        state.releases.unshift(release);
        return new HttpReply(201, release);
      }
      const target = /^\/firmware\/targets\/([^/]+)\/([^/]+)$/.exec(path);
      if (method === 'PUT' && target) {
        const [vendor, model] = [decodeURIComponent(target[1]), decodeURIComponent(target[2])];
        const { releaseId } = req.data as { releaseId: string };
        const release = state.releases.find((r) => r.id === releaseId)!;
        const t: FirmwareTarget = {
          vendor,
          model,
          releaseId,
          version: release.version,
          setAt: '2025-06-01T12:00:00Z',
          setBy: 'tester',
        };
        state.targets = [...state.targets.filter((x) => x.vendor !== vendor || x.model !== model), t];
        return t;
      }
      if (method === 'GET' && path === '/firmware/campaigns') {
        const items = state.campaigns.filter((c) => !req.params.status || c.status === req.params.status);
        return { total: items.length, items };
      }
      if (method === 'POST' && path === '/firmware/campaigns/preview') {
        return PREVIEW;
      }
      if (method === 'POST' && path === '/firmware/campaigns') {
        const body = req.data as NewCampaign;
        const created = makeCampaign({
          id: '8',
          name: body.name,
          releaseId: body.releaseId,
          cohort: body.cohort,
          plan: body.plan,
        });
        state.campaigns.unshift(created);
        return new HttpReply(201, created);
      }
      const one = /^\/firmware\/campaigns\/(\d+)(?:\/(report|pause|resume|cancel))?$/.exec(path);
      const found = one && state.campaigns.find((c) => c.id === one[1]);
      if (one && !found) {
        throw new HttpError(404, { error: 'Not Found', message: `no campaign ${one[1]}` });
      }
      if (found && method === 'GET') {
        return one![2] === 'report' ? { items: REPORT } : makeDetail(found);
      }
      if (found && method === 'POST' && one![2]) {
        const action = one![2];
        const allowed = { pause: ['running'], resume: ['paused'], cancel: ['running', 'paused'] }[action]!;
        if (!allowed.includes(found.status)) {
          throw new HttpError(409, { error: 'Conflict', message: `campaign ${found.id} is ${found.status}` });
        }
        found.status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'cancelled';
        found.pauseReason = action === 'pause' ? 'operator' : undefined;
        return { ...found };
      }
      throw notFound(req);
    },
    { role }
  );
  return { requests, state };
}
