/**
 * Types of the collector's firmware API (v1): the catalogue (releases, targets, inventory, drift,
 * station updates) and campaigns. The rules' own types come from the model the collector serves them
 * with (model/src/firmware.ts, firmware-campaign.ts, firmware-campaign-step.ts); the shapes on the wire
 * follow collector/src/api/campaign-schemas.ts and the firmware route schemas, with times as ISO text.
 */
import type { FirmwareFailureReason, FirmwareUpdateState, FirmwareVersionMatch } from '@chargewatch/model/firmware';
import type {
  CampaignCohort,
  CampaignPlan,
  CampaignSize,
  CampaignStationState,
  CohortSkip,
  GateDecision,
  MaintenanceWindow,
  WaveGate,
  WaveTally,
} from '@chargewatch/model/firmware-campaign';
import type { CampaignPauseReason, CampaignStatus, DeferReason } from '@chargewatch/model/firmware-campaign-step';

export type {
  CampaignCohort,
  CampaignPauseReason,
  CampaignPlan,
  CampaignSize,
  CampaignStationState,
  CampaignStatus,
  CohortSkip,
  DeferReason,
  FirmwareFailureReason,
  FirmwareUpdateState,
  FirmwareVersionMatch,
  GateDecision,
  MaintenanceWindow,
  WaveGate,
  WaveTally,
};

// ---------------------------------------------------------------- catalogue

/** A firmware image in the catalogue (`GET /firmware/releases/{id}`). */
export interface FirmwareRelease {
  id: string;
  vendor: string;
  model: string;
  version: string;
  /** where stations download it (URL) */
  location: string;
  /** SHA-256, 64 lowercase hex digits */
  checksum?: string;
  /** PEM; with `signature`, the release is sent as a signed update */
  signingCertificate?: string;
  /** base64 */
  signature?: string;
  releaseNotes?: string;
  /** stations below this version are left out of campaigns */
  minPriorVersion?: string;
  versionMatch: FirmwareVersionMatch;
  signed: boolean;
  createdAt: string;
  createdBy: string;
}

/** `POST /firmware/releases` body. */
export type NewFirmwareRelease = Omit<FirmwareRelease, 'id' | 'signed' | 'createdAt' | 'createdBy' | 'versionMatch'> & {
  versionMatch?: FirmwareVersionMatch;
};

export interface FirmwareReleaseQuery {
  vendor?: string;
  model?: string;
  limit?: number;
  offset?: number;
}

export interface FirmwareReleaseList {
  total: number;
  items: FirmwareRelease[];
}

/** The release every station of a vendor/model should run (`GET /firmware/targets` answers a list). */
export interface FirmwareTarget {
  vendor: string;
  model: string;
  releaseId: string;
  version: string;
  versionMatch?: FirmwareVersionMatch;
  setAt: string;
  setBy: string;
}

/** `PUT /firmware/targets/{vendor}/{model}`: the new target, or with `releaseId: null` the clearing. */
export type FirmwareTargetChange = FirmwareTarget | { vendor: string; model: string; cleared: true };

/** Whether a station runs its vendor/model's target (`on`), another version (`off`), or has none. */
export type TargetState = 'on' | 'off' | 'none';

/** Booted stations of one vendor/model/version (`GET /firmware/inventory`). */
export interface FirmwareInventoryGroup {
  vendor: string;
  model: string;
  /** null: stations whose boot reported no version */
  version: string | null;
  target: TargetState;
  stations: number;
}

export interface FirmwareInventory {
  groups: FirmwareInventoryGroup[];
  /** stations per target state, and registered stations that never booted */
  totals: { on: number; off: number; none: number; unbooted: number };
}

/** One station's firmware against its target (`GET /stations/{id}/firmware`, drift items). */
export interface StationFirmware {
  stationId: string;
  vendor: string;
  model: string;
  version?: string;
  online: boolean;
  target: TargetState;
  targetReleaseId?: string;
  targetVersion?: string;
}

export interface FirmwareDriftQuery {
  vendor?: string;
  model?: string;
  limit?: number;
  offset?: number;
}

/** `GET /firmware/drift`: stations whose version is not their vendor/model's target, paged. */
export interface FirmwareDriftPage {
  total: number;
  items: StationFirmware[];
}

/** One station update (`GET /firmware/updates/{id}`). */
export interface FirmwareUpdateView {
  id: string;
  stationId: string;
  releaseId: string;
  targetVersion?: string;
  campaignId?: string;
  form?: 'plain' | 'signed';
  state: FirmwareUpdateState;
  failureReason?: FirmwareFailureReason;
  fromVersion?: string;
  reportedVersion?: string;
  requestedAt: string;
  requestedBy: string;
  finishedAt?: string;
  timeline: Array<Record<string, unknown>>;
}

// ---------------------------------------------------------------- campaigns

export interface FirmwareCampaign {
  id: string;
  name: string;
  releaseId: string;
  cohort: CampaignCohort;
  plan: CampaignPlan;
  status: CampaignStatus;
  pauseReason?: CampaignPauseReason;
  pauseDetail?: string;
  currentWave: number;
  waveCount: number;
  gateOverridden: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  finishedAt?: string;
}

export interface FirmwareCampaignList {
  total: number;
  items: FirmwareCampaign[];
}

export interface CampaignListQuery {
  status?: CampaignStatus;
  limit?: number;
  offset?: number;
}

/** `POST /firmware/campaigns` body; the preview takes the same without a name. */
export interface NewCampaign {
  name: string;
  releaseId: string;
  cohort: CampaignCohort;
  plan: CampaignPlan;
}

export type CampaignPreviewRequest = Omit<NewCampaign, 'name'> & { name?: string };

export interface CampaignPreview {
  release: { id: string; vendor: string; model: string; version: string };
  selected: number;
  skipped: Partial<Record<CohortSkip, number>>;
  skippedSample: Array<{ id: string; reason: CohortSkip }>;
  waves: Array<{ index: number; size: number; sites: number; sample: string[] }>;
}

export interface CampaignWaveView {
  index: number;
  tally: WaveTally;
  gate: GateDecision;
  deferred: Partial<Record<DeferReason, number>>;
}

export interface CampaignEvent {
  id: string;
  at: string;
  kind: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export interface CampaignDetail {
  campaign: FirmwareCampaign;
  waves: CampaignWaveView[];
  events: CampaignEvent[];
}

/** One station of a campaign (`GET /firmware/campaigns/{id}/report`). */
export interface CampaignReportRow {
  stationId: string;
  wave: number;
  site?: string;
  state: CampaignStationState;
  deferredReason?: string;
  failureReason?: string;
  updateId?: string;
  dispatchedAt?: string;
  finishedAt?: string;
  durationSec?: number;
  fromVersion?: string;
  reportedVersion?: string;
  timeline: Array<Record<string, unknown>>;
}

export interface CampaignReport {
  items: CampaignReportRow[];
}

export type CampaignAction = 'pause' | 'resume' | 'cancel';
