/**
 * EVSE and connector ids above the configured maximum are refused before any handler runs: the
 * station gets PropertyConstraintViolation, the refusal is reported once, and no decision (so no Redis
 * read or write) and no event happens.
 */
import { ocpp16Adapter, ocpp201Adapter } from '../../../src/ocpp/adapters';
import { findIdLimitViolation, type IdLimitField } from '../../../src/ocpp/adapters/id-limits';
import { FakeDecisions, makeContext } from './fake-decisions';

const LIMITS = { maxEvseId: 4, maxConnectorId: 2 };

class LimitedDecisions extends FakeDecisions {
  readonly idLimits = LIMITS;
  readonly refused: IdLimitField[] = [];
  idLimitRefused(_stationId: string, field: IdLimitField): void {
    this.refused.push(field);
  }
}

const TS = '2025-03-14T09:59:00.000Z';
const mv201 = [{ timestamp: TS, sampledValue: [{ value: 1, measurand: 'Energy.Active.Import.Register' }] }];
const mv16 = [{ timestamp: TS, sampledValue: [{ value: '1', measurand: 'Energy.Active.Import.Register' }] }];

const refused16: Array<[string, Record<string, unknown>]> = [
  ['StatusNotification', { connectorId: 5, errorCode: 'NoError', status: 'Available' }],
  ['MeterValues', { connectorId: 5, meterValue: mv16 }],
  ['StartTransaction', { connectorId: 5, idTag: 'TAG', meterStart: 0, timestamp: TS }],
];

const refused201: Array<[string, Record<string, unknown>, IdLimitField]> = [
  ['StatusNotification', { timestamp: TS, connectorStatus: 'Available', evseId: 5, connectorId: 1 }, 'evse_id'],
  ['StatusNotification', { timestamp: TS, connectorStatus: 'Available', evseId: 1, connectorId: 3 }, 'connector_id'],
  ['MeterValues', { evseId: 5, meterValue: mv201 }, 'evse_id'],
  [
    'TransactionEvent',
    { eventType: 'Started', timestamp: TS, triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'T1' }, evse: { id: 9, connectorId: 1 } },
    'evse_id',
  ],
  [
    'TransactionEvent',
    { eventType: 'Updated', timestamp: TS, triggerReason: 'MeterValuePeriodic', seqNo: 1, transactionInfo: { transactionId: 'T1' }, evse: { id: 1, connectorId: 7 } },
    'connector_id',
  ],
  [
    'NotifyEvent',
    {
      generatedAt: TS,
      seqNo: 0,
      eventData: [
        { eventId: 1, timestamp: TS, trigger: 'Delta', actualValue: 'true', eventNotificationType: 'HardWiredNotification', component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Problem' } },
        { eventId: 2, timestamp: TS, trigger: 'Delta', actualValue: 'true', eventNotificationType: 'HardWiredNotification', component: { name: 'EVSE', evse: { id: 77 } }, variable: { name: 'Problem' } },
      ],
    },
    'evse_id',
  ],
];

describe('EVSE and connector id limits', () => {
  it.each(refused16)('1.6 %s with connectorId above OCPP_MAX_EVSE_ID is refused before any decision', async (action, params) => {
    const decisions = new LimitedDecisions();
    await expect(ocpp16Adapter.handle(action, params, makeContext(decisions))).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    expect(decisions.refused).toEqual(['evse_id']);
    expect([decisions.authorized, decisions.lookedUp, decisions.rebootQueries, decisions.touched]).toEqual([[], [], [], []]);
  });

  it.each(refused201)('2.0.1 %s naming an id above the limit is refused (%#)', async (action, params, field) => {
    const decisions = new LimitedDecisions();
    await expect(ocpp201Adapter.handle(action, params, makeContext(decisions))).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    expect(decisions.refused).toEqual([field]);
    expect([decisions.authorized, decisions.lookedUp, decisions.rebootQueries]).toEqual([[], [], []]);
  });

  it('accepts ids at the limit', async () => {
    const decisions = new LimitedDecisions();
    const r16 = await ocpp16Adapter.handle('StatusNotification', { connectorId: 4, errorCode: 'NoError', status: 'Charging' }, makeContext(decisions));
    expect(r16.events).toEqual([expect.objectContaining({ type: 'connector.status', evseId: 4, connectorId: 1 })]);
    const r201 = await ocpp201Adapter.handle('StatusNotification', { timestamp: TS, connectorStatus: 'Occupied', evseId: 4, connectorId: 2 }, makeContext(decisions));
    expect(r201.events).toEqual([expect.objectContaining({ type: 'connector.status', evseId: 4, connectorId: 2 })]);
    expect(decisions.refused).toEqual([]);
  });

  it('applies the defaults (32 EVSEs, 8 connectors) when the decisions name no limits', async () => {
    const decisions = new FakeDecisions();
    await expect(ocpp16Adapter.handle('MeterValues', { connectorId: 33, meterValue: mv16 }, makeContext(decisions))).rejects.toMatchObject({ rpcErrorCode: 'PropertyConstraintViolation' });
    await expect(ocpp16Adapter.handle('MeterValues', { connectorId: 32, meterValue: mv16 }, makeContext(decisions))).resolves.toBeDefined();
  });

  it('leaves vendor payloads alone: DataTransfer data and customData are never read as ids', async () => {
    const decisions = new LimitedDecisions();
    await expect(ocpp201Adapter.handle('DataTransfer', { vendorId: 'V', data: { evseId: 999, connectorId: 999 } }, makeContext(decisions))).resolves.toBeDefined();
    const params = { evseId: 1, meterValue: mv201, customData: { vendorId: 'V', evseId: 999 } };
    await expect(ocpp201Adapter.handle('MeterValues', params, makeContext(decisions))).resolves.toBeDefined();
    expect(decisions.refused).toEqual([]);
  });

  it('names where in the payload the id was found', () => {
    const params = { eventData: [{ component: { evse: { id: 1 } } }, { component: { evse: { id: 1, connectorId: 3 } } }] };
    expect(findIdLimitViolation('ocpp2.0.1', 'NotifyEvent', params, LIMITS)).toEqual({ field: 'connector_id', path: 'eventData[1].component.evse.connectorId', value: 3, max: 2 });
    expect(findIdLimitViolation('ocpp1.6', 'StatusNotification', { connectorId: 4 }, LIMITS)).toBeUndefined();
  });
});
