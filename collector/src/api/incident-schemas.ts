/**
 * JSON schemas of the misuse incident routes (routes/incidents.ts). An incident never carries a raw
 * token id: `token.masked` (last four characters; none of a PIN) and `token.hash` only.
 */
import { INCIDENT_STATUSES, MISUSE_RULES, MISUSE_SEVERITIES } from '@chargewatch/model';

export const incidentIdParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } }, required: ['id'] } as const;

export const incidentListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rule: { type: 'string', enum: [...MISUSE_RULES] },
    severity: { type: 'string', enum: [...MISUSE_SEVERITIES] },
    status: { type: 'string', enum: [...INCIDENT_STATUSES] },
    station: { type: 'string', minLength: 1, maxLength: 48 },
    token: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'Registry token id: the incidents naming that card (by its keyed hash; none for a PIN)' },
    from: { type: 'string', format: 'date-time', description: 'Last seen at or after' },
    to: { type: 'string', format: 'date-time', description: 'Last seen before' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

export const resolveBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { resolution: { type: 'string', maxLength: 1000, description: 'What was found or done' } },
} as const;

export const incidentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    rule: { type: 'string', enum: [...MISUSE_RULES] },
    severity: { type: 'string', enum: [...MISUSE_SEVERITIES] },
    stationId: { type: 'string' },
    site: { type: 'string' },
    token: {
      type: 'object',
      description: 'The token involved, masked; hash correlates incidents of one card',
      properties: { masked: { type: 'string' }, type: { type: 'string' }, hash: { type: 'string' } },
    },
    summary: { type: 'string' },
    firstSeen: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    count: { type: 'integer', description: 'Findings merged into this incident' },
    evidence: { type: 'array', description: 'The journal events (token ids masked): the first and the latest', items: { type: 'object', additionalProperties: true } },
    status: { type: 'string', enum: [...INCIDENT_STATUSES] },
    acknowledgedBy: { type: 'string' },
    acknowledgedAt: { type: 'string', format: 'date-time' },
    resolvedBy: { type: 'string' },
    resolvedAt: { type: 'string', format: 'date-time' },
    resolution: { type: 'string' },
    response: {
      type: 'object',
      description: 'What the detector did: keycode_lockout (until) or block_token (result: blocked, not_blocked, unavailable, failed)',
      properties: { action: { type: 'string' }, result: { type: 'string' }, until: { type: 'string', format: 'date-time' }, at: { type: 'string', format: 'date-time' } },
    },
  },
  required: ['id', 'rule', 'severity', 'summary', 'firstSeen', 'lastSeen', 'count', 'status'],
} as const;

export const incidentPageSchema = { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: incidentSchema } } } as const;
