import { encodeTagValue } from '@chargewatch/platform';
import type { FastifyInstance } from 'fastify';
import { availabilityRatio } from '@chargewatch/model';
import type { StationFilter } from '../station-query';
import type { ApiDeps } from '../deps';
import { influxString } from '../influx-reader';

function startOfTodayUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export async function fleetRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get<{ Querystring: StationFilter }>('/fleet/summary', {
    config: { role: 'viewer' },
    schema: {
      summary: 'Fleet KPIs: stations online/offline, connectors by status, availability, faults, sessions and energy today (UTC)',
      tags: ['fleet'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { site: { type: 'string' }, vendor: { type: 'string' }, model: { type: 'string' }, firmware: { type: 'string' } },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            stations: { type: 'object', properties: { total: { type: 'integer' }, online: { type: 'integer' }, offline: { type: 'integer' } } },
            connectors: { type: 'object', properties: { total: { type: 'integer' }, byStatus: { type: 'object', additionalProperties: { type: 'integer' } } } },
            availability: { type: ['number', 'null'] },
            faultedNow: { type: 'integer' },
            sessions: { type: 'object', properties: { active: { type: 'integer' }, startedToday: { type: ['integer', 'null'] } } },
            energyTodayWh: { type: ['number', 'null'] },
            historyAvailable: { type: 'boolean' },
            generatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  }, async (req) => {
    const now = Date.now();
    // Counters kept by the fleet index as stations change: no scan for the whole fleet, an in-memory
    // pass over the index's rows for a filtered view.
    await deps.query.index.fresh();
    const { totals: t, ids: matching } = await deps.query.index.summary(req.query);
    const byStatus = t.byStatus;
    const total = t.outlets;
    const counted = { working: t.working, down: t.down, uncounted: t.uncounted };
    const faulted = t.faulted;
    const active = t.active;
    const online = t.online;
    let startedToday: number | null = null;
    let energyTodayWh: number | null = null;
    let historyAvailable = true;
    try {
      const since = `time >= ${startOfTodayUtc(now)}ms`;
      const filtered = Object.keys(req.query).length > 0;
      const ids = filtered ? (matching ?? []) : [];
      // Filtered views restrict history to the matching stations; an empty match needs no query.
      const stationClause = filtered ? ` AND (${ids.length ? ids.map((id) => `station_id = ${influxString(encodeTagValue(id))}`).join(' OR ') : 'station_id = \'\''})` : '';
      const [started, energy] = await Promise.all([
        deps.influx.query(`SELECT count(transaction_id) AS n FROM "transaction" WHERE event = 'started' AND ${since}${stationClause}`),
        deps.influx.query(`SELECT sum(energy_wh) AS wh FROM "transaction" WHERE event = 'ended' AND ${since}${stationClause}`),
      ]);
      startedToday = Number(started[0]?.n ?? 0);
      energyTodayWh = Number(energy[0]?.wh ?? 0);
    } catch (err) {
      historyAvailable = false;
      req.log.warn({ err }, 'fleet summary without history: InfluxDB query failed');
    }
    return {
      stations: { total: t.stations, online, offline: t.stations - online },
      connectors: { total, byStatus },
      availability: availabilityRatio(counted),
      faultedNow: faulted,
      sessions: { active, startedToday },
      energyTodayWh,
      historyAvailable,
      generatedAt: new Date(now).toISOString(),
    };
  });
}
