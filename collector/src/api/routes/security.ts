/**
 * Station security settings (OCPP security profiles) and refused handshakes.
 *
 *   PUT    /api/v1/stations/{id}/security   set profile, password (rotation = PUT a new one), pinned cert
 *   GET    /api/v1/stations/{id}/security   profile, whether a password is set, recent failures
 *   DELETE /api/v1/stations/{id}/security   back to OCPP_DEFAULT_SECURITY_PROFILE
 *   GET    /api/v1/security/auth-failures   addresses and identities with most refused handshakes
 *
 * No response ever carries the password or its hash (the response schemas list the fields sent).
 * Failure counts are this collector instance's, since it started.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps';
import { errorSchema } from '../schemas';
import type { StationAuth } from '../../ocpp/auth';
import type { FailureStats } from '../../ocpp/auth/failures';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PasswordPolicyError } from '../../ocpp/auth/passwords';
import type { SecurityProfile, StationSecurityRecord } from '../../ocpp/auth/station-security';

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

const failureSchema = {
  type: ['object', 'null'],
  properties: {
    count: { type: 'integer' },
    firstAt: { type: 'string' },
    lastAt: { type: 'string' },
    lastReason: { type: 'string' },
    byReason: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

const securitySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    profile: { type: 'integer' },
    source: { type: 'string', enum: ['station', 'default'] },
    passwordSet: { type: 'boolean' },
    certFingerprint: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'] },
    recentFailures: failureSchema,
    lockedForSec: { type: 'integer', description: 'Seconds the identity stays locked out after wrong passwords (this collector); 0 when not locked' },
  },
} as const;

function failureView(s: FailureStats | undefined) {
  return s ? { count: s.count, firstAt: iso(s.firstAt), lastAt: iso(s.lastAt), lastReason: s.lastReason, byReason: s.byReason } : null;
}

interface PutBody {
  profile: SecurityProfile;
  password?: string;
  certFingerprint?: string;
}

export function securityRoutes(auth: StationAuth) {
  return async function routes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
    const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] } as const;

    const view = async (id: string, record: StationSecurityRecord | undefined) => ({
      id,
      profile: record?.profile ?? auth.security.defaultProfile,
      source: record ? 'station' : 'default',
      passwordSet: Boolean(record?.passwordHash),
      certFingerprint: record?.certFingerprint ?? null,
      updatedAt: iso(record?.updatedAt),
      recentFailures: failureView(auth.failures.forStation(id)),
      lockedForSec: Math.ceil((await auth.guard.lockout.lockedFor(id)) / 1000),
    });

    app.put<{ Params: { id: string }; Body: PutBody }>('/stations/:id/security', {
      config: { role: 'admin' },
      schema: {
        summary: 'Set a station\'s OCPP security profile; send a new password to rotate it',
        description:
          'Profile 0: no authentication. 1: HTTP Basic (ws or wss). 2: HTTP Basic over TLS only. 3: TLS client certificate whose subject CN is the station identity ' +
          '(or whose SHA-256 fingerprint equals certFingerprint). A password is required for profiles 1 and 2 unless one is stored. ' +
          'The password is stored only as an scrypt hash and never returned. The station may be configured before it first connects.',
        tags: ['security'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['profile'],
          properties: {
            profile: { type: 'integer', enum: [0, 1, 2, 3] },
            password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
            certFingerprint: { type: 'string', maxLength: 200 },
          },
        },
        response: { 200: securitySchema, 400: errorSchema },
      },
    }, async (req, reply) => {
      const { profile } = req.body;
      if (profile === 2 && !auth.tls.server) return reply.code(400).send({ error: 'Bad Request', message: 'profile 2 needs TLS on the OCPP port (OCPP_TLS_CERT/OCPP_TLS_KEY); no station could connect' });
      if (profile === 3 && !auth.tls.clientCa) return reply.code(400).send({ error: 'Bad Request', message: 'profile 3 needs client certificates on the OCPP port (OCPP_TLS_CA); no station could connect' });
      try {
        const record = await auth.security.set(req.params.id, req.body);
        req.log.info({ stationId: req.params.id, profile, passwordChanged: req.body.password !== undefined }, 'station security changed');
        return view(req.params.id, record);
      } catch (err) {
        if (err instanceof PasswordPolicyError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
        throw err;
      }
    });

    app.get<{ Params: { id: string } }>('/stations/:id/security', {
      config: { role: 'admin' },
      schema: {
        summary: 'A station\'s security profile, whether a password is set, and refused handshakes under its identity',
        tags: ['security'],
        params: idParams,
        response: { 200: securitySchema, 404: errorSchema },
      },
    }, async (req, reply) => {
      const { id } = req.params;
      const record = await auth.security.get(id);
      if (!record && !(await deps.store.exists(id)) && !auth.failures.forStation(id)) {
        return reply.code(404).send({ error: 'Not Found', message: `station ${id} is not known and has no security settings` });
      }
      return view(id, record);
    });

    app.delete<{ Params: { id: string } }>('/stations/:id/security', {
      config: { role: 'admin' },
      schema: {
        summary: 'Remove a station\'s own security settings (password included); OCPP_DEFAULT_SECURITY_PROFILE then applies',
        tags: ['security'],
        params: idParams,
        response: { 200: securitySchema, 404: errorSchema },
      },
    }, async (req, reply) => {
      if (!(await auth.security.remove(req.params.id))) return reply.code(404).send({ error: 'Not Found', message: `station ${req.params.id} has no security settings` });
      return view(req.params.id, undefined);
    });

    const rowSchema = (key: string) => ({
      type: 'object',
      properties: { [key]: { type: 'string' }, ...failureSchema.properties },
    });

    app.get<{ Querystring: { limit: number } }>('/security/auth-failures', {
      config: { role: 'admin' },
      schema: {
        summary: 'Addresses and station identities with the most refused handshakes (this instance, since start)',
        tags: ['security'],
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } } },
        response: {
          200: {
            type: 'object',
            properties: {
              stations: { type: 'array', items: rowSchema('stationId') },
              addresses: { type: 'array', items: rowSchema('address') },
              totals: { type: 'object', additionalProperties: { type: 'integer' } },
              tracked: { type: 'object', properties: { stations: { type: 'integer' }, addresses: { type: 'integer' }, capacity: { type: 'integer' } } },
              securityEventsSkipped: { type: 'object', properties: { budget: { type: 'integer' }, unknownStation: { type: 'integer' } } },
            },
          },
        },
      },
    }, async (req) => {
      const { limit } = req.query;
      const rows = (kind: 'stations' | 'addresses', key: string) =>
        auth.failures.top(kind, limit).map((r) => ({ [key]: r.key, ...failureView(r) }));
      return {
        stations: rows('stations', 'stationId'),
        addresses: rows('addresses', 'address'),
        totals: auth.failures.totals,
        tracked: { ...auth.failures.tracked, capacity: auth.failures.capacity },
        securityEventsSkipped: auth.guard.eventsSkipped,
      };
    });
  };
}
