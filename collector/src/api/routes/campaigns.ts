/**
 * Firmware campaigns: a dry-run preview of a cohort and its waves, creation, the list, a campaign's
 * detail (waves with their gate figures, the story of transitions), its per-station report, and the
 * operator's pause, resume and cancel. The worker's campaign tick does the rest. Viewers read; Editors
 * create and steer. Every change is audited by the API's audit hook and, with the user, in the
 * campaign's own event rows.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  evaluateGate,
  firmwareVersionMatches,
  isValidWindow,
  planWaves,
  selectCohort,
  tallyWave,
  waveDispatchedAt,
  type CampaignCohort,
  type CampaignPlan,
  type CampaignStatus,
  type CohortCandidate,
  type FirmwareVersionMatch,
} from '@chargewatch/model';
import { CampaignNotFoundError, CampaignTransitionError, recallCampaignUpdates, type CampaignStore, type StationStore } from '@chargewatch/platform';
import type { Pool } from 'pg';
import { firmwareScope, serviceOf, type FirmwareApiContext } from './firmware';
import { campaignBodySchema, campaignDetailSchema, campaignIdParams, campaignSchema, cancelSchema, previewBodySchema, previewSchema, reportRowSchema } from '../campaign-schemas';
import { requestActor } from '../request-actor';
import { errorSchema } from '../schemas';

export interface CampaignRelease {
  id: string;
  vendor: string;
  model: string;
  version: string;
  versionMatch?: FirmwareVersionMatch;
  minPriorVersion?: string;
}

/**
 * The campaign store, the pool its report reads and the registry cohorts are chosen from; absent
 * without DATABASE_URL (the scope answers 503).
 */
export interface CampaignStores {
  campaigns: CampaignStore;
  pool: Pool;
  store: StationStore;
}

interface CampaignRouteDeps extends CampaignStores {
  releases: { getRelease(id: string): Promise<CampaignRelease | undefined> };
}

interface Body {
  name?: string;
  releaseId: string;
  cohort: CampaignCohort;
  plan: CampaignPlan;
}

const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ error: 'Bad Request', message });

/** The stations of the registry as a cohort sees them (vendor, model and version from their last boot). */
async function candidates(store: StationStore): Promise<CohortCandidate[]> {
  const states = await store.getMany(await store.listIds());
  return states.map((s) => ({ id: s.id, site: s.metadata.site, vendor: s.vendor, model: s.model, version: s.firmwareVersion, tags: s.metadata.tags ?? {} }));
}

async function plan(deps: CampaignRouteDeps, body: Body) {
  const release = await deps.releases.getRelease(body.releaseId);
  if (!release) return { error: `no firmware release ${body.releaseId}` };
  const invalid = (body.plan.windows ?? []).find((w) => !isValidWindow(w));
  if (invalid) return { error: `window ${invalid.start}-${invalid.end}: start and end must differ` };
  const selection = selectCohort(await candidates(deps.store), body.cohort, {
    vendor: release.vendor,
    model: release.model,
    minPriorVersion: release.minPriorVersion,
    isTarget: (v) => firmwareVersionMatches(v, release.version, release.versionMatch),
  });
  const sites = new Map(selection.selected.map((c) => [c.id, c.site]));
  const waves = planWaves(selection.selected, body.plan).map((w) => w.map((id) => ({ id, site: sites.get(id) })));
  return { release, selection, waves };
}

/** A pause, resume or cancel: 404 and 409 with the store's message. */
async function steer(reply: FastifyReply, fn: () => Promise<unknown>) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CampaignNotFoundError) return reply.code(404).send({ error: 'Not Found', message: err.message });
    if (err instanceof CampaignTransitionError) return reply.code(409).send({ error: 'Conflict', message: err.message });
    throw err;
  }
}

export function campaignRoutes(ctx: FirmwareApiContext, stores: CampaignStores | undefined) {
  return async function routes(app: FastifyInstance): Promise<void> {
    firmwareScope(app, ctx);
    // Read at request time: the scope's preHandler has answered 503 when there is no database.
    const live = (): CampaignRouteDeps => ({ ...stores!, releases: serviceOf(ctx).catalogue });
    app.post<{ Body: Body }>('/firmware/campaigns/preview', {
      config: { role: 'editor' },
      schema: { summary: 'Dry run: the stations a campaign would take, the ones it leaves out and why, and its waves; nothing is stored', tags: ['firmware'], body: previewBodySchema, response: { 200: previewSchema, 400: errorSchema } },
    }, async (req, reply) => {
      const p = await plan(live(), req.body);
      if ('error' in p) return bad(reply, p.error!);
      const skipped: Record<string, number> = {};
      for (const s of p.selection.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
      return {
        release: { id: p.release.id, vendor: p.release.vendor, model: p.release.model, version: p.release.version },
        selected: p.selection.selected.length,
        skipped,
        skippedSample: p.selection.skipped.slice(0, 50),
        waves: p.waves.map((w, index) => ({ index, size: w.length, sites: new Set(w.map((s) => s.site ?? '')).size, sample: w.slice(0, 20).map((s) => s.id) })),
      };
    });

    app.post<{ Body: Body }>('/firmware/campaigns', {
      config: { role: 'editor' },
      schema: { summary: 'Start a firmware campaign: the cohort is planned into a canary and waves now and does not change afterwards', tags: ['firmware'], body: campaignBodySchema, response: { 201: campaignSchema, 400: errorSchema } },
    }, async (req, reply) => {
      const p = await plan(live(), req.body);
      if ('error' in p) return bad(reply, p.error!);
      if (p.waves.length === 0) return bad(reply, `the cohort selects no station that needs release ${p.release.id} (${p.selection.skipped.length} matched but were left out)`);
      const campaign = await live().campaigns.create({ name: req.body.name!, releaseId: p.release.id, cohort: req.body.cohort, plan: req.body.plan, waves: p.waves, actor: requestActor(req).name, skipped: p.selection.skipped });
      return reply.code(201).send(campaign);
    });

    app.get<{ Querystring: { status?: CampaignStatus; limit: number; offset: number } }>('/firmware/campaigns', {
      config: { role: 'viewer' },
      schema: {
        summary: 'Firmware campaigns, newest first',
        tags: ['firmware'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { status: { type: 'string', enum: ['running', 'paused', 'completed', 'cancelled'] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: campaignSchema } } }, 400: errorSchema },
      },
    }, async (req) => live().campaigns.list(req.query));

    app.get<{ Params: { id: string } }>('/firmware/campaigns/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'A campaign: its waves with live counts and gate figures, and every transition with who made it', tags: ['firmware'], params: campaignIdParams, response: { 200: campaignDetailSchema, 404: errorSchema } },
    }, async (req, reply) => {
      const campaign = await live().campaigns.get(req.params.id);
      if (!campaign) return reply.code(404).send({ error: 'Not Found', message: `no campaign ${req.params.id}` });
      const stations = await live().campaigns.stations(campaign.id);
      const byWave = stations.map((s) => ({ wave: s.wave, state: s.state, ...(s.dispatchedAt ? { dispatchedAt: s.dispatchedAt.getTime() } : {}) }));
      const waves = Array.from({ length: campaign.waveCount }, (_, index) => {
        const tally = tallyWave(byWave, index);
        const deferred: Record<string, number> = {};
        for (const s of stations) {
          if (s.wave !== index || s.state !== 'pending' || !s.deferredReason) continue;
          const reason = s.deferredReason.split(':')[0]!;
          deferred[reason] = (deferred[reason] ?? 0) + 1;
        }
        return { index, tally, gate: evaluateGate(tally, campaign.plan.gate, waveDispatchedAt(byWave, index, tally), Date.now()), deferred };
      });
      return { campaign, waves, events: await live().campaigns.events(campaign.id) };
    });

    app.get<{ Params: { id: string } }>('/firmware/campaigns/:id/report', {
      config: { role: 'viewer' },
      schema: { summary: "Per station: wave, state, result, the update's status timeline and how long it took", tags: ['firmware'], params: campaignIdParams, response: { 200: { type: 'object', properties: { items: { type: 'array', items: reportRowSchema } } }, 404: errorSchema } },
    }, async (req, reply) => {
      if (!(await live().campaigns.get(req.params.id))) return reply.code(404).send({ error: 'Not Found', message: `no campaign ${req.params.id}` });
      const { rows } = await live().pool.query(
        `SELECT cs.station_id, cs.wave, cs.site, cs.state, cs.deferred_reason, cs.failure_reason, cs.update_id, cs.dispatched_at, cs.finished_at,
                u.from_version, u.reported_version, u.timeline
           FROM firmware_campaign_stations cs LEFT JOIN firmware_updates u ON u.id = cs.update_id
          WHERE cs.campaign_id = $1 ORDER BY cs.wave, cs.station_id`,
        [req.params.id],
      );
      return {
        items: rows.map((r) => ({
          stationId: r.station_id,
          wave: r.wave,
          ...(r.site ? { site: r.site } : {}),
          state: r.state,
          ...(r.deferred_reason ? { deferredReason: r.deferred_reason } : {}),
          ...(r.failure_reason ? { failureReason: r.failure_reason } : {}),
          ...(r.update_id ? { updateId: String(r.update_id) } : {}),
          ...(r.dispatched_at ? { dispatchedAt: r.dispatched_at } : {}),
          ...(r.finished_at ? { finishedAt: r.finished_at } : {}),
          ...(r.dispatched_at && r.finished_at ? { durationSec: Math.round((r.finished_at.getTime() - r.dispatched_at.getTime()) / 1000) } : {}),
          ...(r.from_version ? { fromVersion: r.from_version } : {}),
          ...(r.reported_version ? { reportedVersion: r.reported_version } : {}),
          timeline: r.timeline ?? [],
        })),
      };
    });

    for (const action of ['pause', 'resume'] as const) {
      app.post<{ Params: { id: string } }>(`/firmware/campaigns/:id/${action}`, {
        config: { role: 'editor' },
        schema: {
          summary: { pause: 'Pause: nothing more is sent; updates in flight go on', resume: 'Resume a paused campaign (after an automatic pause, the current wave counts as passed)' }[action],
          tags: ['firmware'],
          params: campaignIdParams,
          response: { 200: campaignSchema, 404: errorSchema, 409: errorSchema },
        },
      }, async (req, reply) => steer(reply, () => live().campaigns[action](req.params.id, requestActor(req).name)));
    }

    app.post<{ Params: { id: string }; Querystring: { recall?: boolean } }>('/firmware/campaigns/:id/cancel', {
      config: { role: 'editor' },
      schema: {
        summary: 'Cancel: stations not yet sent their update are dropped; with ?recall=true, updates not yet installing on stations that allow it (1.6 signed, 2.0.1) are called back by a new request for the version they run',
        tags: ['firmware'],
        params: campaignIdParams,
        querystring: { type: 'object', additionalProperties: false, properties: { recall: { type: 'boolean', default: false } } },
        response: { 200: cancelSchema, 404: errorSchema, 409: errorSchema },
      },
    }, async (req, reply) =>
      steer(reply, async () => {
        const actor = requestActor(req);
        const campaign = await live().campaigns.cancel(req.params.id, actor.name);
        if (!req.query.recall) return campaign;
        const recall = await recallCampaignUpdates(serviceOf(ctx), await live().campaigns.stations(campaign.id), actor);
        await live().campaigns.event(live().pool, campaign.id, 'recalled', actor.name, { recalled: recall.filter((r) => r.outcome === 'recalled').length, notPossible: recall.filter((r) => r.outcome === 'not_possible').length });
        return { ...campaign, recall };
      }));
  };
}
