/**
 * JSON schemas of the local-list routes (routes/local-lists.ts) and the view of a station's list
 * state: sync state, version, entry count, limits, the last outcome and error. Never the entries
 * (token ids): they stay in PostgreSQL.
 */
import { LOCAL_LIST_OUTCOMES, LOCAL_LIST_STATES } from '@chargewatch/model';
import type { LocalListRow } from '@chargewatch/platform';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const time = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;

export const stationParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] } as const;

export const syncBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { full: { type: 'boolean', description: 'Send the whole list (a Full), also to a station marked unsupported' } },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: LOCAL_LIST_STATES },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

export const localListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['stationId', 'state', 'entryCount', 'needsFull', 'limits', 'skipped'],
  properties: {
    stationId: { type: 'string' },
    protocol: { type: 'string' },
    state: { type: 'string', enum: LOCAL_LIST_STATES },
    version: { type: 'integer', description: 'Of the last request the station accepted; absent: never synced' },
    entryCount: count,
    needsFull: { type: 'boolean', description: 'The next sync sends a Full' },
    failures: count,
    lastOutcome: { type: 'string', enum: LOCAL_LIST_OUTCOMES },
    lastError: { type: 'string' },
    skipped: { type: 'object', additionalProperties: count, description: 'Tokens allowed here but left out, by reason' },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { maxEntries: count, itemsPerMessage: count, bytesPerMessage: count },
      description: 'Learned from the station (1.6 LocalAuthListMaxLength/SendLocalListMaxLength; 2.0.1 LocalAuthListCtrlr Entries/ItemsPerMessage/BytesPerMessage)',
    },
    limitsLearnedAt: time,
    requestedAt: time,
    lastAttemptAt: time,
    lastSyncAt: time,
    lastCheckAt: time,
    nextDueAt: time,
  },
} as const;

export const localListPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['total', 'items'],
  properties: { total: count, items: { type: 'array', items: localListSchema } },
} as const;

export function localListView(r: LocalListRow): Record<string, unknown> {
  return {
    stationId: r.stationId,
    protocol: r.protocol,
    state: r.state,
    version: r.version,
    entryCount: r.entryCount,
    needsFull: r.needsFull,
    failures: r.failures,
    lastOutcome: r.lastOutcome,
    lastError: r.lastError,
    skipped: r.skipped,
    limits: r.limits,
    limitsLearnedAt: iso(r.limitsLearnedAt),
    requestedAt: iso(r.requestedAt),
    lastAttemptAt: iso(r.lastAttemptAt),
    lastSyncAt: iso(r.lastSyncAt),
    lastCheckAt: iso(r.lastCheckAt),
    nextDueAt: iso(r.nextDueAt),
  };
}
