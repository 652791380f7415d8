import { afterSyncOutcome, chooseUpdateType, driftVerdict, localListOutcome, nextDueAt } from '../../src/local-list-sync';

describe('local-list sync state', () => {
  it('reads the station status out of command results', () => {
    expect(localListOutcome({ status: 'accepted' })).toBe('accepted');
    expect(localListOutcome({ status: 'rejected', reason: 'station answered VersionMismatch' })).toBe('version_mismatch');
    expect(localListOutcome({ status: 'rejected', reason: 'station answered Failed' })).toBe('failed');
    expect(localListOutcome({ status: 'not_supported', reason: 'station answered NotSupported' })).toBe('not_supported');
    expect(localListOutcome({ status: 'not_supported', reason: 'the station has no local authorization list (listVersion -1)' })).toBe('not_supported');
    expect(localListOutcome({ status: 'not_supported', reason: 'x', data: { code: 'NotImplemented' } })).toBe('not_supported');
    // Our adapter refusing an entry is not the station's lack of support.
    expect(localListOutcome({ status: 'not_supported', reason: '1.6 idTag holds at most 20 characters; this one has 21' })).toBe('error');
    expect(localListOutcome({ status: 'offline' })).toBe('offline');
    expect(localListOutcome({ status: 'timeout' })).toBe('uncertain');
    expect(localListOutcome({ status: 'interrupted' })).toBe('uncertain');
    expect(localListOutcome(undefined)).toBe('uncertain');
    expect(localListOutcome({ status: 'call_error' })).toBe('error');
  });

  it('Full when never synced, after a refusal or an uncertain outcome; Differential afterwards', () => {
    expect(chooseUpdateType({ needsFull: false })).toBe('full');
    expect(chooseUpdateType({ version: 3, needsFull: false })).toBe('differential');
    expect(chooseUpdateType({ version: 3, needsFull: false }, true)).toBe('full');
    for (const o of ['version_mismatch', 'failed', 'error', 'uncertain'] as const) {
      const s = afterSyncOutcome({ needsFull: false, failures: 0 }, o);
      expect(chooseUpdateType({ version: 3, ...s })).toBe('full');
    }
    expect(afterSyncOutcome({ needsFull: true, failures: 2 }, 'accepted')).toEqual({ state: 'in_sync', needsFull: false, failures: 0 });
    expect(afterSyncOutcome({ needsFull: false, failures: 0 }, 'offline')).toEqual({ state: 'pending', needsFull: false, failures: 0 });
    expect(afterSyncOutcome({ needsFull: false, failures: 0 }, 'not_supported').state).toBe('unsupported');
  });

  it('backs off failures up to the check period', () => {
    const s = { checkEveryMs: 3_600_000, retryBaseMs: 60_000 };
    expect(nextDueAt('failed', 1, 0, s)).toBe(60_000);
    expect(nextDueAt('failed', 3, 0, s)).toBe(240_000);
    expect(nextDueAt('failed', 30, 0, s)).toBe(3_600_000);
    expect(nextDueAt('in_sync', 0, 0, s)).toBe(3_600_000);
  });

  it('finds drift from the station version', () => {
    expect(driftVerdict(4, { status: 'accepted', data: { version: 4 } })).toEqual({ verdict: 'in_sync' });
    expect(driftVerdict(4, { status: 'accepted', data: { version: 0 } })).toEqual({ verdict: 'drift' });
    expect(driftVerdict(undefined, { status: 'accepted', data: { version: 0 } })).toEqual({ verdict: 'drift' });
    expect(driftVerdict(4, { status: 'not_supported', reason: 'the station has no local authorization list (listVersion -1)' })).toEqual({ verdict: 'outcome', outcome: 'not_supported' });
  });
});
