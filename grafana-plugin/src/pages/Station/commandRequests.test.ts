import Ajv from 'ajv';
// the collector's body schemas for these commands (the API and the command bus validate with them)
import { COMMAND_PARAMS_SCHEMAS } from '../../../../model/src/command-schemas';
import { makeCommand } from '../../test/commandFixtures';
import {
  availabilityRequest,
  commandState,
  commandSummary,
  confirmationOf,
  type OperationRequest,
  portTargets,
  resetRequest,
  triggerRequest,
  unlockRequest,
} from './commandRequests';

const port = { evseId: 2, connectorId: 1 };
const REQUESTS: OperationRequest[] = [
  resetRequest('soft'),
  resetRequest('hard'),
  triggerRequest('status'),
  triggerRequest('meterValues', port),
  unlockRequest(port),
  availabilityRequest('inoperative'),
  availabilityRequest('operative', port),
];

describe('operation requests', () => {
  // ajv 6 (draft-07, as the schemas are written); the collector compiles them with ajv 8, strictly
  const ajv = new Ajv({ allErrors: true });

  it.each(REQUESTS.map((r) => [r.name, JSON.stringify(r.params), r] as const))(
    '%s %s is a body the collector accepts',
    (_name, _params, req) => {
      const validate = ajv.compile(COMMAND_PARAMS_SCHEMAS[req.name]);
      expect({ valid: validate(req.params), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
    }
  );

  it('addresses ports only, in order, once each (1.6 connector 0 is the station)', () => {
    const c = (evseId: number, connectorId: number) => ({
      evseId,
      connectorId,
      status: 'Available',
      errorCode: '',
      since: '',
    });
    expect(portTargets([c(2, 1), c(0, 0), c(1, 2), c(1, 1), c(2, 1)])).toEqual([
      { evseId: 1, connectorId: 1 },
      { evseId: 1, connectorId: 2 },
      { evseId: 2, connectorId: 1 },
    ]);
  });
});

describe('confirmations name the station and the effect', () => {
  it.each([
    [resetRequest('hard'), 'Hard reset of CP-9', /CP-9 restarts at once.*cut off/],
    [resetRequest('soft'), 'Soft reset of CP-9', /CP-9 restarts gracefully/],
    [triggerRequest('meterValues', port), 'Trigger MeterValues on CP-9', /MeterValues now for connector 2\/1/],
    [triggerRequest('status'), 'Trigger StatusNotification on CP-9', /for the whole station/],
    [unlockRequest(port), 'Unlock connector 2/1 of CP-9', /a charging session on it ends/],
    [availabilityRequest('inoperative'), 'Set the whole station of CP-9 inoperative', /takes no new charging sessions/],
    [availabilityRequest('operative', port), 'Set connector 2/1 of CP-9 operative', /available for charging again/],
  ])('%j', (req, title, body) => {
    const c = confirmationOf('CP-9', req);
    expect(c.title).toBe(title);
    expect(c.body).toMatch(body);
    expect(c.body).toContain('CP-9');
  });
});

describe('command states', () => {
  it('tells pending from final and carries the reason', () => {
    expect(commandState({ status: 'queued' })).toMatchObject({ final: false, label: 'Queued' });
    expect(commandState({ status: 'sending' })).toMatchObject({ final: false, label: 'Sending' });
    expect(commandState({ status: 'accepted', result: { status: 'accepted' } })).toMatchObject({
      final: true,
      tone: 'success',
    });
    expect(
      commandState({ status: 'rejected', result: { status: 'rejected', reason: 'Rejected (Busy)' } })
    ).toMatchObject({
      final: true,
      tone: 'error',
      detail: 'The station refused: Rejected (Busy)',
    });
    expect(
      commandState({
        status: 'call_error',
        result: { status: 'call_error', data: { code: 'InternalError', description: 'boom' } },
      }).detail
    ).toBe('The station answered with an error: InternalError: boom');
    for (const status of ['not_supported', 'timeout', 'offline', 'interrupted'] as const) {
      expect(commandState({ status, result: { status } })).toMatchObject({ final: true });
    }
  });

  it('summarises what a command asked for', () => {
    expect(commandSummary(makeCommand({ params: { type: 'hard' } }))).toBe('hard reset');
    expect(commandSummary(makeCommand({ name: 'UnlockConnector', params: { evseId: 1 } }))).toBe('connector 1/1');
  });
});
