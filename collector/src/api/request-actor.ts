/**
 * Who made a request. The API's auth hook (api-auth.ts) decorates each /api request with `actor`: the
 * Grafana user the plugin proxy forwards in X-Grafana-User, or the API token, with the role the
 * request holds. A request that has none (refused before the hook could tell, or outside /api) acts as
 * the default API token, which is what API_TOKEN is.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from '@chargewatch/model';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs (checked by the API's auth hook; every /api route declares one). */
    role?: Role;
    /**
     * What the audit keeps of this route's request body instead of the generic redaction (routes whose
     * bodies hold personal data or whole files: tokens, imports).
     */
    auditBody?: (body: unknown) => unknown;
  }
  interface FastifyRequest {
    /** Set by the API's auth hook; null until then. */
    actor: Actor | null;
  }
}

/** The API token's actor: API_TOKEN carries every right; X-ChargeWatch-Role can only lower `role`. */
export const TOKEN_ACTOR: Actor = { kind: 'api-token', name: 'default', role: 'admin' };

export function requestActor(req: FastifyRequest): Actor {
  return req.actor ?? TOKEN_ACTOR;
}
