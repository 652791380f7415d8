/**
 * 2.0.1 faults: NotifyEvent `Problem` and `AvailabilityState = Faulted` items raise and clear the
 * connector's error, per EVSE/connector, from the problems the shared state holds; a 2.0.1
 * StatusNotification keeps the error those problems give instead of resetting it to NoError.
 */
import type { ConnectorSnapshot, ConnectorStatusChanged } from '@chargewatch/model';
import { ocpp201Adapter } from '../../../src/ocpp/adapters';
import { FakeDecisions, RECEIVED_AT, STATION_ID, makeContext } from './fake-decisions';
import { fixture, schemaError } from './ocpp-schemas';

const P = 'ocpp2.0.1';
const BASE = { stationId: STATION_ID, receivedAt: RECEIVED_AT };

let decisions: FakeDecisions;
beforeEach(() => {
  decisions = new FakeDecisions();
});

async function call(action: string, params: unknown) {
  expect(schemaError(P, action, 'req', params)).toBeUndefined();
  const result = await ocpp201Adapter.handle(action, params, makeContext(decisions));
  expect(schemaError(P, action, 'conf', result.reply)).toBeUndefined();
  return result;
}
const statuses = (events: readonly { type: string }[]) => events.filter((e): e is ConnectorStatusChanged => e.type === 'connector.status');

const cableProblem = { code: 'Problem' as const, since: Date.parse('2025-03-14T09:59:48Z'), vendorErrorCode: 'E-OVERTEMP', info: 'ChargingCable: Cable temperature 92C' };

describe('NotifyEvent problem items', () => {
  it('raise an error on the named connector, keeping its status; other items give no status', async () => {
    decisions.connectorStates = [{ evseId: 2, connectorId: 1, status: 'Occupied' }];
    const { events } = await call('NotifyEvent', fixture(P, 'NotifyEvent'));
    // Item 1: Problem=true on 2/1. Item 2: AvailabilityState=Unavailable on EVSE 2: not Faulted, and
    // nothing of it was open, so no change. Item 3: a temperature: not a problem.
    expect(events.map((e) => e.type)).toEqual(['device.event', 'device.event', 'device.event', 'connector.status']);
    expect(statuses(events)[0]).toStrictEqual({
      type: 'connector.status',
      ...BASE,
      time: Date.parse('2025-03-14T09:59:48Z'),
      evseId: 2,
      connectorId: 1,
      status: 'Occupied',
      errorCode: 'Problem',
      vendorErrorCode: 'E-OVERTEMP',
      info: 'ChargingCable: Cable temperature 92C',
    });
  });

  it('a repeated report of an open problem adds no status', async () => {
    decisions.connectorStates = [{ evseId: 2, connectorId: 1, status: 'Faulted', problems: { 'ChargingCable.Problem': cableProblem } }];
    const params = fixture<{ eventData: unknown[] }>(P, 'NotifyEvent');
    params.eventData = params.eventData.slice(0, 1);
    expect(statuses((await call('NotifyEvent', params)).events)).toEqual([]);
  });

  it('clear the error with actualValue false / cleared, from the problems the shared state holds', async () => {
    decisions.connectorStates = [{ evseId: 2, connectorId: 1, status: 'Faulted', problems: { 'ChargingCable.Problem': cableProblem } }];
    const { events } = await call('NotifyEvent', fixture(P, 'NotifyEvent.Cleared'));
    expect(statuses(events)).toStrictEqual([
      { type: 'connector.status', ...BASE, time: Date.parse('2025-03-14T09:59:57Z'), evseId: 2, connectorId: 1, status: 'Faulted', errorCode: 'NoError' },
    ]);
  });

  it('keep the connector in error while another problem is open', async () => {
    const lock = { code: 'Faulted' as const, since: 1, info: 'ConnectorPlugRetentionLock' };
    decisions.connectorStates = [{ evseId: 2, connectorId: 1, status: 'Occupied', problems: { 'ChargingCable.Problem': cableProblem, 'ConnectorPlugRetentionLock.AvailabilityState': lock } }];
    const { events } = await call('NotifyEvent', fixture(P, 'NotifyEvent.Cleared'));
    expect(statuses(events)).toEqual([expect.objectContaining({ errorCode: 'Faulted', info: 'ConnectorPlugRetentionLock' })]);
  });

  it('AvailabilityState Faulted raises Faulted on every connector of the EVSE; a later state clears it', async () => {
    decisions.connectorStates = [
      { evseId: 1, connectorId: 1, status: 'Available' },
      { evseId: 1, connectorId: 2, status: 'Available' },
      { evseId: 2, connectorId: 1, status: 'Available' },
    ];
    const item = (actualValue: string) => ({
      generatedAt: '2025-03-14T09:59:50Z',
      seqNo: 0,
      eventData: [{ eventId: 1, timestamp: '2025-03-14T09:59:50Z', trigger: 'Delta', actualValue, eventNotificationType: 'HardWiredNotification', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } }],
    });
    const raised = statuses((await call('NotifyEvent', item('Faulted'))).events);
    expect(raised.map((s) => `${s.evseId}/${s.connectorId}:${s.errorCode}`)).toEqual(['1/1:Faulted', '1/2:Faulted']);
    decisions.connectorStates = decisions.connectorStates.map((c): ConnectorSnapshot => (c.evseId === 1 ? { ...c, problems: { 'EVSE.AvailabilityState': { code: 'Faulted', since: 1, info: 'EVSE' } } } : c));
    const cleared = statuses((await call('NotifyEvent', item('Available'))).events);
    expect(cleared.map((s) => `${s.evseId}/${s.connectorId}:${s.errorCode}`)).toEqual(['1/1:NoError', '1/2:NoError']);
  });

  it('a station-level problem lands on connector 0/0; several items in one message apply in order', async () => {
    const params = {
      generatedAt: '2025-03-14T09:59:50Z',
      seqNo: 0,
      eventData: [
        { eventId: 1, timestamp: '2025-03-14T09:59:40Z', trigger: 'Alerting', actualValue: 'true', eventNotificationType: 'HardWiredNotification', component: { name: 'ChargingStation' }, variable: { name: 'Problem' } },
        { eventId: 2, timestamp: '2025-03-14T09:59:45Z', trigger: 'Alerting', actualValue: 'false', eventNotificationType: 'HardWiredNotification', component: { name: 'ChargingStation' }, variable: { name: 'Problem' } },
      ],
    };
    const s = statuses((await call('NotifyEvent', params)).events);
    expect(s.map((x) => `${x.evseId}/${x.connectorId}:${x.status}:${x.errorCode}`)).toEqual(['0/0:Unknown:Problem', '0/0:Unknown:NoError']);
  });

  it('ask the shared state only when a message holds problem items', async () => {
    let asked = 0;
    decisions.connectors = async () => {
      asked++;
      return [];
    };
    const params = fixture<{ eventData: unknown[] }>(P, 'NotifyEvent');
    params.eventData = params.eventData.slice(2);
    await call('NotifyEvent', params);
    expect(asked).toBe(0);
  });
});

describe('2.0.1 StatusNotification', () => {
  it('keeps the error the open problems give (it carries none itself)', async () => {
    decisions.connectorStates = [{ evseId: 2, connectorId: 1, status: 'Occupied', problems: { 'ChargingCable.Problem': cableProblem } }];
    const { events } = await call('StatusNotification', fixture(P, 'StatusNotification'));
    expect(events).toStrictEqual([
      {
        type: 'connector.status',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:59.001Z'),
        evseId: 2,
        connectorId: 1,
        status: 'Occupied',
        errorCode: 'Problem',
        vendorErrorCode: 'E-OVERTEMP',
        info: 'ChargingCable: Cable temperature 92C',
      },
    ]);
  });
});
