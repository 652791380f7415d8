/** JSON schemas of the firmware campaign routes (routes/campaigns.ts) and their OpenAPI document. */
const ids = (maxItems: number) => ({ type: 'array', maxItems, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 128 } }) as const;

export const cohortSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Which stations: lists are ORed within a field and ANDed across fields; exclude always wins',
  properties: {
    sites: ids(500),
    vendors: ids(100),
    models: ids(100),
    versions: ids(500),
    tags: { ...ids(100), description: '`key=value`, or `key` for any value' },
    stations: { ...ids(100_000), description: 'An explicit list of station ids; the other fields still narrow it' },
    exclude: ids(100_000),
  },
} as const;

const sizeSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'A count of stations, or a percentage of the cohort (count wins when both are given)',
  properties: { count: { type: 'integer', minimum: 1, maximum: 1_000_000 }, percent: { type: 'integer', minimum: 1, maximum: 100 } },
  anyOf: [{ required: ['count'] }, { required: ['percent'] }],
} as const;

const hhmm = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const;

export const planSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['canary', 'waves', 'gate', 'maxPerSite'],
  properties: {
    canary: sizeSchema,
    waves: sizeSchema,
    gate: {
      type: 'object',
      additionalProperties: false,
      required: ['minVerifiedPercent', 'withinSec', 'maxFailedPercent'],
      description: 'The next wave starts only when at least minVerifiedPercent of this one is verified within withinSec of its last send, with at most maxFailedPercent failed',
      properties: {
        minVerifiedPercent: { type: 'integer', minimum: 0, maximum: 100 },
        withinSec: { type: 'integer', minimum: 60, maximum: 30 * 24 * 3600 },
        maxFailedPercent: { type: 'integer', minimum: 0, maximum: 100 },
      },
    },
    maxPerSite: { type: 'integer', minimum: 1, maximum: 10_000, description: 'At most this many stations of one site updating at a time' },
    windows: {
      type: 'array',
      maxItems: 14,
      description: "Maintenance windows in each site's time zone (station metadata timeZone, UTC when unset); none: any time",
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'end'],
        properties: { days: { type: 'array', maxItems: 7, uniqueItems: true, items: { type: 'integer', minimum: 0, maximum: 6 }, description: '0 = Sunday; the day a window starts' }, start: hhmm, end: hhmm },
      },
    },
  },
} as const;

export const campaignBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'releaseId', 'cohort', 'plan'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    releaseId: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
    cohort: cohortSchema,
    plan: planSchema,
  },
} as const;

export const previewBodySchema = { ...campaignBodySchema, required: ['releaseId', 'cohort', 'plan'] } as const;

export const campaignSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    releaseId: { type: 'string' },
    cohort: { type: 'object', additionalProperties: true },
    plan: { type: 'object', additionalProperties: true },
    status: { type: 'string', enum: ['running', 'paused', 'completed', 'cancelled'] },
    pauseReason: { type: 'string' },
    pauseDetail: { type: 'string' },
    currentWave: { type: 'integer' },
    waveCount: { type: 'integer' },
    gateOverridden: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const tallySchema = {
  type: 'object',
  properties: { size: { type: 'integer' }, verified: { type: 'integer' }, failed: { type: 'integer' }, updating: { type: 'integer' }, pending: { type: 'integer' } },
} as const;

export const campaignDetailSchema = {
  type: 'object',
  properties: {
    campaign: campaignSchema,
    waves: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          tally: tallySchema,
          gate: { type: 'object', properties: { decision: { type: 'string' }, verifiedPercent: { type: 'integer' }, failedPercent: { type: 'integer' }, reason: { type: 'string' } } },
          deferred: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
    },
    events: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, kind: { type: 'string' }, actor: { type: 'string' }, detail: { type: 'object', additionalProperties: true } } },
    },
  },
} as const;

export const previewSchema = {
  type: 'object',
  properties: {
    release: { type: 'object', properties: { id: { type: 'string' }, vendor: { type: 'string' }, model: { type: 'string' }, version: { type: 'string' } } },
    selected: { type: 'integer' },
    skipped: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Stations the cohort matched but the campaign leaves out, by reason' },
    skippedSample: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, reason: { type: 'string' } } } },
    waves: {
      type: 'array',
      items: { type: 'object', properties: { index: { type: 'integer' }, size: { type: 'integer' }, sites: { type: 'integer' }, sample: { type: 'array', items: { type: 'string' } } } },
    },
  },
} as const;

export const reportRowSchema = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    wave: { type: 'integer' },
    site: { type: 'string' },
    state: { type: 'string' },
    deferredReason: { type: 'string' },
    failureReason: { type: 'string' },
    updateId: { type: 'string' },
    dispatchedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    durationSec: { type: 'integer' },
    fromVersion: { type: 'string' },
    reportedVersion: { type: 'string' },
    timeline: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

export const campaignIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } },
} as const;

/** A cancelled campaign, with what the recall did per station when it was asked for. */
export const cancelSchema = {
  type: 'object',
  properties: {
    ...campaignSchema.properties,
    recall: {
      type: 'array',
      items: { type: 'object', properties: { stationId: { type: 'string' }, outcome: { type: 'string', enum: ['recalled', 'not_possible'] }, reason: { type: 'string' }, updateId: { type: 'string' } } },
    },
  },
} as const;
