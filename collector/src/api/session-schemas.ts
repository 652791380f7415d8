/**
 * JSON schemas of the charging-session routes (routes/sessions.ts). A session names its token masked,
 * with the registry id (`token.ref`) when the collectors knew the token; never a raw id.
 */
export const sessionIdParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } }, required: ['id'] } as const;

export const sessionListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    station: { type: 'string', minLength: 1, maxLength: 100 },
    token: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'Registry token id' },
    account: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'Account id (the token\'s account when the session was recorded)' },
    active: { type: 'boolean', description: 'true: only sessions without an end yet; false: only ended ones' },
    from: { type: 'string', format: 'date-time', description: 'Started at or after' },
    to: { type: 'string', format: 'date-time', description: 'Started before' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

export const sessionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    stationId: { type: 'string' },
    transactionId: { type: 'string' },
    evseId: { type: 'integer' },
    connectorId: { type: 'integer' },
    site: { type: 'string' },
    token: {
      type: 'object',
      description: 'The token the session was started with, masked; ref is its registry id when it was registered',
      properties: { masked: { type: 'string' }, type: { type: 'string' }, ref: { type: 'string' } },
    },
    accountId: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    energyWh: { type: 'number', description: 'Wh delivered: stop (or highest) register minus start (or lowest); absent while unknown' },
    meterStartWh: { type: 'number' },
    meterStopWh: { type: 'number' },
    stoppedReason: { type: 'string' },
    closedBy: { type: 'string', enum: ['station', 'collector'] },
    offline: { type: 'boolean' },
    active: { type: 'boolean' },
  },
  required: ['id', 'stationId', 'transactionId', 'offline', 'active'],
} as const;

export const sessionPageSchema = { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: sessionSchema } } } as const;
