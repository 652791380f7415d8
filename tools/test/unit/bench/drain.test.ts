import { DRAIN_LIMITS, drainVerdict } from '../../../src/bench/drain';

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
