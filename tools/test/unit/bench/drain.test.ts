import { DRAIN_LIMITS, countsAgree, drainVerdict } from '../../../src/bench/drain';

describe('drainVerdict', () => {
  const base = { target: 1000, stored: 400, lag: 12, unchangedMs: 0, elapsedMs: 1000 };

  it('stops as soon as InfluxDB holds every acknowledged sample, whatever the lag says', () => {
    expect(drainVerdict({ ...base, stored: 1000 })).toBe('matched');
    expect(drainVerdict({ ...base, stored: 1000, lag: undefined })).toBe('matched');
  });

  it('keeps polling while the writer still has journal entries and the count moves', () => {
    expect(drainVerdict(base)).toBeUndefined();
    expect(drainVerdict({ ...base, unchangedMs: DRAIN_LIMITS.stallMs - 1 })).toBeUndefined();
  });

  it('with the journal handled (lag 0), a short pause in the count makes a mismatch final', () => {
    expect(drainVerdict({ ...base, lag: 0, unchangedMs: DRAIN_LIMITS.settleMs - 1 })).toBeUndefined();
    expect(drainVerdict({ ...base, lag: 0, unchangedMs: DRAIN_LIMITS.settleMs })).toBe('drained');
  });

  it('gives up on a count that stopped moving while entries wait, or when unknown lag and no progress', () => {
    expect(drainVerdict({ ...base, unchangedMs: DRAIN_LIMITS.stallMs })).toBe('stalled');
    expect(drainVerdict({ ...base, lag: undefined, unchangedMs: DRAIN_LIMITS.stallMs })).toBe('stalled');
  });

  it('gives up after the timeout even while the count still moves', () => {
    expect(drainVerdict({ ...base, elapsedMs: DRAIN_LIMITS.timeoutMs })).toBe('timeout');
    expect(drainVerdict({ ...base, elapsedMs: 100 }, { timeoutMs: 100, stallMs: 5000, settleMs: 1000 })).toBe('timeout');
  });
});

describe('drainVerdict with calls in doubt', () => {
  const base = { target: 1000, slack: 200, stored: 1100, lag: 3, unchangedMs: 0, elapsedMs: 1000 };

  it('waits for the journal to be handled before taking a count in range', () => {
    expect(drainVerdict(base)).toBeUndefined();
    expect(drainVerdict({ ...base, lag: 0 })).toBe('matched');
    expect(drainVerdict({ ...base, stored: 1000, lag: 0 })).toBe('matched');
    expect(drainVerdict({ ...base, stored: 1200, lag: 0 })).toBe('matched');
  });

  it('does not match beyond the slack or short of the target', () => {
    expect(drainVerdict({ ...base, stored: 1201, lag: 0 })).toBeUndefined();
    expect(drainVerdict({ ...base, stored: 999, lag: 0 })).toBeUndefined();
  });
});

describe('countsAgree', () => {
  const acked = { 'Energy.Active.Import.Register': 100, Voltage: 300 };

  it('asks for every acknowledged sample of every measurand', () => {
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 100, Voltage: 300 }, 0)).toBe(true);
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 100, Voltage: 299 }, 0)).toBe(false);
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 100 }, 0)).toBe(false);
  });

  it('allows the samples of calls in doubt, per measurand, and no more', () => {
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 102, Voltage: 306 }, 2)).toBe(true);
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 103, Voltage: 306 }, 2)).toBe(false);
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 101, Voltage: 0 }, 2)).toBe(false);
    expect(countsAgree(acked, { 'Energy.Active.Import.Register': 101, Voltage: 300 }, 0)).toBe(false);
  });
});
