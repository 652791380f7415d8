/** JSON schemas shared by routes and the OpenAPI document. */
export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' } },
  required: ['error', 'message'],
} as const;

export const connectorSchema = {
  type: 'object',
  properties: {
    evseId: { type: 'integer' },
    connectorId: { type: 'integer' },
    status: { type: 'string' },
    errorCode: { type: 'string' },
    since: { type: 'string', format: 'date-time' },
    transactionId: { type: 'string' },
  },
  required: ['evseId', 'connectorId', 'status', 'errorCode', 'since'],
} as const;

export const metadataSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    site: { type: 'string', maxLength: 64 },
    address: { type: 'string', maxLength: 256 },
    latitude: { type: 'number', minimum: -90, maximum: 90 },
    longitude: { type: 'number', minimum: -180, maximum: 180 },
    operatingHours: { type: 'string', maxLength: 128, description: 'e.g. "24/7" or "Mo-Fr 07:00-22:00"' },
    timeZone: { type: 'string', maxLength: 64, description: 'IANA time zone of the site, e.g. "Europe/Berlin"; maintenance windows are in local time' },
    tags: { type: 'object', additionalProperties: { type: 'string', maxLength: 64 }, maxProperties: 20 },
  },
} as const;

export const stationSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    online: { type: 'boolean' },
    site: { type: 'string' },
    vendor: { type: 'string' },
    model: { type: 'string' },
    firmwareVersion: { type: 'string' },
    lastHeartbeat: { type: 'string', format: 'date-time' },
    heartbeatAgeSec: { type: 'number' },
    connectors: { type: 'array', items: connectorSchema },
    openErrors: { type: 'integer' },
    activeTransactions: { type: 'integer' },
  },
  required: ['id', 'online', 'connectors', 'openErrors', 'activeTransactions'],
} as const;

export const stationDetailSchema = {
  type: 'object',
  properties: {
    ...stationSummarySchema.properties,
    serialNumber: { type: 'string' },
    protocol: { type: 'string' },
    registration: { type: 'string' },
    collectorId: { type: 'string' },
    remoteAddress: { type: 'string' },
    iccid: { type: 'string' },
    imsi: { type: 'string' },
    meterType: { type: 'string' },
    bootReason: { type: 'string' },
    connectedAt: { type: 'string', format: 'date-time' },
    disconnectedAt: { type: 'string', format: 'date-time' },
    firstSeen: { type: 'string', format: 'date-time' },
    lastBoot: { type: 'string', format: 'date-time' },
    transactions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          transactionId: { type: 'string' },
          evseId: { type: 'integer' },
          connectorId: { type: 'integer' },
          startedAt: { type: 'string', format: 'date-time' },
          meterStartWh: { type: 'number' },
        },
      },
    },
    metadata: metadataSchema,
  },
  required: stationSummarySchema.required,
} as const;
