/**
 * What the adapters take from the shared transaction state (through CsmsDecisions): the start an end
 * carries, `resent` on starts and ends already recorded, `supersedes` on a station's end that arrives
 * after the collector closed the transaction by policy, and the collector's close when a connector
 * reports Available after a reboot. Both OCPP versions follow the same rules.
 */
import type { LostTransaction, TransactionRecord } from '@chargewatch/model';
import { ocpp16Adapter, ocpp201Adapter } from '../../../src/ocpp/adapters';
import { FakeDecisions, RECEIVED_AT, STATION_ID, makeContext } from './fake-decisions';
import { fixture, schemaError } from './ocpp-schemas';

const TX201 = '6b0e6a6e-2f7d-4c55-9d1e-3a4c3f1f0b21';
const TOKEN = { id: '04A2B5C2D26A80', type: 'Unknown' } as const;
const STARTED = Date.parse('2025-03-14T09:30:12Z');

let decisions: FakeDecisions;
beforeEach(() => {
  decisions = new FakeDecisions();
});

async function call(protocol: 'ocpp1.6' | 'ocpp2.0.1', action: string, params: unknown) {
  const adapter = protocol === 'ocpp1.6' ? ocpp16Adapter : ocpp201Adapter;
  const result = await adapter.handle(action, params, makeContext(decisions));
  expect(schemaError(protocol, action, 'conf', result.reply)).toBeUndefined();
  return result;
}

const record = (transactionId: string, extra: Partial<TransactionRecord> = {}): TransactionRecord => ({
  transactionId,
  evseId: 2,
  connectorId: 1,
  startedAt: STARTED,
  meterStartWh: 1_203_345,
  idToken: TOKEN,
  ...extra,
});
const last = <T>(xs: readonly T[]) => xs[xs.length - 1]!;

describe('1.6 StartTransaction', () => {
  it('is new the first time and resent when the same start already holds its id', async () => {
    const first = await call('ocpp1.6', 'StartTransaction', fixture('ocpp1.6', 'StartTransaction'));
    expect(first.events[0]).not.toHaveProperty('resent');
    // The resend gets the same id from its start key, and the state already has that transaction.
    decisions.nextTransactionId = 1000;
    decisions.openTransactions.set('1000', record('1000'));
    const again = await call('ocpp1.6', 'StartTransaction', fixture('ocpp1.6', 'StartTransaction'));
    expect(again.reply).toMatchObject({ transactionId: 1000 });
    expect(again.events[0]).toMatchObject({ type: 'transaction.started', transactionId: '1000', resent: true });
  });

  it('is new again when the allocated id was never recorded (the first attempt failed before the answer)', async () => {
    const { events } = await call('ocpp1.6', 'StartTransaction', fixture('ocpp1.6', 'StartTransaction'));
    expect(events[0]).not.toHaveProperty('resent');
    expect(decisions.lookedUp).toEqual(['1000']);
  });
});

describe('ends: start, resent, supersedes', () => {
  const stop16 = () => fixture<Record<string, unknown>>('ocpp1.6', 'StopTransaction');

  it('an end of an open transaction carries its start and is not resent', async () => {
    decisions.openTransactions.set('48213', record('48213'));
    const ended = last((await call('ocpp1.6', 'StopTransaction', stop16())).events);
    expect(ended).toMatchObject({ type: 'transaction.ended', closedBy: 'station', start: { time: STARTED, meterStartWh: 1_203_345, idToken: TOKEN } });
    expect(ended).not.toHaveProperty('resent');
  });

  it('an end recorded before is resent, on the same connector, with the same start', async () => {
    decisions.openTransactions.set('48213', record('48213', { ended: { time: 1, stoppedReason: 'EVDisconnected', closedBy: 'station', meterStopWh: 1_228_712 } }));
    const ended = last((await call('ocpp1.6', 'StopTransaction', stop16())).events);
    expect(ended).toMatchObject({ evseId: 2, connectorId: 1, resent: true, start: { time: STARTED } });
    expect(ended).not.toHaveProperty('supersedes');
  });

  it("the station's end after a close by policy is resent and supersedes that close; its own figures stay", async () => {
    decisions.openTransactions.set('48213', record('48213', { ended: { time: STARTED + 60_000, stoppedReason: 'StaleAfterReboot', closedBy: 'collector' } }));
    const ended = last((await call('ocpp1.6', 'StopTransaction', stop16())).events);
    expect(ended).toMatchObject({
      resent: true,
      closedBy: 'station',
      supersedes: { time: STARTED + 60_000, stoppedReason: 'StaleAfterReboot' },
      meterStopWh: 1_228_712,
      stoppedReason: 'EVDisconnected',
      time: Date.parse('2025-03-14T09:59:40Z'),
    });
  });

  it('a resend of that late end supersedes the same close again (one InfluxDB point)', async () => {
    const supersedes = { time: STARTED + 60_000, stoppedReason: 'StaleAfterReboot' };
    decisions.openTransactions.set('48213', record('48213', { ended: { time: 5, stoppedReason: 'EVDisconnected', closedBy: 'station', supersedes } }));
    expect(last((await call('ocpp1.6', 'StopTransaction', stop16())).events)).toMatchObject({ resent: true, supersedes });
  });

  it('2.0.1 Ended follows the same rules, and marks the transaction active before looking', async () => {
    decisions.openTransactions.set(TX201, record(TX201, { ended: { time: STARTED + 60_000, stoppedReason: 'StaleNoActivity', closedBy: 'collector' } }));
    const ended = last((await call('ocpp2.0.1', 'TransactionEvent', fixture('ocpp2.0.1', 'TransactionEvent.Ended'))).events);
    expect(ended).toMatchObject({ resent: true, supersedes: { time: STARTED + 60_000, stoppedReason: 'StaleNoActivity' }, start: { time: STARTED } });
    expect(decisions.touched).toEqual([{ transactionId: TX201, at: RECEIVED_AT }]);
  });

  it('an end whose start was never seen carries no start (no invented energy or duration)', async () => {
    decisions.openTransactions.set(TX201, record(TX201, { startUnseen: true, meterStartWh: undefined }));
    const ended = last((await call('ocpp2.0.1', 'TransactionEvent', fixture('ocpp2.0.1', 'TransactionEvent.Ended'))).events);
    expect(ended).not.toHaveProperty('start');
    expect(ended).not.toHaveProperty('resent');
  });
});

describe('2.0.1 Started and Updated', () => {
  it('Started is resent when the state holds its start, new when only an Updated opened the record', async () => {
    decisions.openTransactions.set(TX201, record(TX201));
    expect((await call('ocpp2.0.1', 'TransactionEvent', fixture('ocpp2.0.1', 'TransactionEvent'))).events[0]).toMatchObject({ resent: true });
    decisions.openTransactions.set(TX201, record(TX201, { startUnseen: true }));
    expect((await call('ocpp2.0.1', 'TransactionEvent', fixture('ocpp2.0.1', 'TransactionEvent'))).events[0]).not.toHaveProperty('resent');
  });

  it('an Updated that names its connector needs no look-up', async () => {
    const params = { ...fixture<Record<string, unknown>>('ocpp2.0.1', 'TransactionEvent.Updated'), evse: { id: 2, connectorId: 1 } };
    await call('ocpp2.0.1', 'TransactionEvent', params);
    expect(decisions.lookedUp).toEqual([]);
  });
});

describe('closing what a reboot lost when the connector reports Available', () => {
  const lost: LostTransaction = { ...record('48213'), lastActivity: STARTED + 120_000 };
  const close = {
    type: 'transaction.ended',
    stationId: STATION_ID,
    time: STARTED + 120_000,
    receivedAt: RECEIVED_AT,
    evseId: 2,
    connectorId: 1,
    transactionId: '48213',
    stoppedReason: 'StaleAfterReboot',
    idToken: TOKEN,
    offline: false,
    start: { time: STARTED, meterStartWh: 1_203_345, idToken: TOKEN },
    closedBy: 'collector',
  };

  it('1.6: the close comes before the status, at the last activity, with its start', async () => {
    decisions.lostByReboot.set('2/1', [lost]);
    const { events } = await call('ocpp1.6', 'StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Available', timestamp: '2025-03-14T09:59:58Z' });
    expect(events.map((e) => e.type)).toEqual(['transaction.ended', 'connector.status']);
    expect(events[0]).toStrictEqual(close);
  });

  it('2.0.1: the same', async () => {
    decisions.lostByReboot.set('2/1', [lost]);
    const { events } = await call('ocpp2.0.1', 'StatusNotification', { timestamp: '2025-03-14T09:59:58Z', connectorStatus: 'Available', evseId: 2, connectorId: 1 });
    expect(events.map((e) => e.type)).toEqual(['transaction.ended', 'connector.status']);
    expect(events[0]).toStrictEqual(close);
  });

  it('only Available asks, and never for the station as a whole', async () => {
    decisions.lostByReboot.set('2/1', [lost]);
    await call('ocpp1.6', 'StatusNotification', { connectorId: 2, errorCode: 'NoError', status: 'Preparing' });
    await call('ocpp1.6', 'StatusNotification', { connectorId: 0, errorCode: 'NoError', status: 'Available' });
    await call('ocpp2.0.1', 'StatusNotification', { timestamp: '2025-03-14T09:59:58Z', connectorStatus: 'Occupied', evseId: 2, connectorId: 1 });
    expect(decisions.rebootQueries).toEqual([]);
    await call('ocpp1.6', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available' });
    expect(decisions.rebootQueries).toEqual([{ evseId: 1, connectorId: 1 }]);
  });
});
