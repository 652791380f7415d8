/**
 * Authentication and roles of the /api scope. The hook is added to the fastify scope that holds every
 * /api route, so fastify runs it for whatever request the router sends to one of those routes (or to
 * the scope's 404 handler) — however the request target was spelled. Nothing here looks at the URL: a
 * check on the raw string and a router that decodes it disagree (`/%61pi/v1/…`, `http://x/api/…`).
 *
 * In order: the bearer token (401), then the request's role — the token holds admin, and
 * X-ChargeWatch-Role (sent by the Grafana plugin's routes) can only lower it (400 when malformed) —
 * against the route's `config.role` (403). X-Grafana-User, set by Grafana's plugin proxy with
 * `[dataproxy] send_user_header = true`, names the actor. Every refusal is counted and logged.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { ROLES, roleAtLeast, type Actor, type Role } from '@chargewatch/model';
import { TOKEN_ACTOR } from './request-actor';

export const ROLE_HEADER = 'x-chargewatch-role';
export const USER_HEADER = 'x-grafana-user';
/** Grafana's own limit on a login (its user.login column). */
export const LOGIN_MAX_LENGTH = 190;

export interface ApiAuthOptions {
  token: string;
  /** false only for local development (API_AUTH=off): the token is not asked for. */
  auth: boolean;
  registry: Registry;
}

export type DenyReason = 'token' | 'header' | 'role';

export function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class HeaderError extends Error {}

/** The one value of a header; sent twice it is ambiguous (node would join the values with ", "). */
function single(req: FastifyRequest, name: string): string | undefined {
  const values = req.raw.headersDistinct[name];
  if (!values) return undefined;
  if (values.length > 1) throw new HeaderError(`${name} sent ${values.length} times; send it once`);
  return values[0];
}

/** The role the request holds: the token's (admin), lowered by X-ChargeWatch-Role, never raised. */
export function requestRole(value: string | undefined, tokenRole: Role = TOKEN_ACTOR.role): Role {
  if (value === undefined) return tokenRole;
  const asked = ROLES.find((r) => r === value);
  if (!asked) throw new HeaderError(`X-ChargeWatch-Role must be one of ${ROLES.join(', ')}`);
  return roleAtLeast(tokenRole, asked) ? asked : tokenRole;
}

/** No control, format, private-use or unassigned characters, nor U+FFFD (bytes that were not UTF-8). */
const PRINTABLE = /^[^\p{C}\uFFFD]+$/u;

/**
 * The Grafana login in X-Grafana-User. Node reads header bytes as latin1; Grafana sends the login's
 * UTF-8 bytes, so they are decoded as such. Bounded and printable, since it is stored and logged.
 */
export function grafanaLogin(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const login = Buffer.from(value, 'latin1').toString('utf8').trim();
  if (login === '' || [...login].length > LOGIN_MAX_LENGTH || !PRINTABLE.test(login)) {
    throw new HeaderError(`X-Grafana-User must be a Grafana login: 1 to ${LOGIN_MAX_LENGTH} printable characters`);
  }
  return login;
}

/** The request's actor from its headers (throws HeaderError on a malformed one). */
export function actorOf(req: FastifyRequest): Actor {
  const role = requestRole(single(req, ROLE_HEADER));
  const login = grafanaLogin(single(req, USER_HEADER));
  return login === undefined ? { ...TOKEN_ACTOR, role } : { kind: 'grafana-user', name: login, role };
}

/** Adds the checks to `scope`; call it before the scope's routes and its 404 handler. */
export function apiAuth(scope: FastifyInstance, opts: ApiAuthOptions): void {
  const denied = new Counter({
    name: 'chargewatch_api_denied_total',
    help: 'API requests refused: no or wrong token (401), malformed role or user header (400), role too low for the route (403)',
    labelNames: ['reason'],
    registers: [opts.registry],
  });
  for (const reason of ['token', 'header', 'role'] satisfies DenyReason[]) denied.labels(reason);

  const deny = (req: FastifyRequest, reply: FastifyReply, reason: DenyReason, status: number, error: string, message: string) => {
    denied.labels(reason).inc();
    req.log.warn({ reason, status, method: req.method, route: req.routeOptions.url, actor: req.actor ?? undefined, remoteAddress: req.ip }, `API request refused: ${message}`);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send({ error, message });
  };

  // A route without a role would be open to every holder of the token; refuse to start instead.
  scope.addHook('onRoute', (route) => {
    // A module written for the root instance would end up at /api/v1/api/v1/…: say so at start.
    if (/^\/api\/v\d+\/api\//.test(route.url)) throw new Error(`${route.method} ${route.url}: paths of /api route modules are relative to /api/v1`);
    const role = route.config?.role;
    if (!role || !ROLES.includes(role)) {
      throw new Error(`${route.method} ${route.url}: every /api route must declare config.role (${ROLES.join(', ')})`);
    }
  });

  scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (opts.auth && !tokenMatches(req.headers.authorization, opts.token)) {
      return deny(req, reply, 'token', 401, 'Unauthorized', 'send Authorization: Bearer <API_TOKEN>');
    }
    try {
      req.actor = actorOf(req);
    } catch (err) {
      if (!(err instanceof HeaderError)) throw err;
      return deny(req, reply, 'header', 400, 'Bad Request', err.message);
    }
    // The scope's 404 handler has no role: nothing is there to protect.
    const needed = req.routeOptions.config?.role;
    if (needed && !roleAtLeast(req.actor.role, needed)) {
      return deny(req, reply, 'role', 403, 'Forbidden', `${req.method} ${req.routeOptions.url} needs role ${needed}; this request holds ${req.actor.role} (X-ChargeWatch-Role)`);
    }
  });
}
