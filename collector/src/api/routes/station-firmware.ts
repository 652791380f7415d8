/**
 * Firmware of one station and its updates (viewer reads, editor writes):
 *
 *   GET  /api/v1/stations/{id}/firmware          current version and target, version history, updates with timelines
 *   POST /api/v1/stations/{id}/firmware/update   start an update ({releaseId, retrieveAt?, installAt?, supersede?, force?})
 *   GET  /api/v1/firmware/updates/{id}           one update with its timeline
 *   POST /api/v1/firmware/updates/{id}/cancel    end an open update as cancelled (our record; OCPP cannot call it back)
 *   GET  /api/v1/firmware/maintenance            maintenance periods overlapping [from, to), by station, paged
 *
 * Starting waits up to ?wait= seconds for the station's answer: 201 with the update once answered
 * (accepted, or failed with its reason), 202 while the command still waits for the station. A second
 * open update for the station is 409 unless `supersede`. Besides the request's own audit entry, the
 * service audits `firmware.update.start` with the update id and result.
 */
import type { FastifyInstance } from 'fastify';
import { FirmwareUpdateError, cancelFirmwareUpdate, startFirmwareUpdate, stationFirmwareOf } from '@chargewatch/platform';
import { errorSchema } from '../schemas';
import { requestActor } from '../request-actor';
import { idParams, maintenanceQuery, maintenanceSchema, maintenanceView, startBodySchema, startQuery, stationFirmwareSchema, stationParams, updateSchema, updateView } from '../firmware-schemas';
import { badRequest, conflict, firmwareScope, notFound, serviceOf, type FirmwareApiContext } from './firmware';

const E = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 503: errorSchema } as const;

interface StartBody {
  releaseId: string;
  retrieveAt?: string;
  installAt?: string;
  supersede?: boolean;
  force?: boolean;
}

const ERROR_STATUS: Record<FirmwareUpdateError['code'], 400 | 404 | 409> = {
  unknown_station: 404,
  unknown_release: 404,
  not_booted: 409,
  wrong_model: 400,
  already_on_version: 409,
  open_update: 409,
};

export function stationFirmwareRoutes(ctx: FirmwareApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    firmwareScope(app, ctx);
    const tags = ['firmware'];

    app.get<{ Params: { id: string } }>('/stations/:id/firmware', {
      config: { role: 'viewer' },
      schema: {
        summary: 'A station\'s firmware: what it runs against its target, the versions it booted, its updates with timelines',
        tags,
        params: stationParams,
        response: {
          200: {
            type: 'object',
            properties: {
              current: stationFirmwareSchema,
              versions: { type: 'array', items: { type: 'object', properties: { version: { type: 'string' }, vendor: { type: 'string' }, model: { type: 'string' }, bootedAt: { type: 'string', format: 'date-time' } } } },
              updates: { type: 'array', items: updateSchema },
            },
          },
          ...E,
        },
      },
    }, async (req, reply) => {
      const svc = serviceOf(ctx);
      const station = await svc.stations.get(req.params.id);
      if (!station) return notFound(reply, `no station ${JSON.stringify(req.params.id)} is registered`);
      const current = stationFirmwareOf(station, await svc.catalogue.listTargets());
      const [versions, updates] = await Promise.all([svc.updates.history.versions(req.params.id), svc.updates.listForStation(req.params.id)]);
      return {
        current: current ?? { stationId: req.params.id, online: station.online },
        versions: versions.map((v) => ({ ...v, bootedAt: v.bootedAt.toISOString() })),
        updates: updates.map(updateView),
      };
    });

    app.post<{ Params: { id: string }; Querystring: { wait: number }; Body: StartBody }>('/stations/:id/firmware/update', {
      config: { role: 'editor' },
      schema: { summary: 'Starts a firmware update of one station', tags, params: stationParams, querystring: startQuery, body: startBodySchema, response: { 201: updateSchema, 202: updateSchema, ...E } },
    }, async (req, reply) => {
      const b = req.body;
      const retrieveAt = b.retrieveAt === undefined ? undefined : Date.parse(b.retrieveAt);
      const installAt = b.installAt === undefined ? undefined : Date.parse(b.installAt);
      if (retrieveAt !== undefined && installAt !== undefined && installAt < retrieveAt) return badRequest(reply, 'installAt must not be before retrieveAt');
      try {
        const u = await startFirmwareUpdate(serviceOf(ctx), {
          stationId: req.params.id,
          releaseId: b.releaseId,
          actor: requestActor(req),
          ...(retrieveAt !== undefined ? { retrieveAt } : {}),
          ...(installAt !== undefined ? { installAt } : {}),
          supersede: b.supersede ?? false,
          force: b.force ?? false,
          waitMs: req.query.wait * 1000,
        });
        reply.header('location', `/api/v1/firmware/updates/${u.id}`);
        return reply.code(u.state === 'requested' ? 202 : 201).send(updateView(u));
      } catch (err) {
        if (err instanceof FirmwareUpdateError) {
          const status = ERROR_STATUS[err.code];
          if (status === 404) return notFound(reply, err.message);
          if (status === 409) return conflict(reply, err.message);
          return badRequest(reply, err.message);
        }
        throw err;
      }
    });

    app.get<{ Params: { id: string } }>('/firmware/updates/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One firmware update with its timeline', tags, params: idParams, response: { 200: updateSchema, ...E } },
    }, async (req, reply) => {
      const u = await serviceOf(ctx).updates.get(req.params.id);
      return u ? updateView(u) : notFound(reply, `no firmware update ${req.params.id}`);
    });

    app.post<{ Params: { id: string } }>('/firmware/updates/:id/cancel', {
      config: { role: 'editor' },
      schema: { summary: 'Ends an open update as cancelled (the station is not told: OCPP has no way to)', tags, params: idParams, response: { 200: updateSchema, ...E } },
    }, async (req, reply) => {
      const u = await cancelFirmwareUpdate(serviceOf(ctx), { updateId: req.params.id, actor: requestActor(req) });
      if (!u) return notFound(reply, `no firmware update ${req.params.id}`);
      if (u.state !== 'cancelled') return conflict(reply, `update ${u.id} is ${u.state} already`);
      return updateView(u);
    });

    app.get<{ Querystring: { from?: string; to?: string; station?: string; limit: number; offset: number } }>('/firmware/maintenance', {
      config: { role: 'viewer' },
      schema: { summary: 'Maintenance periods (stations down for a firmware install) overlapping [from, to), newest first', tags, querystring: maintenanceQuery, response: { 200: maintenanceSchema, ...E } },
    }, async (req, reply) => {
      const { from, to, station, limit, offset } = req.query;
      const q = { limit, offset, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}), ...(station ? { stationId: station } : {}) };
      if (q.from && q.to && q.from >= q.to) return badRequest(reply, '"from" must be before "to"');
      const page = await serviceOf(ctx).updates.history.listMaintenance(q);
      return { total: page.total, items: page.items.map(maintenanceView) };
    });
  };
}
