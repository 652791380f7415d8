import type { ChargeEvent, MeterSample } from '@chargewatch/model';
import { adapterFor, ocpp201Adapter } from '../../../src/ocpp/adapters';
import { FakeDecisions, RECEIVED_AT, STATION_ID, makeContext } from './fake-decisions';
import { fixture, fixtureFiles, schemaError } from './ocpp-schemas';

const P = 'ocpp2.0.1';
const BASE = { stationId: STATION_ID, receivedAt: RECEIVED_AT };
const RECEIVED_ISO = new Date(RECEIVED_AT).toISOString();
const TX = '6b0e6a6e-2f7d-4c55-9d1e-3a4c3f1f0b21';

interface MeterValuesFixture {
  meterValue: Array<{ timestamp: string; sampledValue: Array<{ value: unknown }> }>;
}

let decisions: FakeDecisions;
beforeEach(() => {
  decisions = new FakeDecisions();
});

/** Runs an action and checks the reply against ocpp-rpc's response schema, as strict mode would. */
async function call(action: string, params: unknown) {
  const result = await ocpp201Adapter.handle(action, params, makeContext(decisions));
  expect(schemaError(P, action, 'conf', result.reply)).toBeUndefined();
  return result;
}

async function rpcCode(action: string, params: unknown): Promise<string | undefined> {
  try {
    await ocpp201Adapter.handle(action, params, makeContext(decisions));
  } catch (err) {
    return (err as { rpcErrorCode?: string }).rpcErrorCode;
  }
  return undefined;
}

function samples(events: ChargeEvent[]): MeterSample[] {
  return events.filter((e): e is MeterSample => e.type === 'meter.sample');
}

describe('fixtures', () => {
  it.each(fixtureFiles(P))('$file validates against the bundled request schema', ({ file, action }) => {
    expect(schemaError(P, action, 'req', fixture(P, file.replace(/\.json$/, '')))).toBeUndefined();
  });

  it('cover every action of the adapter', () => {
    const actions = new Set(fixtureFiles(P).map((f) => f.action));
    expect([...ocpp201Adapter.actions].sort()).toEqual([...actions].sort());
  });
});

describe('adapter', () => {
  it('is the one adapterFor returns for ocpp2.0.1, and nothing else is served', () => {
    expect(adapterFor('ocpp2.0.1')).toBe(ocpp201Adapter);
    expect(ocpp201Adapter.protocol).toBe('ocpp2.0.1');
    expect(adapterFor('ocpp2.1')).toBeUndefined();
  });

  it('answers an unknown action with NotImplemented', async () => {
    expect(await rpcCode('StartTransaction', {})).toBe('NotImplemented');
    expect(await rpcCode('Get15118EVCertificate', {})).toBe('NotImplemented');
  });
});

describe('BootNotification', () => {
  it('asks for registration and reports the boot with its reason and modem', async () => {
    decisions.registrationDecision = { status: 'Rejected', intervalSec: 120 };
    const { reply, events } = await call('BootNotification', fixture(P, 'BootNotification'));
    expect(reply).toStrictEqual({ status: 'Rejected', currentTime: RECEIVED_ISO, interval: 120 });
    expect(decisions.boots).toStrictEqual([
      { vendor: 'ABB', model: 'Terra AC W22-T-RD-M', serialNumber: 'TACW2240213G1234', firmwareVersion: '1.8.21' },
    ]);
    expect(events).toStrictEqual([
      {
        type: 'station.booted',
        ...BASE,
        time: RECEIVED_AT,
        vendor: 'ABB',
        model: 'Terra AC W22-T-RD-M',
        serialNumber: 'TACW2240213G1234',
        firmwareVersion: '1.8.21',
        iccid: '8944110068256270054',
        imsi: '234107952645932',
        reason: 'PowerUp',
        registration: 'Rejected',
      },
    ]);
  });
});

describe('Heartbeat', () => {
  it('replies with the current time', async () => {
    const { reply, events } = await call('Heartbeat', fixture(P, 'Heartbeat'));
    expect(reply).toStrictEqual({ currentTime: RECEIVED_ISO });
    expect(events).toStrictEqual([{ type: 'station.heartbeat', ...BASE, time: RECEIVED_AT }]);
  });
});

describe('StatusNotification', () => {
  it('keeps evse and connector, maps Occupied, and reports NoError', async () => {
    const { reply, events } = await call('StatusNotification', fixture(P, 'StatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      {
        type: 'connector.status',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:59.001Z'),
        evseId: 2,
        connectorId: 1,
        status: 'Occupied',
        errorCode: 'NoError',
      },
    ]);
  });

  it('refuses a timestamp five years old', async () => {
    const params = { ...fixture(P, 'StatusNotification'), timestamp: '2020-03-14T09:59:59Z' };
    expect(await rpcCode('StatusNotification', params)).toBe('PropertyConstraintViolation');
  });
});

describe('MeterValues', () => {
  it('emits samples in base units, applying multipliers and time zone offsets', async () => {
    const { reply, events } = await call('MeterValues', fixture(P, 'MeterValues'));
    expect(reply).toStrictEqual({});
    const common = { type: 'meter.sample', ...BASE, evseId: 2, connectorId: 1 };
    expect(events).toStrictEqual([
      {
        ...common,
        time: Date.parse('2025-03-14T08:58:00Z'),
        context: 'Sample.Periodic',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 54321, unit: 'Wh', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Power.Active.Import', value: 22010, unit: 'W', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 31.8, unit: 'A', phase: 'L1', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 31.7, unit: 'A', phase: 'L2', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 31.9, unit: 'A', phase: 'L3', context: 'Sample.Periodic' },
          { measurand: 'Voltage', value: 230.4, unit: 'V', phase: 'L1-N', context: 'Sample.Periodic' },
          { measurand: 'SoC', value: 64, unit: 'Percent', location: 'EV', context: 'Sample.Periodic' },
        ],
      },
      {
        ...common,
        time: Date.parse('2025-03-14T08:59:00Z'),
        context: 'Sample.Periodic',
        values: [{ measurand: 'Energy.Active.Import.Register', value: 54337, unit: 'Wh' }],
      },
      {
        ...common,
        time: Date.parse('2025-03-14T08:59:00Z'),
        context: 'Sample.Clock',
        values: [{ measurand: 'Energy.Reactive.Import.Register', value: 125, unit: 'varh', context: 'Sample.Clock' }],
      },
    ]);
  });

  it('places EVSE 0 at connector 0', async () => {
    const { events } = await call('MeterValues', {
      evseId: 0,
      meterValue: [{ timestamp: '2025-03-14T09:00:00Z', sampledValue: [{ value: 3.5, unitOfMeasure: { unit: 'kWh' } }] }],
    });
    expect(events[0]).toMatchObject({ evseId: 0, connectorId: 0, values: [{ value: 3500, unit: 'Wh' }] });
  });

  it.each([NaN, 'abc', '12,5'])('refuses the non-number %p with PropertyConstraintViolation', async (value) => {
    const params = fixture<MeterValuesFixture>(P, 'MeterValues');
    params.meterValue[0].sampledValue[2].value = value;
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses a negative energy register', async () => {
    const params = fixture<MeterValuesFixture>(P, 'MeterValues');
    params.meterValue[1].sampledValue[0].value = -54337;
    expect(schemaError(P, 'MeterValues', 'req', params)).toBeUndefined();
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses readings timestamped five years ago', async () => {
    const params = fixture<MeterValuesFixture>(P, 'MeterValues');
    params.meterValue[0].timestamp = '2020-03-14T09:58:00Z';
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });
});

describe('TransactionEvent', () => {
  it('Started: reports the start with its idToken and begin reading, then the samples, and answers idTokenInfo', async () => {
    decisions.defaultAuthorization = { status: 'Accepted', expiryDate: '2025-03-15T10:00:00+01:00', groupId: 'FLEET-7' };
    const { reply, events } = await call('TransactionEvent', fixture(P, 'TransactionEvent'));
    expect(reply).toStrictEqual({
      idTokenInfo: {
        status: 'Accepted',
        cacheExpiryDateTime: '2025-03-15T09:00:00.000Z',
        groupIdToken: { idToken: 'FLEET-7', type: 'Central' },
      },
    });
    expect(decisions.authorized).toStrictEqual([{ id: 'NL-TNM-C12345678-X', type: 'eMAID' }]);
    expect(decisions.authorizeRequests).toStrictEqual([{ purpose: 'start', transactionId: TX, evseId: 2 }]);
    const ref = { evseId: 2, connectorId: 1, transactionId: TX };
    expect(events).toStrictEqual([
      {
        type: 'transaction.started',
        ...BASE,
        ...ref,
        time: Date.parse('2025-03-14T09:40:00Z'),
        idToken: { id: 'NL-TNM-C12345678-X', type: 'eMAID' },
        meterStartWh: 52104,
        reservationId: 12,
        offline: false,
        seqNo: 0,
        triggerReason: 'Authorized',
        authorization: 'Accepted',
      },
      {
        type: 'meter.sample',
        ...BASE,
        ...ref,
        time: Date.parse('2025-03-14T09:40:00Z'),
        context: 'Transaction.Begin',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 52104, unit: 'Wh', context: 'Transaction.Begin' },
          { measurand: 'SoC', value: 18, unit: 'Percent', location: 'EV', context: 'Transaction.Begin' },
        ],
      },
    ]);
  });

  it('answers the EVSEs a token is limited to, and a token shown to stop is not held to the concurrency limit', async () => {
    decisions.defaultAuthorization = { status: 'Accepted', evseIds: [2, 3] };
    expect((await call('TransactionEvent', fixture(P, 'TransactionEvent'))).reply).toStrictEqual({ idTokenInfo: { status: 'Accepted', evseId: [2, 3] } });
    decisions.openTransactions.set(TX, { transactionId: TX, evseId: 2, connectorId: 1, startedAt: 0 });
    const stop = { ...fixture(P, 'TransactionEvent'), eventType: 'Updated', triggerReason: 'StopAuthorized', seqNo: 5 };
    await call('TransactionEvent', stop);
    expect(decisions.authorizeRequests[1]).toStrictEqual({ purpose: 'authorize' });
  });

  it('Updated without evse: finds the connector via the open transaction; offline flag and chargingState kept', async () => {
    decisions.openTransactions.set(TX, { transactionId: TX, evseId: 2, connectorId: 1, startedAt: 0 });
    const { reply, events } = await call('TransactionEvent', fixture(P, 'TransactionEvent.Updated'));
    expect(reply).toStrictEqual({});
    expect(decisions.lookedUp).toStrictEqual([TX]);
    expect(decisions.authorized).toStrictEqual([]);
    expect(events[0]).toStrictEqual({
      type: 'transaction.updated',
      ...BASE,
      time: Date.parse('2025-03-14T09:50:00Z'),
      evseId: 2,
      connectorId: 1,
      transactionId: TX,
      chargingState: 'SuspendedEV',
      offline: true,
      seqNo: 3,
      triggerReason: 'ChargingStateChanged',
    });
    expect(samples(events)).toStrictEqual([
      {
        type: 'meter.sample',
        ...BASE,
        time: Date.parse('2025-03-14T09:50:00Z'),
        evseId: 2,
        connectorId: 1,
        transactionId: TX,
        context: 'Trigger',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 53900, unit: 'Wh', context: 'Trigger' },
          { measurand: 'Power.Active.Import', value: 0, unit: 'W', context: 'Trigger' },
        ],
      },
    ]);
  });

  it('Updated for a transaction nobody knows, without evse: placed at EVSE 0', async () => {
    const { events } = await call('TransactionEvent', fixture(P, 'TransactionEvent.Updated'));
    expect(events[0]).toMatchObject({ type: 'transaction.updated', evseId: 0, connectorId: 0 });
  });

  it('Ended: samples first, then the end with stoppedReason, stop reading from the unphased register', async () => {
    decisions.openTransactions.set(TX, { transactionId: TX, evseId: 2, connectorId: 2, startedAt: 0 });
    decisions.defaultAuthorization = { status: 'NotAtThisTime' };
    const { reply, events } = await call('TransactionEvent', fixture(P, 'TransactionEvent.Ended'));
    expect(reply).toStrictEqual({ idTokenInfo: { status: 'NotAtThisTime' } });
    expect(events.map((e) => e.type)).toStrictEqual(['meter.sample', 'meter.sample', 'transaction.ended']);
    // evse.id is given without a connector, so the open transaction on that EVSE supplies it.
    expect(events[2]).toStrictEqual({
      type: 'transaction.ended',
      ...BASE,
      time: Date.parse('2025-03-14T09:59:30Z'),
      evseId: 2,
      connectorId: 2,
      transactionId: TX,
      meterStopWh: 54321,
      stoppedReason: 'EVDisconnected',
      idToken: { id: 'NL-TNM-C12345678-X', type: 'eMAID' },
      offline: false,
      seqNo: 5,
      triggerReason: 'EVDeparted',
      closedBy: 'station',
      start: { time: 0 },
    });
    expect(samples(events)[1].values).toStrictEqual([
      { measurand: 'Energy.Active.Import.Register', value: 54321, unit: 'Wh', context: 'Transaction.End' },
      { measurand: 'Energy.Active.Import.Register', value: 18011, unit: 'Wh', phase: 'L1', context: 'Transaction.End' },
      { measurand: 'SoC', value: 81, unit: 'Percent', location: 'EV', context: 'Transaction.End' },
    ]);
    expect(samples(events).every((s) => s.connectorId === 2 && s.transactionId === TX)).toBe(true);
  });

  it('Ended with evse but unknown transaction: EVSE N connector 1; Local when no stoppedReason; no meter reading', async () => {
    const params = fixture<Record<string, unknown>>(P, 'TransactionEvent.Ended');
    params.transactionInfo = { transactionId: 'T-1' };
    delete params.meterValue;
    delete params.idToken;
    const { reply, events } = await call('TransactionEvent', params);
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      {
        type: 'transaction.ended',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:30Z'),
        evseId: 2,
        connectorId: 1,
        transactionId: 'T-1',
        stoppedReason: 'Local',
        offline: false,
        seqNo: 5,
        triggerReason: 'EVDeparted',
        closedBy: 'station',
      },
    ]);
  });

  it('refuses a NaN reading, a negative register and a start five years old', async () => {
    const nan = fixture<MeterValuesFixture>(P, 'TransactionEvent');
    nan.meterValue[0].sampledValue[1].value = NaN;
    expect(await rpcCode('TransactionEvent', nan)).toBe('PropertyConstraintViolation');

    const negative = fixture<MeterValuesFixture>(P, 'TransactionEvent');
    negative.meterValue[0].sampledValue[0].value = -1;
    expect(await rpcCode('TransactionEvent', negative)).toBe('PropertyConstraintViolation');

    const old = { ...fixture(P, 'TransactionEvent'), timestamp: '2020-03-14T09:40:00Z' };
    expect(await rpcCode('TransactionEvent', old)).toBe('PropertyConstraintViolation');
  });
});

describe('Authorize', () => {
  it('answers with the decision and reports it', async () => {
    decisions.authorizations.set('04A2B5C2D26A80', { status: 'NoCredit' });
    const { reply, events } = await call('Authorize', fixture(P, 'Authorize'));
    expect(reply).toStrictEqual({ idTokenInfo: { status: 'NoCredit' } });
    expect(events).toStrictEqual([
      {
        type: 'authorization.requested',
        ...BASE,
        time: RECEIVED_AT,
        idToken: { id: '04A2B5C2D26A80', type: 'ISO14443' },
        result: 'NoCredit',
      },
    ]);
  });

  it('answers Invalid for a status outside the 2.0.1 enum, and drops a group id too long for the schema', async () => {
    decisions.defaultAuthorization = { status: 'Suspended', groupId: 'G'.repeat(37), expiryDate: 'never' };
    const { reply } = await call('Authorize', fixture(P, 'Authorize'));
    expect(reply).toStrictEqual({ idTokenInfo: { status: 'Invalid' } });
  });
});

describe('FirmwareStatusNotification', () => {
  it('reports status and request id', async () => {
    const { reply, events } = await call('FirmwareStatusNotification', fixture(P, 'FirmwareStatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      { type: 'firmware.status', ...BASE, time: RECEIVED_AT, status: 'InstallRebooting', requestId: 4021 },
    ]);
  });
});

describe('LogStatusNotification', () => {
  it('reports a log upload status with its request id', async () => {
    const { reply, events } = await call('LogStatusNotification', fixture(P, 'LogStatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([{ type: 'log.status', ...BASE, time: RECEIVED_AT, status: 'Uploading', requestId: 17 }]);
  });
});

describe('SecurityEventNotification', () => {
  it('reports a station security event at the station time', async () => {
    const { reply, events } = await call('SecurityEventNotification', fixture(P, 'SecurityEventNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      {
        type: 'security.event',
        ...BASE,
        time: Date.parse('2025-03-14T09:12:44Z'),
        eventType: 'TamperDetectionActivated',
        techInfo: 'Enclosure door sensor opened',
        source: 'station',
      },
    ]);
  });

  it('refuses a timestamp more than a day ahead', async () => {
    const params = { ...fixture(P, 'SecurityEventNotification'), timestamp: '2025-03-16T10:00:00Z' };
    expect(await rpcCode('SecurityEventNotification', params)).toBe('PropertyConstraintViolation');
  });
});

describe('NotifyEvent', () => {
  it('emits one device.event per eventData item (problem items also give connector statuses: problems.test.ts)', async () => {
    const { reply, events } = await call('NotifyEvent', fixture(P, 'NotifyEvent'));
    expect(reply).toStrictEqual({});
    expect(events.filter((e) => e.type === 'device.event')).toStrictEqual([
      {
        type: 'device.event',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:48Z'),
        eventId: 9101,
        trigger: 'Alerting',
        component: 'ChargingCable',
        evseId: 2,
        connectorId: 1,
        variable: 'Problem',
        actualValue: 'true',
        techCode: 'E-OVERTEMP',
        techInfo: 'Cable temperature 92C',
        cleared: false,
      },
      {
        type: 'device.event',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:49Z'),
        eventId: 9102,
        trigger: 'Delta',
        component: 'EVSE',
        evseId: 2,
        variable: 'AvailabilityState',
        actualValue: 'Unavailable',
        cleared: false,
      },
      {
        type: 'device.event',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:50Z'),
        eventId: 9103,
        trigger: 'Periodic',
        component: 'TemperatureSensor',
        componentInstance: 'Body',
        variable: 'Temperature',
        actualValue: '41.5',
        cleared: true,
      },
    ]);
  });

  it('refuses an item timestamped five years ago', async () => {
    const params = fixture<{ eventData: Array<{ timestamp: string }> }>(P, 'NotifyEvent');
    params.eventData[2].timestamp = '2020-03-14T09:59:50Z';
    expect(await rpcCode('NotifyEvent', params)).toBe('PropertyConstraintViolation');
  });
});

describe('NotifyReport', () => {
  it('emits one device.report with one item per variable attribute', async () => {
    const { reply, events } = await call('NotifyReport', fixture(P, 'NotifyReport'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      {
        type: 'device.report',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:55Z'),
        requestId: 3301,
        seqNo: 0,
        tbc: true,
        items: [
          { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval', attribute: 'Actual', value: '300' },
          { component: 'SmartChargingCtrlr', variable: 'LimitChangeSignificance', attribute: 'Actual', value: '10' },
          { component: 'SmartChargingCtrlr', variable: 'LimitChangeSignificance', attribute: 'MaxSet', value: '100' },
          { component: 'SecurityCtrlr', variable: 'BasicAuthPassword', attribute: 'Actual' },
        ],
      },
    ]);
  });

  it('accepts a final part without report data', async () => {
    const { events } = await call('NotifyReport', { requestId: 3301, generatedAt: '2025-03-14T09:59:56Z', seqNo: 1 });
    expect(events[0]).toMatchObject({ type: 'device.report', seqNo: 1, tbc: false, items: [] });
  });
});

describe('DataTransfer', () => {
  it('answers UnknownVendorId and records only the size of a structured payload', async () => {
    const params = fixture<{ data: unknown }>(P, 'DataTransfer');
    const { reply, events } = await call('DataTransfer', params);
    expect(reply).toStrictEqual({ status: 'UnknownVendorId' });
    expect(events).toStrictEqual([
      {
        type: 'data.transfer',
        ...BASE,
        time: RECEIVED_AT,
        vendorId: 'com.abb',
        messageId: 'Diagnostics',
        dataLength: JSON.stringify(params.data).length,
      },
    ]);
  });
});
