/**
 * JSON schemas of the token and account routes (routes/tokens.ts, routes/accounts.ts), and what their
 * audit entries may hold. The schemas bound sizes and shapes; the registry's validation (platform
 * token-validation.ts) gives the reasons. Answers are serialized through `tokenSchema`, which has no
 * PIN field at all: a PIN cannot leave the API even by mistake.
 */
import { OCPI_TOKEN_TYPES, TOKEN_ID_MAX_LENGTH, TOKEN_STATUSES, TOKEN_TYPES, maskTokenId, REDACTED } from '@chargewatch/model';

export { idParams } from './firmware-schemas';

const list = { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200 } } as const;
const windows = {
  type: 'array',
  maxItems: 50,
  description: 'Weekly windows in the site time zone; none: any time',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { days: { type: 'array', maxItems: 7, items: { type: 'integer', minimum: 0, maximum: 6 } }, start: { type: 'string', pattern: '^\\d{2}:\\d{2}$' }, end: { type: 'string', pattern: '^\\d{2}:\\d{2}$' } },
    required: ['start', 'end'],
  },
} as const;

const writable = {
  ocpiType: { type: 'string', enum: [...OCPI_TOKEN_TYPES] },
  status: { type: 'string', enum: [...TOKEN_STATUSES] },
  validUntil: { type: ['string', 'null'], maxLength: 40, description: 'ISO 8601 date-time with zone; after it the token is Expired' },
  groupId: { type: ['string', 'null'], minLength: 1, maxLength: TOKEN_ID_MAX_LENGTH, description: '1.6 parentIdTag / 2.0.1 groupIdToken' },
  accountId: { type: ['string', 'null'], pattern: '^[1-9][0-9]{0,17}$' },
  maxConcurrentTx: { type: ['integer', 'null'], minimum: 0, maximum: 1000, description: 'Open transactions at once (ConcurrentTx beyond); null: no limit' },
  allowedSites: list,
  allowedStations: list,
  allowedEvses: { ...list, description: '<stationId>/<evseId>' },
  allowedHours: windows,
  note: { type: ['string', 'null'], maxLength: 2000 },
} as const;

export const tokenBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: [...TOKEN_TYPES] },
    uid: { type: 'string', maxLength: TOKEN_ID_MAX_LENGTH, description: 'The id; ISO 14443/15693 UIDs and MAC addresses are stored as upper-case hex. Not for KeyCode' },
    pin: { type: 'string', maxLength: TOKEN_ID_MAX_LENGTH, description: 'KeyCode only; write-only (stored as a keyed hash)' },
    ...writable,
  },
  required: ['type'],
} as const;

export const tokenPatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { pin: tokenBodySchema.properties.pin, ...writable },
} as const;

export const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    uid: { type: 'string' },
    hasPin: { type: 'boolean' },
    ocpiType: { type: 'string' },
    status: { type: 'string' },
    validUntil: { type: 'string', format: 'date-time' },
    groupId: { type: 'string' },
    accountId: { type: 'string' },
    maxConcurrentTx: { type: 'integer' },
    allowedSites: { type: 'array', items: { type: 'string' } },
    allowedStations: { type: 'array', items: { type: 'string' } },
    allowedEvses: { type: 'array', items: { type: 'string' } },
    allowedHours: { type: 'array', items: { type: 'object', properties: { days: { type: 'array', items: { type: 'integer' } }, start: { type: 'string' }, end: { type: 'string' } } } },
    note: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
  },
  required: ['id', 'type', 'ocpiType', 'status', 'createdAt', 'updatedAt'],
} as const;

const page = { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 } } as const;

export const tokenListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', minLength: 1, maxLength: 100, description: 'Start of the uid (any case) or words of the note' },
    type: { type: 'string', enum: [...TOKEN_TYPES] },
    status: { type: 'string', enum: [...TOKEN_STATUSES] },
    accountId: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' },
    groupId: { type: 'string', maxLength: TOKEN_ID_MAX_LENGTH },
    site: { type: 'string', maxLength: 200, description: 'Tokens that may charge at this site (unrestricted ones too)' },
    station: { type: 'string', maxLength: 200, description: 'Tokens that may charge at this station (unrestricted ones too)' },
    ...page,
  },
} as const;

export const tokenPageSchema = { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: tokenSchema } } } as const;

export const importQuery = { type: 'object', additionalProperties: false, properties: { mode: { type: 'string', enum: ['upsert', 'create'], default: 'upsert' } } } as const;
export const exportQuery = { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['csv', 'json'], default: 'csv' } } } as const;
export const blockBodySchema = { type: ['object', 'null'], additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } } as const;

export const importResultSchema = {
  type: 'object',
  properties: { created: { type: 'integer' }, updated: { type: 'integer' } },
  required: ['created', 'updated'],
} as const;
export const importErrorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    rows: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, errors: { type: 'array', items: { type: 'string' } } } } },
  },
  required: ['error', 'message'],
} as const;

export const accountBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['person', 'fleet'] },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    contact: { type: ['string', 'null'], maxLength: 500 },
    billingReference: { type: ['string', 'null'], maxLength: 100 },
    currency: { type: ['string', 'null'], pattern: '^[A-Z]{3}$', description: 'ISO 4217' },
    note: { type: ['string', 'null'], maxLength: 2000 },
  },
} as const;

export const accountSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    contact: { type: 'string' },
    billingReference: { type: 'string' },
    currency: { type: 'string' },
    note: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string', format: 'date-time' },
    updatedBy: { type: 'string' },
  },
  required: ['id', 'kind', 'name'],
} as const;

export const accountListQuery = { type: 'object', additionalProperties: false, properties: { q: { type: 'string', minLength: 1, maxLength: 100 }, ...page } } as const;

/**
 * What the audit keeps of a token request body: the uid masked as in logs, the PIN never, an import as
 * its size only (a file holds every token id and perhaps PINs).
 */
export function tokenAuditBody(body: unknown): unknown {
  if (typeof body === 'string') return { file: 'csv', characters: body.length };
  if (Array.isArray(body)) return { file: 'json', rows: body.length };
  if (!body || typeof body !== 'object') return body;
  const o = body as Record<string, unknown>;
  if (Array.isArray(o.tokens)) return { file: 'json', rows: o.tokens.length };
  const out: Record<string, unknown> = { ...o };
  if (typeof o.uid === 'string') out.uid = o.type === 'KeyCode' ? REDACTED : maskTokenId(o.uid);
  if ('pin' in o) out.pin = REDACTED;
  if (typeof o.groupId === 'string') out.groupId = maskTokenId(o.groupId);
  return out;
}
