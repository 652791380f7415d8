import type { ChargeEvent, MeterSample } from '@chargewatch/model';
import { adapterFor, ocpp16Adapter } from '../../../src/ocpp/adapters';
import { FakeDecisions, RECEIVED_AT, STATION_ID, makeContext } from './fake-decisions';
import { fixture, fixtureFiles, schemaError } from './ocpp-schemas';

const P = 'ocpp1.6';
const BASE = { stationId: STATION_ID, receivedAt: RECEIVED_AT };
const RECEIVED_ISO = new Date(RECEIVED_AT).toISOString();

let decisions: FakeDecisions;
beforeEach(() => {
  decisions = new FakeDecisions();
});

/** Runs an action and checks the reply against ocpp-rpc's response schema, as strict mode would. */
async function call(action: string, params: unknown) {
  const result = await ocpp16Adapter.handle(action, params, makeContext(decisions));
  expect(schemaError(P, action, 'conf', result.reply)).toBeUndefined();
  return result;
}

async function rpcCode(action: string, params: unknown): Promise<string | undefined> {
  try {
    await ocpp16Adapter.handle(action, params, makeContext(decisions));
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

  it('are checked by a validator that does reject bad payloads', () => {
    expect(schemaError(P, 'BootNotification', 'conf', { status: 'Bogus', currentTime: RECEIVED_ISO, interval: 1 })).toMatch(
      /must be equal to one of the allowed values/,
    );
    expect(schemaError(P, 'StopTransaction', 'conf', { idTagInfo: { status: 'Accepted', parentIdTag: 'X'.repeat(21) } })).toMatch(
      /must NOT have more than 20 characters/,
    );
  });

  it('cover every action of the adapter', () => {
    const actions = new Set(fixtureFiles(P).map((f) => f.action));
    expect([...ocpp16Adapter.actions].sort()).toEqual([...actions].sort());
  });
});

describe('adapter', () => {
  it('is the one adapterFor returns for ocpp1.6', () => {
    expect(adapterFor('ocpp1.6')).toBe(ocpp16Adapter);
    expect(ocpp16Adapter.protocol).toBe('ocpp1.6');
  });

  it('answers an unknown action with NotImplemented', async () => {
    expect(await rpcCode('ExtendedTriggerMessage', {})).toBe('NotImplemented');
    expect(await rpcCode('toString', {})).toBe('NotImplemented');
  });
});

describe('BootNotification', () => {
  it('asks for registration and reports the boot', async () => {
    decisions.registrationDecision = { status: 'Pending', intervalSec: 60 };
    const { reply, events } = await call('BootNotification', fixture(P, 'BootNotification'));
    expect(reply).toStrictEqual({ status: 'Pending', currentTime: RECEIVED_ISO, interval: 60 });
    expect(decisions.boots).toEqual([
      { vendor: 'Alfen BV', model: 'NG920-61023', serialNumber: 'ACE0123456', firmwareVersion: '6.4.0-4151' },
    ]);
    expect(events).toStrictEqual([
      {
        type: 'station.booted',
        ...BASE,
        time: RECEIVED_AT,
        vendor: 'Alfen BV',
        model: 'NG920-61023',
        serialNumber: 'ACE0123456',
        firmwareVersion: '6.4.0-4151',
        iccid: '8931087119012345678',
        imsi: '204080123456789',
        meterType: 'Eastron SDM630',
        meterSerialNumber: 'SDM-19822',
        registration: 'Pending',
      },
    ]);
  });

  it('falls back to the charge box serial number and leaves absent fields out', async () => {
    const { reply, events } = await call('BootNotification', {
      chargePointVendor: 'V',
      chargePointModel: 'M',
      chargeBoxSerialNumber: 'BOX-1',
    });
    expect(reply).toMatchObject({ status: 'Accepted', interval: 300 });
    expect(events[0]).toStrictEqual({
      type: 'station.booted',
      ...BASE,
      time: RECEIVED_AT,
      vendor: 'V',
      model: 'M',
      serialNumber: 'BOX-1',
      registration: 'Accepted',
    });
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
  it('places connector N at EVSE N, connector 1, with the station time and error details', async () => {
    const { reply, events } = await call('StatusNotification', fixture(P, 'StatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([
      {
        type: 'connector.status',
        ...BASE,
        time: Date.parse('2025-03-14T09:59:58.512Z'),
        evseId: 2,
        connectorId: 1,
        status: 'Faulted',
        errorCode: 'GroundFailure',
        vendorErrorCode: 'E-231',
        vendorId: 'com.alfen',
        info: 'RCD tripped',
      },
    ]);
  });

  it('places connector 0 at EVSE 0, connector 0, and uses receive time without a timestamp', async () => {
    const { events } = await call('StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    expect(events).toStrictEqual([
      { type: 'connector.status', ...BASE, time: RECEIVED_AT, evseId: 0, connectorId: 0, status: 'Available', errorCode: 'NoError' },
    ]);
  });

  it('refuses a timestamp five years old', async () => {
    const params = { ...fixture(P, 'StatusNotification'), timestamp: '2020-03-14T09:59:58Z' };
    expect(await rpcCode('StatusNotification', params)).toBe('PropertyConstraintViolation');
  });
});

describe('MeterValues', () => {
  it('emits one sample per timestamp and context, in base units, with the transaction id as a string', async () => {
    const { reply, events } = await call('MeterValues', fixture(P, 'MeterValues'));
    expect(reply).toStrictEqual({});
    const common = { type: 'meter.sample', ...BASE, evseId: 1, connectorId: 1, transactionId: '48213' };
    expect(events).toStrictEqual([
      {
        ...common,
        time: Date.parse('2025-03-14T09:55:00Z'),
        context: 'Sample.Periodic',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 12345, unit: 'Wh', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Power.Active.Import', value: 11040, unit: 'W', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 16.1, unit: 'A', phase: 'L1', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 15.9, unit: 'A', phase: 'L2', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Current.Import', value: 16, unit: 'A', phase: 'L3', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'Voltage', value: 231.2, unit: 'V', phase: 'L1-N', location: 'Outlet', context: 'Sample.Periodic' },
          { measurand: 'SoC', value: 57, unit: 'Percent', location: 'EV', context: 'Sample.Periodic' },
          { measurand: 'Temperature', value: 38, unit: 'Celsius', location: 'Body', context: 'Sample.Periodic' },
        ],
      },
      {
        ...common,
        time: Date.parse('2025-03-14T09:56:00Z'),
        context: 'Sample.Clock',
        values: [{ measurand: 'Energy.Active.Import.Register', value: 12530, unit: 'Wh', context: 'Sample.Clock' }],
      },
      {
        ...common,
        time: Date.parse('2025-03-14T09:56:00Z'),
        context: 'Trigger',
        values: [
          { measurand: 'Energy.Reactive.Import.Register', value: 251, unit: 'varh', context: 'Trigger' },
          { measurand: 'Temperature', value: 37, unit: 'Celsius', location: 'Body', context: 'Trigger' },
        ],
      },
    ]);
  });

  it('defaults the context to Sample.Periodic and omits the transaction when there is none', async () => {
    const { events } = await call('MeterValues', {
      connectorId: 0,
      meterValue: [{ timestamp: '2025-03-14T09:00:00Z', sampledValue: [{ value: '99' }] }],
    });
    expect(events).toStrictEqual([
      {
        type: 'meter.sample',
        ...BASE,
        time: Date.parse('2025-03-14T09:00:00Z'),
        evseId: 0,
        connectorId: 0,
        context: 'Sample.Periodic',
        values: [{ measurand: 'Energy.Active.Import.Register', value: 99, unit: 'Wh' }],
      },
    ]);
  });

  it('refuses a NaN reading with PropertyConstraintViolation', async () => {
    const params = fixture<{ meterValue: Array<{ sampledValue: Array<{ value: string }> }> }>(P, 'MeterValues');
    params.meterValue[1].sampledValue[0].value = 'NaN';
    expect(schemaError(P, 'MeterValues', 'req', params)).toBeUndefined();
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses a negative energy register', async () => {
    const params = fixture<{ meterValue: Array<{ sampledValue: Array<{ value: string }> }> }>(P, 'MeterValues');
    params.meterValue[0].sampledValue[0].value = '-0.5';
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses readings timestamped five years ago', async () => {
    const params = fixture<{ meterValue: Array<{ timestamp: string }> }>(P, 'MeterValues');
    params.meterValue[1].timestamp = '2020-03-14T09:56:00Z';
    expect(await rpcCode('MeterValues', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses a negative connector id', async () => {
    expect(await rpcCode('MeterValues', { connectorId: -1, meterValue: [] })).toBe('PropertyConstraintViolation');
  });
});

describe('StartTransaction', () => {
  it('allocates a transaction id, authorizes the idTag and reports the start', async () => {
    decisions.nextTransactionId = 48213;
    decisions.defaultAuthorization = { status: 'Accepted', expiryDate: '2025-03-15T00:00:00Z', groupId: 'FLEET-7' };
    const { reply, events } = await call('StartTransaction', fixture(P, 'StartTransaction'));
    expect(reply).toStrictEqual({
      transactionId: 48213,
      idTagInfo: { status: 'Accepted', expiryDate: '2025-03-15T00:00:00.000Z', parentIdTag: 'FLEET-7' },
    });
    expect(decisions.authorized).toEqual([{ id: '04A2B5C2D26A80', type: 'Unknown' }]);
    // Re-checked as a start: the concurrency limit applies, and this transaction does not count against itself.
    expect(decisions.authorizeRequests).toEqual([{ purpose: 'start', transactionId: '48213', evseId: 2 }]);
    expect(events).toStrictEqual([
      {
        type: 'transaction.started',
        ...BASE,
        time: Date.parse('2025-03-14T09:30:12Z'),
        evseId: 2,
        connectorId: 1,
        transactionId: '48213',
        idToken: { id: '04A2B5C2D26A80', type: 'Unknown' },
        meterStartWh: 1203345,
        reservationId: 77,
        authorization: 'Accepted',
        offline: false,
      },
    ]);
  });

  it('still assigns a transaction id when the idTag is refused, mapping 2.0.1-only statuses to their nearest 1.6 status', async () => {
    decisions.defaultAuthorization = { status: 'NoCredit', groupId: 'A-GROUP-ID-LONGER-THAN-20' };
    const { reply, events } = await call('StartTransaction', fixture(P, 'StartTransaction'));
    expect(reply).toStrictEqual({ transactionId: 1000, idTagInfo: { status: 'Blocked' } });
    // The start is reported with the answer it got, for the misuse rules.
    expect(events[0]).toMatchObject({ type: 'transaction.started', authorization: 'Blocked' });
    decisions.defaultAuthorization = { status: 'Unknown' };
    expect((await call('StartTransaction', { ...fixture(P, 'StartTransaction'), meterStart: 1 })).reply).toStrictEqual({ transactionId: 1001, idTagInfo: { status: 'Invalid' } });
  });

  it('answers ConcurrentTx in StartTransaction', async () => {
    decisions.defaultAuthorization = { status: 'ConcurrentTx' };
    const { reply } = await call('StartTransaction', fixture(P, 'StartTransaction'));
    expect(reply).toStrictEqual({ transactionId: 1000, idTagInfo: { status: 'ConcurrentTx' } });
  });

  it('refuses a negative meterStart without using up a transaction id', async () => {
    const params = { ...fixture(P, 'StartTransaction'), meterStart: -10 };
    expect(await rpcCode('StartTransaction', params)).toBe('PropertyConstraintViolation');
    expect(decisions.nextTransactionId).toBe(1000);
  });

  it('refuses a start five years in the past', async () => {
    const params = { ...fixture(P, 'StartTransaction'), timestamp: '2020-03-14T09:30:12Z' };
    expect(await rpcCode('StartTransaction', params)).toBe('PropertyConstraintViolation');
  });
});

describe('StopTransaction', () => {
  beforeEach(() => {
    decisions.openTransactions.set('48213', {
      transactionId: '48213',
      evseId: 3,
      connectorId: 1,
      startedAt: Date.parse('2025-03-14T09:30:12Z'),
    });
  });

  it('places the end via the open transaction, emits transactionData as samples, and answers idTagInfo', async () => {
    decisions.defaultAuthorization = { status: 'Blocked' };
    const { reply, events } = await call('StopTransaction', fixture(P, 'StopTransaction'));
    expect(decisions.lookedUp).toEqual(['48213']);
    expect(reply).toStrictEqual({ idTagInfo: { status: 'Blocked' } });
    const ref = { evseId: 3, connectorId: 1, transactionId: '48213' };
    expect(events.map((e) => e.type)).toEqual(['meter.sample', 'meter.sample', 'transaction.ended']);
    expect(events[2]).toStrictEqual({
      type: 'transaction.ended',
      ...BASE,
      ...ref,
      time: Date.parse('2025-03-14T09:59:40Z'),
      meterStopWh: 1228712,
      stoppedReason: 'EVDisconnected',
      idToken: { id: '04A2B5C2D26A80', type: 'Unknown' },
      offline: false,
      closedBy: 'station',
      // The start from the shared state, whichever collector recorded it.
      start: { time: Date.parse('2025-03-14T09:30:12Z') },
    });
    // The end marked the transaction active first, so a stale sweep at this moment backs off.
    expect(decisions.touched).toEqual([{ transactionId: '48213', at: RECEIVED_AT }]);
    expect(samples(events)).toStrictEqual([
      {
        type: 'meter.sample',
        ...BASE,
        ...ref,
        time: Date.parse('2025-03-14T09:30:12Z'),
        context: 'Transaction.Begin',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 1203345, unit: 'Wh', context: 'Transaction.Begin' },
          { measurand: 'SoC', value: 21, unit: 'Percent', location: 'EV', context: 'Transaction.Begin' },
        ],
      },
      {
        type: 'meter.sample',
        ...BASE,
        ...ref,
        time: Date.parse('2025-03-14T09:59:40Z'),
        context: 'Transaction.End',
        values: [
          { measurand: 'Energy.Active.Import.Register', value: 1228712, unit: 'Wh', context: 'Transaction.End' },
          { measurand: 'SoC', value: 80, unit: 'Percent', location: 'EV', context: 'Transaction.End' },
          { measurand: 'Power.Active.Import', value: 7200, unit: 'W', phase: 'L1', context: 'Transaction.End' },
        ],
      },
    ]);
  });

  it('still reports the end of an unknown transaction, at EVSE 0, with reason Local by default and an empty reply', async () => {
    const { reply, events } = await call('StopTransaction', {
      transactionId: 7,
      meterStop: 500,
      timestamp: '2025-03-14T08:00:00Z',
    });
    expect(reply).toStrictEqual({});
    expect(decisions.authorized).toEqual([]);
    expect(events).toStrictEqual([
      {
        type: 'transaction.ended',
        ...BASE,
        time: Date.parse('2025-03-14T08:00:00Z'),
        evseId: 0,
        connectorId: 0,
        transactionId: '7',
        meterStopWh: 500,
        stoppedReason: 'Local',
        offline: false,
        closedBy: 'station',
      },
    ]);
  });

  it('refuses a NaN reading in transactionData', async () => {
    const params = fixture<{ transactionData: Array<{ sampledValue: Array<{ value: string }> }> }>(P, 'StopTransaction');
    params.transactionData[1].sampledValue[1].value = 'abc';
    expect(await rpcCode('StopTransaction', params)).toBe('PropertyConstraintViolation');
  });

  it('refuses a negative meterStop', async () => {
    expect(await rpcCode('StopTransaction', { ...fixture(P, 'StopTransaction'), meterStop: -1 })).toBe(
      'PropertyConstraintViolation',
    );
  });
});

describe('Authorize', () => {
  it('answers with the decision and reports it', async () => {
    decisions.authorizations.set('04A2B5C2D26A80', { status: 'Expired', expiryDate: '2025-01-01T00:00:00Z' });
    const { reply, events } = await call('Authorize', fixture(P, 'Authorize'));
    expect(reply).toStrictEqual({ idTagInfo: { status: 'Expired', expiryDate: '2025-01-01T00:00:00.000Z' } });
    expect(events).toStrictEqual([
      {
        type: 'authorization.requested',
        ...BASE,
        time: RECEIVED_AT,
        idToken: { id: '04A2B5C2D26A80', type: 'Unknown' },
        result: 'Expired',
      },
    ]);
  });

  it.each([
    ['Accepted', 'Accepted'],
    ['Blocked', 'Blocked'],
    ['Expired', 'Expired'],
    ['Invalid', 'Invalid'],
    // 1.6 allows ConcurrentTx only in StartTransaction answers; a known token refused here is Blocked.
    ['ConcurrentTx', 'Blocked'],
    ['Unknown', 'Invalid'],
    ['NoCredit', 'Blocked'],
    ['NotAllowedTypeEVSE', 'Blocked'],
    ['NotAtThisLocation', 'Blocked'],
    ['NotAtThisTime', 'Blocked'],
    ['SomethingElse', 'Invalid'],
  ])('maps decision %s to 1.6 status %s, in the reply and the event', async (decided, sent) => {
    decisions.defaultAuthorization = { status: decided };
    const { reply, events } = await call('Authorize', fixture(P, 'Authorize'));
    expect(reply).toStrictEqual({ idTagInfo: { status: sent } });
    expect(events[0]).toMatchObject({ result: sent });
  });
});

describe('FirmwareStatusNotification', () => {
  it('reports the firmware status', async () => {
    const { reply, events } = await call('FirmwareStatusNotification', fixture(P, 'FirmwareStatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([{ type: 'firmware.status', ...BASE, time: RECEIVED_AT, status: 'Installing' }]);
  });
});

describe('DiagnosticsStatusNotification', () => {
  it('reports a log upload status', async () => {
    const { reply, events } = await call('DiagnosticsStatusNotification', fixture(P, 'DiagnosticsStatusNotification'));
    expect(reply).toStrictEqual({});
    expect(events).toStrictEqual([{ type: 'log.status', ...BASE, time: RECEIVED_AT, status: 'Uploaded' }]);
  });
});

describe('DataTransfer', () => {
  it('answers UnknownVendorId and records only the payload size', async () => {
    const params = fixture<{ data: string }>(P, 'DataTransfer');
    const { reply, events } = await call('DataTransfer', params);
    expect(reply).toStrictEqual({ status: 'UnknownVendorId' });
    expect(events).toStrictEqual([
      {
        type: 'data.transfer',
        ...BASE,
        time: RECEIVED_AT,
        vendorId: 'com.alfen',
        messageId: 'SessionSummary',
        dataLength: params.data.length,
      },
    ]);
  });

  it('counts a missing payload as empty', async () => {
    const { events } = await call('DataTransfer', { vendorId: 'x' });
    expect(events[0]).toStrictEqual({ type: 'data.transfer', ...BASE, time: RECEIVED_AT, vendorId: 'x', dataLength: 0 });
  });
});
