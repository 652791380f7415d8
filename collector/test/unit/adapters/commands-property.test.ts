/**
 * Property: every command the bus accepts becomes, in each version, either a call that passes that
 * version's OCPP request schema (so ocpp-rpc's strict mode never refuses what we send) or a
 * `not_supported` with a reason — never an exception, never an invalid frame.
 */
import fc from 'fast-check';
import { validateCommand } from '@chargewatch/platform';
import type { Command } from '@chargewatch/model';
import { commandAdapterFor, isUnsupported } from '../../../src/ocpp/adapters';
import { schemaError } from './ocpp-schemas';

const printable = (max: number) => fc.string({ minLength: 1, maxLength: max, unit: fc.constantFrom(...'AZaz09-_.:* #é'.split('').filter((c) => c.charCodeAt(0) < 127)) });
const id = fc.integer({ min: 0, max: 2147483647 });
const evse = fc.integer({ min: 0, max: 8 });
const date = fc.date({ min: new Date('2020-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const location = fc.constantFrom('https://fw.example.com/a.bin', 'ftp://user:pw@logs.example.com/up', 'http://10.0.0.1:8080/x');
const tokenType = fc.constantFrom('Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization' as const);
const idToken = fc.record({ id: printable(36), type: tokenType }, { requiredKeys: ['id'] });
const target = fc.oneof(fc.record({}), fc.record({ evseId: evse }), fc.record({ evseId: fc.integer({ min: 1, max: 8 }), connectorId: fc.integer({ min: 1, max: 3 }) }));
const component = fc.record({ name: printable(50), instance: printable(50), evse: fc.record({ id: evse, connectorId: evse }, { requiredKeys: ['id'] }) }, { requiredKeys: ['name'] });
const variable = fc.record({ name: printable(50), instance: printable(50) }, { requiredKeys: ['name'] });
const attribute = fc.constantFrom('Actual', 'Target', 'MinSet', 'MaxSet' as const);
const ref = fc.oneof(fc.record({ key: printable(50) }), fc.record({ component, variable, attribute }, { requiredKeys: ['component', 'variable'] }));
const value = fc.string({ maxLength: 1000 });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ name: fc.constant('Reset' as const), params: fc.record({ type: fc.constantFrom('soft', 'hard' as const), evseId: opt(fc.integer({ min: 1, max: 8 })) }) }),
  fc.record({
    name: fc.constant('TriggerMessage' as const),
    params: fc.tuple(fc.constantFrom('boot', 'heartbeat', 'status', 'meterValues', 'transaction', 'firmwareStatus', 'diagnosticsStatus', 'logStatus', 'signCertificate' as const), target).map(([message, t]) => ({ message, ...t })),
  }),
  fc.record({ name: fc.constant('ChangeAvailability' as const), params: fc.tuple(fc.constantFrom('operative', 'inoperative' as const), target).map(([availability, t]) => ({ availability, ...t })) }),
  fc.record({ name: fc.constant('UnlockConnector' as const), params: fc.record({ evseId: fc.integer({ min: 1, max: 8 }), connectorId: opt(fc.integer({ min: 1, max: 3 })) }) }),
  fc.record({ name: fc.constant('RemoteStart' as const), params: fc.record({ idToken, evseId: opt(fc.integer({ min: 1, max: 8 })), remoteStartId: opt(id) }) }),
  fc.record({ name: fc.constant('RemoteStop' as const), params: fc.record({ transactionId: fc.oneof(printable(36), fc.integer().map(String)) }) }),
  fc.record({ name: fc.constant('GetSettings' as const), params: fc.record({ settings: opt(fc.array(ref, { maxLength: 5 })) }) }),
  fc.record({
    name: fc.constant('SetSettings' as const),
    params: fc.record({ settings: fc.array(fc.tuple(ref, value).map(([r, v]) => ({ ...r, value: v })), { minLength: 1, maxLength: 3 }) }),
  }),
  fc.record({ name: fc.constant('ClearCache' as const), params: fc.constant({}) }),
  fc.record({ name: fc.constant('GetLocalListVersion' as const), params: fc.constant({}) }),
  fc.record({
    name: fc.constant('SendLocalList' as const),
    params: fc.record(
      {
        updateType: fc.constantFrom('full', 'differential' as const),
        version: fc.integer({ min: 1, max: 2147483647 }),
        entries: fc.array(
          fc.record(
            { idToken, status: fc.constantFrom('Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx', 'NoCredit', 'NotAtThisTime', 'Unknown' as const), expiresAt: date, groupId: printable(36) },
            { requiredKeys: ['idToken'] },
          ),
          { maxLength: 4 },
        ),
      },
      { requiredKeys: ['updateType', 'version'] },
    ),
  }),
  fc.record({
    name: fc.constant('UpdateFirmware' as const),
    params: fc
      .tuple(
        fc.record({ location, retrieveAt: date, installAt: date, retries: fc.integer({ min: 0, max: 100 }), retryIntervalSec: fc.integer({ min: 0, max: 86400 }), requestId: id }, { requiredKeys: ['location', 'retrieveAt'] }),
        fc.option(fc.record({ signingCertificate: fc.string({ minLength: 1, maxLength: 5500 }), signature: fc.string({ minLength: 1, maxLength: 800 }) }), { nil: undefined }),
      )
      .map(([p, secure]) => ({ ...p, ...secure })),
  }),
  fc.record({
    name: fc.constant('GetLog' as const),
    params: fc.record(
      { location, logType: fc.constantFrom('diagnostics', 'security' as const), from: date, to: date, retries: fc.integer({ min: 0, max: 100 }), retryIntervalSec: fc.integer({ min: 0, max: 86400 }), requestId: id },
      { requiredKeys: ['location'] },
    ),
  }),
  fc.record({ name: fc.constant('DataTransfer' as const), params: fc.record({ vendorId: printable(255), messageId: printable(50), data: fc.jsonValue() }, { requiredKeys: ['vendorId'] }) }),
) as fc.Arbitrary<Command>;

/** fast-check's optional fields come out as `undefined`; JSON (and so every real command) has none. */
const asJson = (c: Command): Command => JSON.parse(JSON.stringify(c)) as Command;

describe.each(['ocpp1.6', 'ocpp2.0.1'] as const)('%s: every accepted command', (protocol) => {
  const adapter = commandAdapterFor(protocol)!;

  it('becomes a schema-valid call or not_supported (property)', () => {
    let sent = 0;
    fc.assert(
      fc.property(command.map(asJson), fc.uuid(), (c, commandId) => {
        validateCommand(c.name, c.params);
        const plan = adapter.plan(c, { commandId });
        if (isUnsupported(plan)) {
          expect(plan.unsupported.length).toBeGreaterThan(10);
          return;
        }
        sent++;
        expect(schemaError(protocol, plan.action, 'req', plan.payload)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
    // The property would pass trivially if everything were refused.
    expect(sent).toBeGreaterThan(1500);
  });
});
