import { encodeTagValue } from '@chargewatch/platform';
import type { FastifyInstance } from 'fastify';
import { availabilityClass, availabilityRatio, isFaulted, reportedStatus } from '@chargewatch/model';
import { StationQuery, outlets, type StationFilter } from '../station-query';
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
    const stations = (await deps.query.all()).filter((s) => StationQuery.matches(s, req.query));
    const byStatus: Record<string, number> = {};
    let total = 0;
    const counted = { working: 0, down: 0, uncounted: 0 };
    let faulted = 0;
    let active = 0;
    for (const s of stations) {
      active += s.transactions.length;
      for (const c of outlets(s)) {
        total++;
        // A connector on a station we cannot reach is not available to drivers, whatever it last said.
        const status = reportedStatus(c.status, s.online);
        byStatus[status] = (byStatus[status] ?? 0) + 1;
        counted[availabilityClass(c.status, s.online)]++;
        if (s.online && isFaulted(c.status)) faulted++;
      }
    }
    const online = stations.filter((s) => s.online).length;
    let startedToday: number | null = null;
    let energyTodayWh: number | null = null;
    let historyAvailable = true;
    try {
      const since = `time >= ${startOfTodayUtc(now)}ms`;
      const filtered = Object.keys(req.query).length > 0;
      const ids = filtered ? stations.map((s) => s.id) : [];
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
      stations: { total: stations.length, online, offline: stations.length - online },
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
