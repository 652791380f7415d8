/** How commands appear in the API: the record with ISO times, and its JSON schema for the OpenAPI document. */
import { COMMAND_NAMES, COMMAND_OUTCOMES, redactCommandResult, type CommandRecord } from '@chargewatch/model';
import { iso } from './station-query';

const resultSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: COMMAND_OUTCOMES },
    reason: { type: 'string' },
    data: { type: 'object', additionalProperties: true, description: 'The station\'s answer in neutral form (configuration values, list version, file name, …)' },
  },
  required: ['status'],
} as const;

export const commandRecordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    stationId: { type: 'string' },
    name: { type: 'string', enum: COMMAND_NAMES },
    params: { type: 'object', additionalProperties: true, description: 'As submitted, with token ids masked and secrets removed' },
    actor: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } },
    status: { type: 'string', enum: ['queued', 'sending', ...COMMAND_OUTCOMES] },
    submittedAt: { type: 'string', format: 'date-time' },
    deadline: { type: 'string', format: 'date-time', description: 'Latest time to send it' },
    waitForConnection: { type: 'boolean' },
    sentAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    collectorId: { type: 'string' },
    protocol: { type: 'string' },
    action: { type: 'string', description: 'The OCPP action the adapter chose' },
    result: resultSchema,
  },
  required: ['id', 'stationId', 'name', 'params', 'actor', 'status', 'submittedAt', 'deadline', 'waitForConnection'],
} as const;

export function commandView(r: CommandRecord) {
  return {
    ...r,
    submittedAt: iso(r.submittedAt),
    deadline: iso(r.deadline),
    sentAt: iso(r.sentAt),
    finishedAt: iso(r.finishedAt),
    result: r.result && redactCommandResult(r.name, r.result),
  };
}
