import type { FastifyInstance } from 'fastify';
import type { StationMetadata, StationState } from '@chargewatch/platform';
import { checkRows, rowsFromCsv, validateMetadata, type MetadataRow, type SchemaCheck } from '../metadata-import';
import { SORT_KEYS, iso, summarize, type SortKey } from '../station-query';
import { errorSchema, metadataSchema, stationDetailSchema, stationSummarySchema } from '../schemas';
import type { ApiDeps } from '../deps';

function detail(s: StationState) {
  return {
    ...summarize(s),
    serialNumber: s.serialNumber,
    protocol: s.protocol,
    registration: s.registration,
    collectorId: s.collectorId,
    remoteAddress: s.remoteAddress,
    iccid: s.iccid,
    imsi: s.imsi,
    meterType: s.meterType,
    bootReason: s.bootReason,
    connectedAt: iso(s.connectedAt),
    disconnectedAt: iso(s.disconnectedAt),
    firstSeen: iso(s.firstSeen),
    lastBoot: iso(s.lastBoot),
    transactions: s.transactions.map((t) => ({ ...t, startedAt: iso(t.startedAt) })),
    metadata: s.metadata,
  };
}

interface ListQuery {
  site?: string;
  vendor?: string;
  model?: string;
  firmware?: string;
  online?: boolean;
  status?: string;
  q?: string;
  sort: SortKey;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
  cursor?: string;
}

export async function stationRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] } as const;

  app.get<{ Querystring: ListQuery }>('/stations', {
    config: { role: 'viewer' },
    schema: {
      summary: 'List stations with filters, sorting and paging',
      tags: ['stations'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          site: { type: 'string' },
          vendor: { type: 'string' },
          model: { type: 'string' },
          firmware: { type: 'string' },
          online: { type: 'boolean' },
          status: { type: 'string' },
          q: { type: 'string', maxLength: 100 },
          sort: { type: 'string', enum: [...SORT_KEYS], default: 'id' },
          order: { type: 'string', enum: ['asc', 'desc'], default: 'asc' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
          offset: { type: 'integer', minimum: 0, default: 0 },
          // Keyset paging: the nextCursor of the previous page; offset is ignored with it.
          cursor: { type: 'string', maxLength: 400 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            total: { type: 'integer' },
            items: { type: 'array', items: stationSummarySchema },
            nextCursor: { type: ['string', 'null'] },
            facets: {
              type: 'object',
              properties: {
                sites: { type: 'array', items: { type: 'string' } },
                vendors: { type: 'array', items: { type: 'string' } },
                models: { type: 'array', items: { type: 'string' } },
                firmwareVersions: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  }, async (req) => {
    const { sort, order, limit, offset, cursor, ...filter } = req.query;
    return deps.query.list(filter, sort, order, limit, offset, cursor);
  });

  app.get<{ Params: { id: string } }>('/stations/:id', {
    config: { role: 'viewer' },
    schema: { summary: 'One station: identity, boot info, connectors, open transactions, metadata', tags: ['stations'], params: idParams, response: { 200: stationDetailSchema, 404: errorSchema } },
  }, async (req, reply) => {
    const s = await deps.store.get(req.params.id);
    if (!s) return reply.code(404).send({ error: 'Not Found', message: `station ${req.params.id} is not known` });
    return detail(s);
  });

  app.put<{ Params: { id: string }; Body: StationMetadata }>('/stations/:id/metadata', {
    config: { role: 'editor' },
    schema: {
      summary: 'Set operator metadata (site, address, coordinates, operating hours, time zone, tags); fields not sent are kept',
      tags: ['stations'],
      params: idParams,
      body: metadataSchema,
      response: { 200: metadataSchema, 400: errorSchema },
    },
  }, async (req, reply) => {
    const problems = checkRows([{ stationId: req.params.id, ...req.body }]);
    if (problems.length) return reply.code(400).send({ error: 'Bad Request', message: problems.map((p) => p.message).join('; ') });
    await deps.store.setMetadata(req.params.id, req.body);
    deps.onMetadataChanged(req.params.id);
    return deps.store.getMetadata(req.params.id);
  });

  app.post<{ Body: unknown }>('/stations/metadata/import', {
    config: { role: 'editor' },
    schema: {
      summary: 'Bulk import of station metadata: a JSON array of {stationId, …metadata} or text/csv with columns station_id, site, address, latitude, longitude, operating_hours, tags (k=v;k2=v2), time_zone. All rows are checked before any is written.',
      tags: ['stations'],
      response: {
        200: { type: 'object', properties: { imported: { type: 'integer' } } },
        400: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' }, problems: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, message: { type: 'string' } } } } } },
      },
    },
  }, async (req, reply) => {
    // Each row passes the PUT route's schema, compiled by the same validator compiler, then its checks.
    const validate = req.compileValidationSchema(metadataSchema);
    const schemaCheck: SchemaCheck = (meta) => (validate(meta) ? validateMetadata(meta) : `metadata ${validate.errors?.map((e) => `${e.instancePath || '(row)'} ${e.message}`).join(', ')}`);
    let rows: MetadataRow[];
    let problems;
    if (typeof req.body === 'string') {
      ({ rows, problems } = rowsFromCsv(req.body, schemaCheck));
    } else if (Array.isArray(req.body)) {
      rows = req.body as MetadataRow[];
      problems = rows.some((r) => typeof r !== 'object' || r === null)
        ? [{ row: 0, message: 'every element must be an object' }]
        : checkRows(rows, 1, schemaCheck);
    } else {
      return reply.code(400).send({ error: 'Bad Request', message: 'send a JSON array or text/csv', problems: [] });
    }
    if (rows.length === 0 && problems.length === 0) problems = [{ row: 0, message: 'no rows' }];
    if (problems.length) return reply.code(400).send({ error: 'Bad Request', message: `${problems.length} problem(s); nothing imported`, problems });
    for (const { stationId, ...meta } of rows) {
      await deps.store.setMetadata(stationId, meta);
      deps.onMetadataChanged(stationId);
    }
    return { imported: rows.length };
  });

  app.put<{ Params: { id: string }; Body: { status: 'Accepted' | 'Pending' | 'Rejected' } }>('/stations/:id/registration', {
    config: { role: 'admin' },
    schema: {
      summary: 'Approve (Accepted), hold (Pending) or refuse (Rejected) a station; applies at its next BootNotification',
      tags: ['stations'],
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['Accepted', 'Pending', 'Rejected'] } }, required: ['status'] },
      response: { 200: { type: 'object', properties: { id: { type: 'string' }, registration: { type: 'string' } } }, 404: errorSchema },
    },
  }, async (req, reply) => {
    if (!(await deps.store.exists(req.params.id))) return reply.code(404).send({ error: 'Not Found', message: `station ${req.params.id} is not known` });
    await deps.store.setRegistration(req.params.id, req.body.status);
    deps.query.invalidate();
    return { id: req.params.id, registration: req.body.status };
  });
}
