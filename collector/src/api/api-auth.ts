/**
 * Authentication of the /api scope. The hook is added to the fastify scope that holds every /api
 * route, so fastify runs it for whatever request the router sends to one of those routes (or to the
 * scope's 404 handler) — however the request target was spelled. Nothing here looks at the URL: a
 * check on the raw string and a router that decodes it disagree (`/%61pi/v1/…`, `http://x/api/…`).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ApiAuthOptions {
  token: string;
  /** false only for local development (API_AUTH=off): the token is not asked for. */
  auth: boolean;
}

export function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Adds the token check to `scope`; call it before the scope's routes and its 404 handler. */
export function apiAuth(scope: FastifyInstance, opts: ApiAuthOptions): void {
  scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (opts.auth && !tokenMatches(req.headers.authorization, opts.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
    }
  });
}
