/**
 * JSON schemas of the firmware routes (routes/firmware.ts, routes/station-firmware.ts) and the views
 * that turn platform records into what they answer (dates as ISO text; no internal fields).
 * Limits are the model's FIRMWARE_LIMITS, so the API refuses what the catalogue would.
 */
import { FIRMWARE_FAILURE_REASONS, FIRMWARE_LIMITS, FIRMWARE_STAGES, FIRMWARE_UPDATE_STATES, type FirmwareTimelineEntry } from '@chargewatch/model';
import type { FirmwareRelease, FirmwareTarget, FirmwareUpdateRecord, MaintenancePeriod } from '@chargewatch/platform';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } }, required: ['id'] } as const;
export const stationParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] } as const;
export const modelParams = {
  type: 'object',
  properties: { vendor: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.vendor }, model: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.model } },
  required: ['vendor', 'model'],
} as const;

const page = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } } as const;

export const versionMatchSchema = {
  type: 'object',
  description: 'How a booted version is matched: exact; prefix (followed by the end or a non-alphanumeric character); before (compared up to the first separator, e.g. "289/1.5.2.0" with "/")',
  additionalProperties: false,
  properties: { mode: { type: 'string', enum: ['exact', 'prefix', 'before'] }, separator: { type: 'string', minLength: 1, maxLength: 5 } },
  required: ['mode'],
} as const;

export const releaseBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    vendor: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.vendor, description: 'As the station reports it in BootNotification' },
    model: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.model },
    version: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.version },
    location: { type: 'string', minLength: 1, maxLength: FIRMWARE_LIMITS.location, description: 'http, https, ftp, ftps or sftp URL of the image' },
    checksum: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'sha256 of the image, hex' },
    signingCertificate: { type: 'string', maxLength: FIRMWARE_LIMITS.signingCertificate, description: 'PEM; with signature: a secure update' },
    signature: { type: 'string', maxLength: FIRMWARE_LIMITS.signature, description: 'base64; with signingCertificate' },
    releaseNotes: { type: 'string', maxLength: FIRMWARE_LIMITS.releaseNotes },
    minPriorVersion: { type: 'string', maxLength: FIRMWARE_LIMITS.version, description: 'Recorded for campaigns; not enforced here' },
    versionMatch: versionMatchSchema,
  },
  required: ['vendor', 'model', 'version', 'location'],
} as const;

export const releaseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...releaseBodySchema.properties,
    signed: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
  },
  required: ['id', 'vendor', 'model', 'version', 'location', 'signed', 'versionMatch', 'createdAt', 'createdBy'],
} as const;

export const releaseListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { vendor: modelParams.properties.vendor, model: modelParams.properties.model, ...page },
} as const;

export const targetSchema = {
  type: 'object',
  properties: {
    vendor: { type: 'string' },
    model: { type: 'string' },
    releaseId: { type: 'string' },
    version: { type: 'string' },
    versionMatch: versionMatchSchema,
    setAt: { type: 'string', format: 'date-time' },
    setBy: { type: 'string' },
  },
  required: ['vendor', 'model', 'releaseId', 'version', 'setAt', 'setBy'],
} as const;

export const targetBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { releaseId: { type: ['string', 'null'], pattern: '^[1-9][0-9]{0,17}$', description: 'A release of this vendor/model; null clears the target' } },
  required: ['releaseId'],
} as const;

export const inventorySchema = {
  type: 'object',
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { vendor: { type: 'string' }, model: { type: 'string' }, version: { type: ['string', 'null'] }, target: { type: 'string', enum: ['on', 'off', 'none'] }, stations: { type: 'integer' } },
      },
    },
    totals: { type: 'object', properties: { on: { type: 'integer' }, off: { type: 'integer' }, none: { type: 'integer' }, unbooted: { type: 'integer' } } },
  },
} as const;

export const stationFirmwareSchema = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    version: { type: 'string' },
    online: { type: 'boolean' },
    target: { type: 'string', enum: ['on', 'off', 'none'] },
    targetReleaseId: { type: 'string' },
    targetVersion: { type: 'string' },
  },
} as const;

export const driftQuery = releaseListQuery;

export const driftSchema = { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: stationFirmwareSchema } } } as const;

const timelineEntrySchema = {
  type: 'object',
  properties: {
    at: { type: 'string', format: 'date-time' },
    event: { type: 'string' },
    state: { type: 'string' },
    status: { type: 'string' },
    stage: { type: 'string' },
    version: { type: 'string' },
    reason: { type: 'string' },
    note: { type: 'string' },
  },
} as const;

export const updateSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    stationId: { type: 'string' },
    releaseId: { type: 'string' },
    targetVersion: { type: 'string' },
    campaignId: { type: 'string' },
    commandId: { type: 'string' },
    requestId: { type: 'integer' },
    protocol: { type: 'string' },
    form: { type: 'string', enum: ['plain', 'signed'] },
    state: { type: 'string', enum: [...FIRMWARE_UPDATE_STATES] },
    failureReason: { type: 'string', enum: [...FIRMWARE_FAILURE_REASONS] },
    fromVersion: { type: 'string' },
    reportedVersion: { type: 'string' },
    requestedAt: { type: 'string', format: 'date-time' },
    requestedBy: { type: 'string' },
    retrieveAt: { type: 'string', format: 'date-time' },
    installAt: { type: 'string', format: 'date-time' },
    stage: { type: 'string', enum: [...FIRMWARE_STAGES] },
    stageAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    timeline: { type: 'array', items: timelineEntrySchema },
  },
  required: ['id', 'stationId', 'releaseId', 'form', 'state', 'requestedAt', 'timeline'],
} as const;

export const startBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    releaseId: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
    retrieveAt: { type: 'string', format: 'date-time', description: 'When the station should fetch the image (default now)' },
    installAt: { type: 'string', format: 'date-time', description: '1.6 signed and 2.0.1 only; a 1.6 plain update installs once downloaded' },
    supersede: { type: 'boolean', default: false, description: 'End the station\'s open update as superseded instead of answering 409' },
    force: { type: 'boolean', default: false, description: 'Send even when the station already reports the release\'s version' },
  },
  required: ['releaseId'],
} as const;

export const startQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { wait: { type: 'integer', minimum: 0, maximum: 60, default: 10, description: 'Seconds to wait for the station\'s answer (201 once answered, 202 while the command waits)' } },
} as const;

export const maintenanceQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, station: stationParams.properties.id, ...page },
} as const;

export const maintenanceSchema = {
  type: 'object',
  properties: {
    total: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, stationId: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' }, endedAt: { type: 'string', format: 'date-time' }, reason: { type: 'string' }, updateId: { type: 'string' }, campaignId: { type: 'string' } },
      },
    },
  },
} as const;

export function releaseView(r: FirmwareRelease) {
  return { ...r, createdAt: r.createdAt.toISOString() };
}

/** Lists leave the certificate and signature out (kilobytes each); GET /releases/{id} has them. */
export function releaseSummaryView(r: FirmwareRelease) {
  const { signingCertificate: _c, signature: _s, ...rest } = r;
  return { ...rest, createdAt: r.createdAt.toISOString() };
}

export function targetView(t: FirmwareTarget) {
  return { ...t, setAt: t.setAt.toISOString() };
}

const entryView = (e: FirmwareTimelineEntry) => ({ ...e, at: new Date(e.at).toISOString() });

export function updateView(u: FirmwareUpdateRecord) {
  const { lastEvent: _l, versionMatch: _m, ...rest } = u;
  return {
    ...rest,
    requestedAt: iso(u.requestedAt),
    retrieveAt: iso(u.retrieveAt),
    installAt: iso(u.installAt),
    stageAt: iso(u.stageAt),
    finishedAt: iso(u.finishedAt),
    timeline: u.timeline.map(entryView),
  };
}

export function maintenanceView(p: MaintenancePeriod) {
  return { ...p, startedAt: p.startedAt.toISOString(), endedAt: p.endedAt?.toISOString() };
}
