import fc from 'fast-check';
import { foldSessionFacts, isImportRegister, mergeSessionFacts, preferredEnd, sessionFactsOf, type ChargeEvent, type SessionFacts } from '../../src';

const at = (ms: number) => ({ stationId: 'CP', time: ms, receivedAt: ms });

describe('session facts', () => {
  it('reads the whole-connector import register only', () => {
    expect(isImportRegister({ measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Wh' })).toBe(true);
    expect(isImportRegister({ measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Wh', phase: 'L1' })).toBe(false);
    expect(isImportRegister({ measurand: 'Energy.Active.Import.Register', value: 1, unit: 'Wh', location: 'Inlet' })).toBe(false);
    expect(isImportRegister({ measurand: 'Energy.Active.Export.Register', value: 1, unit: 'Wh' })).toBe(false);
  });

  it('takes lowest and highest reading of a sample set naming a transaction; ignores others', () => {
    const sample = (transactionId?: string): ChargeEvent => ({
      type: 'meter.sample', ...at(1), evseId: 1, connectorId: 1, transactionId, context: 'Sample.Periodic',
      values: [{ measurand: 'Energy.Active.Import.Register', value: 30, unit: 'Wh' }, { measurand: 'Energy.Active.Import.Register', value: 10, unit: 'Wh' }, { measurand: 'SoC', value: 99, unit: 'Percent' }],
    });
    expect(sessionFactsOf(sample('7'))).toEqual({ stationId: 'CP', transactionId: '7', firstMeterWh: 10, lastMeterWh: 30 });
    expect(sessionFactsOf(sample())).toBeUndefined();
    expect(sessionFactsOf({ type: 'station.heartbeat', ...at(1) })).toBeUndefined();
  });

  it('keeps connector 0 of an end whose start was never seen out of the facts', () => {
    const end: ChargeEvent = { type: 'transaction.ended', ...at(5), evseId: 0, connectorId: 0, transactionId: '9', stoppedReason: 'Local', offline: false };
    expect(sessionFactsOf(end)).toEqual({ stationId: 'CP', transactionId: '9', end: { time: 5, stoppedReason: 'Local', closedBy: 'station' } });
  });

  it('prefers the station’s end over a close by policy, whichever comes first', () => {
    const station = { time: 2, stoppedReason: 'Local', closedBy: 'station' as const };
    const policy = { time: 9, stoppedReason: 'StaleNoActivity', closedBy: 'collector' as const };
    expect(preferredEnd(station, policy)).toBe(station);
    expect(preferredEnd(policy, station)).toBe(station);
    expect(preferredEnd(undefined, policy)).toBe(policy);
  });

  it('merges to the same facts in any order when the events agree (replays, claims)', () => {
    const events: ChargeEvent[] = [
      { type: 'transaction.started', ...at(0), evseId: 1, connectorId: 2, transactionId: 't', idToken: { id: 'A', type: 'ISO14443' }, meterStartWh: 100, offline: false },
      { type: 'meter.sample', ...at(5), evseId: 1, connectorId: 2, transactionId: 't', context: 'Sample.Periodic', values: [{ measurand: 'Energy.Active.Import.Register', value: 150, unit: 'Wh' }] },
      { type: 'transaction.updated', ...at(6), evseId: 1, connectorId: 2, transactionId: 't', offline: true },
      { type: 'transaction.ended', ...at(9), evseId: 1, connectorId: 2, transactionId: 't', stoppedReason: 'StaleNoActivity', offline: false, closedBy: 'collector', start: { time: 0, meterStartWh: 100 } },
      { type: 'transaction.ended', ...at(8), evseId: 1, connectorId: 2, transactionId: 't', stoppedReason: 'Local', meterStopWh: 190, offline: false, start: { time: 0, meterStartWh: 100, idToken: { id: 'A', type: 'ISO14443' } } },
    ];
    const expected: SessionFacts = {
      stationId: 'CP', transactionId: 't', evseId: 1, connectorId: 2, idToken: { id: 'A', type: 'ISO14443' }, startedAt: 0, meterStartWh: 100,
      end: { time: 8, stoppedReason: 'Local', closedBy: 'station', meterStopWh: 190 }, firstMeterWh: 150, lastMeterWh: 150, offline: true,
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: events.length - 1 }), { minLength: 1, maxLength: 20 }), (picks) => {
        const seq = [...events.keys(), ...picks].sort((a, b) => ((a * 7919 + picks.length) % 11) - ((b * 7919 + picks.length) % 11));
        const folded = foldSessionFacts(seq.map((i) => ({ event: events[i]! })));
        expect([...folded.values()]).toEqual([expected]);
      }),
    );
    // Merging folds of two halves equals the fold of the whole.
    const half = (xs: ChargeEvent[]) => [...foldSessionFacts(xs.map((event) => ({ event }))).values()][0]!;
    expect(mergeSessionFacts(half(events.slice(3)), half(events.slice(0, 3)))).toEqual(expected);
  });
});
