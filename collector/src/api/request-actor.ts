/**
 * Who made a request. The API's auth hook decorates each request with `actor` (the Grafana user the
 * plugin forwards, or the API token's name); a request that arrives without one acts as the default
 * API token, which is what API_TOKEN is.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor, Role } from '@chargewatch/model';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a route needs (checked by the API's auth hook). */
    role?: Role;
  }
}

const DEFAULT_TOKEN_ACTOR: Actor = { kind: 'api-token', name: 'default', role: 'admin' };

export function requestActor(req: FastifyRequest): Actor {
  return (req as FastifyRequest & { actor?: Actor }).actor ?? DEFAULT_TOKEN_ACTOR;
}
