/**
 * Commands to stations, through the command bus (any collector may hold the station's websocket):
 *
 *   POST /api/v1/stations/{id}/commands/{name}   submit; waits up to ?wait= s for the result (200), else 202
 *   GET  /api/v1/commands/{id}                   one command with its result
 *   GET  /api/v1/stations/{id}/commands          the station's command history, newest first
 *
 * Each command has its own route and body schema (the model's, so the API accepts exactly what the bus
 * does). Bodies are validated strictly — an unknown field is a 400, not silently dropped. Every command
 * is audited when submitted and when it ends (the ending side writes that entry).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { COMMAND_NAMES, COMMAND_PARAMS_SCHEMAS, COMMAND_SUMMARIES, isFinalStatus, type Command, type CommandName, type JsonSchema } from '@chargewatch/model';
import {
  CommandQueueFullError,
  CommandValidationError,
  UnknownStationError,
  coercingJsonValidator,
  commandSubmittedEntry,
  strictJsonValidator,
  type AuditLog,
  type CommandBus,
} from '@chargewatch/platform';
import type { ApiDeps } from '../deps';
import { commandRecordSchema, commandView } from '../command-views';
import { requestActor } from '../request-actor';
import { errorSchema } from '../schemas';
import type { CommandOutcomes } from '../../commands/command-outcomes';

declare module 'fastify' {
  interface FastifyInstance {
    /** The command bus, decorated on the commands plugin's scope. */
    commandBus: CommandBus;
  }
}

export interface CommandRouteOptions {
  bus: CommandBus;
  audit: AuditLog;
  outcomes: CommandOutcomes;
  /** Default and largest ?wait=, seconds. */
  waitSec: number;
  waitMaxSec: number;
}

interface SubmitQuery {
  wait?: number;
  deadline?: number;
  waitForConnection: boolean;
}

const stationParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 48 } }, required: ['id'] } as const;
const commandIdParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } as const;
const notFound = (message: string) => ({ error: 'Not Found', message });

export function commandRoutes(opts: CommandRouteOptions) {
  return async function routes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
    app.decorate('commandBus', opts.bus);
    // Bodies strictly (no coercion, unknown fields refused), query strings with coercion of their text.
    app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictJsonValidator(schema as JsonSchema) : coercingJsonValidator(schema as JsonSchema)));
    // Parameterless commands may come without a body.
    app.addHook('preValidation', async (req) => {
      if (req.method === 'POST' && req.body === undefined) req.body = {};
    });

    const submitQuery = {
      type: 'object',
      additionalProperties: false,
      properties: {
        wait: { type: 'integer', minimum: 0, maximum: opts.waitMaxSec, description: `Seconds to wait for the result (default ${opts.waitSec}); 0 answers 202 at once` },
        deadline: { type: 'integer', minimum: 1, maximum: 7 * 24 * 3600, description: 'Seconds within which the command must be sent (default COMMAND_DEADLINE_SEC)' },
        waitForConnection: { type: 'boolean', default: true, description: 'false: end offline at once when the station is not connected' },
      },
    } as const;

    const submit = (name: CommandName) => async (req: FastifyRequest<{ Params: { id: string }; Querystring: SubmitQuery; Body: unknown }>, reply: import('fastify').FastifyReply) => {
      const bus = app.commandBus;
      let record;
      try {
        record = await bus.submit(req.params.id, { name, params: req.body } as Command, {
          actor: requestActor(req),
          deadlineMs: req.query.deadline === undefined ? undefined : req.query.deadline * 1000,
          waitForConnection: req.query.waitForConnection,
        });
      } catch (err) {
        if (err instanceof UnknownStationError) return reply.code(404).send(notFound(err.message));
        if (err instanceof CommandValidationError) return reply.code(400).send({ error: 'Bad Request', message: err.message });
        if (err instanceof CommandQueueFullError) return reply.code(429).send({ error: 'Too Many Requests', message: err.message });
        throw err;
      }
      await opts.audit.record(commandSubmittedEntry(record)).catch((err: Error) => req.log.error({ err, commandId: record.id }, 'could not audit a command'));
      if (record.status === 'offline') opts.outcomes.report([{ id: record.id, status: 'offline' }]);
      const waitMs = (req.query.wait ?? opts.waitSec) * 1000;
      const latest = isFinalStatus(record.status) || waitMs === 0 ? record : ((await bus.wait(record.id, waitMs)) ?? record);
      const final = isFinalStatus(latest.status);
      if (!final) reply.header('location', `/api/v1/commands/${encodeURIComponent(record.id)}`);
      return reply.code(final ? 200 : 202).send(commandView(latest));
    };

    for (const name of COMMAND_NAMES) {
      app.post(`/stations/:id/commands/${name}`, {
        config: { role: 'editor' },
        schema: {
          summary: COMMAND_SUMMARIES[name],
          description:
            'Queues the command for the station (whichever collector holds its websocket sends it, one call at a time) and waits up to `wait` seconds for the result: ' +
            '200 with the ended command, or 202 with the command still queued or on the wire (poll its Location). ' +
            'A station that is not connected gets it when it reconnects within the deadline, unless waitForConnection=false.',
          tags: ['commands'],
          params: stationParams,
          querystring: submitQuery,
          body: COMMAND_PARAMS_SCHEMAS[name],
          response: { 200: commandRecordSchema, 202: commandRecordSchema, 400: errorSchema, 404: errorSchema, 429: errorSchema },
        },
      }, submit(name));
    }

    app.get<{ Params: { id: string } }>('/commands/:id', {
      config: { role: 'viewer' },
      schema: { summary: 'One command: what was asked, by whom, where it is, its result', tags: ['commands'], params: commandIdParams, response: { 200: commandRecordSchema, 404: errorSchema } },
    }, async (req, reply) => {
      const record = await app.commandBus.get(req.params.id);
      return record ? commandView(record) : reply.code(404).send(notFound(`no command ${req.params.id}`));
    });

    app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>('/stations/:id/commands', {
      config: { role: 'viewer' },
      schema: {
        summary: 'The station\'s commands, newest first',
        tags: ['commands'],
        params: stationParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 }, offset: { type: 'integer', minimum: 0, maximum: 10_000, default: 0 } },
        },
        response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: commandRecordSchema } } }, 404: errorSchema },
      },
    }, async (req, reply) => {
      const page = await app.commandBus.listForStation(req.params.id, req.query.limit, req.query.offset);
      if (page.total === 0 && !(await deps.store.exists(req.params.id))) return reply.code(404).send(notFound(`station ${req.params.id} is not known`));
      return { total: page.total, items: page.items.map(commandView) };
    });
  };
}
