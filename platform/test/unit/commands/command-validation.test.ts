/** Command parameters against the model's schemas, as the bus and the API validate them. */
import fc from 'fast-check';
import { COMMAND_NAMES, type CommandName } from '@chargewatch/model';
import { CommandValidationError, validateCommand } from '../../../src/commands/command-validation';

/** One valid example of every command, exercising its optional fields. */
const EXAMPLES: Record<CommandName, unknown> = {
  Reset: { type: 'hard', evseId: 1 },
  TriggerMessage: { message: 'status', evseId: 1, connectorId: 1 },
  ChangeAvailability: { availability: 'inoperative', evseId: 2 },
  UnlockConnector: { evseId: 1, connectorId: 1 },
  RemoteStart: { idToken: { id: '04A1B2C3', type: 'ISO14443' }, evseId: 1, remoteStartId: 7 },
  RemoteStop: { transactionId: '42' },
  GetSettings: { settings: [{ key: 'HeartbeatInterval' }, { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attribute: 'Actual' }] },
  SetSettings: { settings: [{ key: 'HeartbeatInterval', value: '60' }] },
  ClearCache: {},
  GetLocalListVersion: {},
  SendLocalList: { updateType: 'differential', version: 3, entries: [{ idToken: { id: 'AB12' }, status: 'Blocked', expiresAt: '2030-01-01T00:00:00Z', groupId: 'G1' }, { idToken: { id: 'CD34' } }] },
  UpdateFirmware: { location: 'https://fw.example.com/a.bin', retrieveAt: '2026-01-01T00:00:00Z', retries: 3, retryIntervalSec: 60, signingCertificate: '-----BEGIN CERTIFICATE-----', signature: 'c2ln', requestId: 5 },
  GetLog: { location: 'ftp://logs.example.com/up', logType: 'security', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
  DataTransfer: { vendorId: 'com.example', messageId: 'Echo', data: { any: ['json', 1] } },
};

describe('command parameters', () => {
  it.each(COMMAND_NAMES)('accepts a full %s', (name) => {
    expect(validateCommand(name, EXAMPLES[name])).toEqual({ name, params: EXAMPLES[name] });
  });

  it.each([
    ['Reset', { type: 'soft', tpye: 'hard' }, /must NOT have additional properties/],
    ['Reset', { type: 'warm' }, /must be equal to one of the allowed values/],
    ['Reset', { type: 'soft', evseId: '1' }, /must be integer/],
    ['TriggerMessage', { message: 'status', connectorId: 1 }, /must NOT be valid/],
    ['ChangeAvailability', { availability: 'operative', evseId: -1 }, /must be >= 0/],
    ['UnlockConnector', {}, /must have required property 'evseId'/],
    ['RemoteStart', { idToken: { id: 'tab\there' } }, /must match pattern/],
    ['RemoteStart', { idToken: { id: 'x'.repeat(37) } }, /must NOT have more than 36 characters/],
    ['RemoteStart', { idToken: { id: 'A', type: 'Unknown' } }, /allowed values/],
    ['SetSettings', { settings: [] }, /must NOT have fewer than 1 items/],
    ['SetSettings', { settings: [{ key: 'A' }] }, /settings\/0 must have required property 'value'/],
    ['SendLocalList', { updateType: 'full', version: 0 }, /must be >= 1/],
    ['UpdateFirmware', { location: 'https://x/a', retrieveAt: '2026-01-01T00:00:00Z', signature: 'c2ln' }, /must match a schema in anyOf/],
    ['UpdateFirmware', { location: 'not a uri', retrieveAt: '2026-01-01T00:00:00Z' }, /must match format "uri"/],
    ['GetLog', { location: 'https://x/a', from: 'yesterday' }, /must match format "date-time"/],
    ['DataTransfer', { vendorId: '' }, /must NOT have fewer than 1 characters/],
  ] as const)('refuses %s %j', (name, params, message) => {
    expect(() => validateCommand(name, params)).toThrow(CommandValidationError);
    expect(() => validateCommand(name, params)).toThrow(message);
  });

  it('refuses unknown command names with the list of known ones', () => {
    expect(() => validateCommand('SelfDestruct', {})).toThrow(/unknown command "SelfDestruct"; known: Reset, TriggerMessage/);
  });

  it('answers any hostile input with a validation error, never another exception (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...COMMAND_NAMES), fc.jsonValue(), (name, params) => {
        try {
          validateCommand(name, params);
        } catch (err) {
          expect(err).toBeInstanceOf(CommandValidationError);
          expect((err as Error).message.length).toBeLessThan(2000);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
