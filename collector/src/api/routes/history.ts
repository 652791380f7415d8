import { encodeTagValue } from '@chargewatch/platform';
import type { FastifyInstance } from 'fastify';
import { influxString, type Row } from '../influx-reader';
import { errorSchema } from '../schemas';
import type { ApiDeps } from '../deps';

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
const int = (v: unknown) => Number(v ?? 0);
const str = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));

const LIMIT = 500;

export async function historyRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: { hours: number } }>('/stations/:id/history', {
    config: { role: 'viewer' },
    schema: {
      summary: 'Recent history of one station from InfluxDB: status changes, errors, sessions, connections (newest first)',
      tags: ['stations'],
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] },
      querystring: { type: 'object', additionalProperties: false, properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 31, default: 24 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            statusTimeline: { type: 'array', items: { type: 'object', properties: { time: { type: 'string' }, evseId: { type: 'integer' }, connectorId: { type: 'integer' }, status: { type: 'string' }, errorCode: { type: 'string' } } } },
            errors: { type: 'array', items: { type: 'object', properties: { time: { type: 'string' }, evseId: { type: 'integer' }, connectorId: { type: 'integer' }, errorCode: { type: 'string' }, vendorErrorCode: { type: 'string' }, info: { type: 'string' } } } },
            sessions: { type: 'array', items: { type: 'object', properties: { transactionId: { type: 'string' }, evseId: { type: 'integer' }, connectorId: { type: 'integer' }, startedAt: { type: 'string' }, endedAt: { type: 'string' }, energyWh: { type: 'number' }, stoppedReason: { type: 'string' } } } },
            connections: { type: 'array', items: { type: 'object', properties: { time: { type: 'string' }, event: { type: 'string' }, remoteAddress: { type: 'string' }, code: { type: 'integer' }, reason: { type: 'string' } } } },
          },
        },
        404: errorSchema,
        503: errorSchema,
      },
    },
  }, async (req, reply) => {
    const { id } = req.params;
    if (!(await deps.store.exists(id))) return reply.code(404).send({ error: 'Not Found', message: `station ${id} is not known` });
    const where = `station_id = ${influxString(encodeTagValue(id))} AND time > now() - ${req.query.hours}h`;
    let status: Row[];
    let errors: Row[];
    let tx: Row[];
    let conns: Row[];
    try {
      [status, errors, tx, conns] = await Promise.all([
        deps.influx.query(`SELECT status, error_code, evse, connector FROM connector_status WHERE ${where} ORDER BY time DESC LIMIT ${LIMIT}`),
        deps.influx.query(`SELECT error_code, vendor_error_code, info, evse, connector FROM connector_status WHERE ${where} AND error_code != 'NoError' ORDER BY time DESC LIMIT ${LIMIT}`),
        deps.influx.query(`SELECT transaction_id, energy_wh, stopped_reason, event, evse, connector FROM "transaction" WHERE ${where} AND (event = 'started' OR event = 'ended') ORDER BY time DESC LIMIT ${LIMIT * 2}`),
        deps.influx.query(`SELECT remote_address, code, reason, event FROM connection WHERE ${where} ORDER BY time DESC LIMIT ${LIMIT}`),
      ]);
    } catch (err) {
      req.log.warn({ err }, 'station history query failed');
      return reply.code(503).send({ error: 'Service Unavailable', message: 'history is unavailable: InfluxDB did not answer' });
    }
    // A session is the started and the ended point of one transaction id; either may be outside the window.
    const sessions = new Map<string, { transactionId: string; evseId: number; connectorId: number; startedAt?: string; endedAt?: string; energyWh?: number; stoppedReason?: string; order: number }>();
    for (const r of tx) {
      const key = String(r.transaction_id);
      const s = sessions.get(key) ?? { transactionId: key, evseId: int(r.evse), connectorId: int(r.connector), order: Number(r.time) };
      if (r.event === 'started') s.startedAt = iso(r.time);
      else {
        s.endedAt = iso(r.time);
        if (r.energy_wh !== null && r.energy_wh !== undefined) s.energyWh = Number(r.energy_wh);
        s.stoppedReason = str(r.stopped_reason);
      }
      s.order = Math.max(s.order, Number(r.time));
      sessions.set(key, s);
    }
    return {
      statusTimeline: status.map((r) => ({ time: iso(r.time), evseId: int(r.evse), connectorId: int(r.connector), status: String(r.status), errorCode: String(r.error_code ?? 'NoError') })),
      errors: errors.map((r) => ({ time: iso(r.time), evseId: int(r.evse), connectorId: int(r.connector), errorCode: String(r.error_code), vendorErrorCode: str(r.vendor_error_code), info: str(r.info) })),
      sessions: [...sessions.values()].sort((a, b) => b.order - a.order).map(({ order: _order, ...s }) => s),
      connections: conns.map((r) => ({ time: iso(r.time), event: String(r.event), remoteAddress: str(r.remote_address), code: r.code === null || r.code === undefined ? undefined : int(r.code), reason: str(r.reason) })),
    };
  });
}
