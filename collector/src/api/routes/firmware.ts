/**
 * The firmware catalogue and the fleet's firmware (viewer reads, editor writes):
 *
 *   GET    /api/v1/firmware/releases                  releases, newest first (?vendor, ?model, paged)
 *   POST   /api/v1/firmware/releases                  add a release (400 with every problem; 409 duplicate)
 *   GET    /api/v1/firmware/releases/{id}             one release, with certificate and signature
 *   DELETE /api/v1/firmware/releases/{id}             remove one nothing refers to (409 when in use)
 *   GET    /api/v1/firmware/targets                   the target release per vendor/model
 *   PUT    /api/v1/firmware/targets/{vendor}/{model}  set ({releaseId}) or clear ({releaseId: null}) it
 *   GET    /api/v1/firmware/inventory                 stations per vendor/model/version, on/off/no target
 *   GET    /api/v1/firmware/drift                     stations off their target, paged
 *
 * Firmware lives in PostgreSQL: without DATABASE_URL (or before migrations applied) every firmware
 * route answers 503 with why. Changes are audited with the user by api/audit-changes.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JsonSchema } from '@chargewatch/model';
import {
  FirmwareCatalogueError,
  coercingJsonValidator,
  driftPage,
  readStationFirmware,
  strictJsonValidator,
  summarizeInventory,
  validateFirmwareRelease,
  type FirmwareServiceDeps,
} from '@chargewatch/platform';
import type { Redis } from 'ioredis';
import { errorSchema } from '../schemas';
import { requestActor } from '../request-actor';
import {
  driftQuery,
  driftSchema,
  idParams,
  inventorySchema,
  modelParams,
  releaseBodySchema,
  releaseListQuery,
  releaseSchema,
  releaseSummaryView,
  releaseView,
  targetBodySchema,
  targetSchema,
  targetView,
} from '../firmware-schemas';

/** What the firmware routes need; `service` is absent without DATABASE_URL. */
export interface FirmwareApiContext {
  service?: FirmwareServiceDeps;
  /** true once the database answers and is migrated. */
  ready(): boolean;
  redis: Redis;
  prefix: string;
}

const E = {
  400: errorSchema,
  404: errorSchema,
  409: errorSchema,
  503: errorSchema,
} as const;

export const badRequest = (reply: FastifyReply, message: string) => reply.code(400).send({ error: 'Bad Request', message });
export const notFound = (reply: FastifyReply, message: string) => reply.code(404).send({ error: 'Not Found', message });
export const conflict = (reply: FastifyReply, message: string) => reply.code(409).send({ error: 'Conflict', message });

/** Strict bodies, coerced query strings, and 503 while firmware cannot work; call first in each firmware scope. */
export function firmwareScope(app: FastifyInstance, ctx: FirmwareApiContext): void {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictJsonValidator(schema as JsonSchema) : coercingJsonValidator(schema as JsonSchema)));
  app.addHook('preHandler', async (_req, reply) => {
    if (!ctx.service) return reply.code(503).send({ error: 'Service Unavailable', message: 'firmware needs PostgreSQL: DATABASE_URL is not set on this collector' });
    if (!ctx.ready()) return reply.code(503).send({ error: 'Service Unavailable', message: 'PostgreSQL is not ready (unreachable, or migrations not yet applied); try again shortly' });
    return undefined;
  });
}

/** The service; the preHandler has answered 503 already when there is none. */
export const serviceOf = (ctx: FirmwareApiContext): FirmwareServiceDeps => ctx.service!;

export function firmwareRoutes(ctx: FirmwareApiContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    firmwareScope(app, ctx);
    const tags = ['firmware'];

    app.get<{ Querystring: { vendor?: string; model?: string; limit: number; offset: number } }>('/firmware/releases', {
      config: { role: 'viewer' },
      schema: { summary: 'Firmware releases, newest first (without certificate and signature)', tags, querystring: releaseListQuery, response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: releaseSchema } } }, ...E } },
    }, async (req) => {
      const page = await serviceOf(ctx).catalogue.listReleases(req.query);
      return { total: page.total, items: page.items.map(releaseSummaryView) };
    });

    app.post<{ Body: unknown }>('/firmware/releases', {
      config: { role: 'editor' },
      schema: { summary: 'Adds a firmware release to the catalogue', tags, body: releaseBodySchema, response: { 201: releaseSchema, ...E } },
    }, async (req, reply) => {
      const v = validateFirmwareRelease(req.body);
      if (!v.ok) return badRequest(reply, v.errors.join('; '));
      try {
        return reply.code(201).send(releaseView(await serviceOf(ctx).catalogue.createRelease(v.release, requestActor(req))));
      } catch (err) {
        if (err instanceof FirmwareCatalogueError && err.code === 'duplicate') return conflict(reply, err.message);
        throw err;
      }
    });

    app.get<{ Params: { id: string } }>('/firmware/releases/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One firmware release', tags, params: idParams, response: { 200: releaseSchema, ...E } },
    }, async (req, reply) => {
      const r = await serviceOf(ctx).catalogue.getRelease(req.params.id);
      return r ? releaseView(r) : notFound(reply, `no firmware release ${req.params.id}`);
    });

    app.delete<{ Params: { id: string } }>('/firmware/releases/:id', {
      config: { role: 'editor' },
      schema: { summary: 'Removes a release no target or update names', tags, params: idParams, response: { 200: releaseSchema, ...E } },
    }, async (req, reply) => {
      try {
        return releaseView(await serviceOf(ctx).catalogue.deleteRelease(req.params.id));
      } catch (err) {
        if (err instanceof FirmwareCatalogueError && err.code === 'not_found') return notFound(reply, err.message);
        if (err instanceof FirmwareCatalogueError && err.code === 'in_use') return conflict(reply, err.message);
        throw err;
      }
    });

    app.get('/firmware/targets', {
      config: { role: 'viewer' },
      schema: { summary: 'The target release of each vendor/model', tags, response: { 200: { type: 'array', items: targetSchema }, ...E } },
    }, async () => (await serviceOf(ctx).catalogue.listTargets()).map(targetView));

    app.put<{ Params: { vendor: string; model: string }; Body: { releaseId: string | null } }>('/firmware/targets/:vendor/:model', {
      config: { role: 'editor' },
      schema: {
        summary: 'Sets the release every station of a vendor/model should run; releaseId null clears it',
        tags,
        params: modelParams,
        body: targetBodySchema,
        response: { 200: { anyOf: [targetSchema, { type: 'object', properties: { vendor: { type: 'string' }, model: { type: 'string' }, cleared: { type: 'boolean' } } }] }, ...E },
      },
    }, async (req, reply) => {
      const { vendor, model } = req.params;
      try {
        const t = await serviceOf(ctx).catalogue.setTarget(vendor, model, req.body.releaseId, requestActor(req));
        return t ? targetView(t) : { vendor, model, cleared: true };
      } catch (err) {
        if (err instanceof FirmwareCatalogueError && err.code === 'not_found') return notFound(reply, err.message);
        if (err instanceof FirmwareCatalogueError && err.code === 'wrong_model') return badRequest(reply, err.message);
        throw err;
      }
    });

    app.get('/firmware/inventory', {
      config: { role: 'viewer' },
      schema: { summary: 'Booted stations per vendor/model/version, and whether they run the target', tags, response: { 200: inventorySchema, ...E } },
    }, async () => {
      const { stations, unbooted } = await readStationFirmware(ctx.redis, ctx.prefix, await serviceOf(ctx).catalogue.listTargets());
      return summarizeInventory(stations, unbooted);
    });

    app.get<{ Querystring: { vendor?: string; model?: string; limit: number; offset: number } }>('/firmware/drift', {
      config: { role: 'viewer' },
      schema: { summary: 'Stations that do not run their vendor/model\'s target release, paged', tags, querystring: driftQuery, response: { 200: driftSchema, ...E } },
    }, async (req) => {
      const { stations } = await readStationFirmware(ctx.redis, ctx.prefix, await serviceOf(ctx).catalogue.listTargets());
      return driftPage(stations, req.query);
    });
  };
}
