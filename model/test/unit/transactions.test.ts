import { collectorClose, endFacts, isResentStart, startOf } from '../../src/transactions';
import type { TransactionRecord } from '../../src/csms';

const rec: TransactionRecord = { transactionId: 't', evseId: 1, connectorId: 1, startedAt: 100, meterStartWh: 5, idToken: { id: 'A', type: 'Local' } };

describe('transaction rules', () => {
  it('a start is resent only when the state holds a seen start', () => {
    expect(isResentStart(undefined)).toBe(false);
    expect(isResentStart(rec)).toBe(true);
    expect(isResentStart({ ...rec, startUnseen: true })).toBe(false);
    expect(isResentStart({ ...rec, ended: { time: 1, stoppedReason: 'Local', closedBy: 'station' } })).toBe(true);
  });

  it('an end carries the start, and is resent or supersedes a close by policy from what the state recorded', () => {
    expect(endFacts(undefined)).toEqual({});
    expect(endFacts(rec)).toEqual({ start: { time: 100, meterStartWh: 5, idToken: { id: 'A', type: 'Local' } } });
    expect(endFacts({ ...rec, startUnseen: true })).toEqual({});
    expect(endFacts({ ...rec, ended: { time: 9, stoppedReason: 'Local', closedBy: 'station' } })).toMatchObject({ resent: true });
    expect(endFacts({ ...rec, ended: { time: 9, stoppedReason: 'Local', closedBy: 'station' } })).not.toHaveProperty('supersedes');
    expect(endFacts({ ...rec, ended: { time: 9, stoppedReason: 'StaleNoActivity', closedBy: 'collector' } })).toMatchObject({
      resent: true,
      supersedes: { time: 9, stoppedReason: 'StaleNoActivity' },
    });
    const supersedes = { time: 9, stoppedReason: 'StaleAfterReboot' };
    expect(endFacts({ ...rec, ended: { time: 12, stoppedReason: 'Local', closedBy: 'station', supersedes } }).supersedes).toEqual(supersedes);
  });

  it('a close by policy is a collector end at the given time with the start', () => {
    expect(collectorClose('CP', rec, { time: 200, receivedAt: 300, reason: 'StaleNoActivity' })).toStrictEqual({
      type: 'transaction.ended',
      stationId: 'CP',
      time: 200,
      receivedAt: 300,
      evseId: 1,
      connectorId: 1,
      transactionId: 't',
      stoppedReason: 'StaleNoActivity',
      idToken: { id: 'A', type: 'Local' },
      offline: false,
      start: startOf(rec),
      closedBy: 'collector',
    });
  });
});
