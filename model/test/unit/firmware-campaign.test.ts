import fc from 'fast-check';
import {
  compareVersions,
  evaluateGate,
  inMaintenanceWindow,
  isValidTimeZone,
  isValidWindow,
  localTime,
  nextCampaignStep,
  planWaves,
  selectCohort,
  type CampaignPlan,
  type CampaignSnapshot,
  type CampaignStationSnapshot,
  type CohortCandidate,
} from '../../src';

const release = { vendor: 'ACME', model: 'AC22', isTarget: (v?: string) => v === '2.0', minPriorVersion: '1.2' };
const cand = (id: string, over: Partial<CohortCandidate> = {}): CohortCandidate => ({ id, site: 'S1', vendor: 'ACME', model: 'AC22', version: '1.5', tags: {}, ...over });

describe('compareVersions', () => {
  it('orders numeric segments as numbers and the rest as text', () => {
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('1.2', '1.2.0')).toBe(-1);
    expect(compareVersions('2.0-rc1', '2.0-rc2')).toBe(-1);
    expect(compareVersions('3.1', '3.1')).toBe(0);
  });

  it('is antisymmetric for any two versions', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => Math.sign(compareVersions(a, b)) === -Math.sign(compareVersions(b, a))));
  });
});

describe('selectCohort', () => {
  it('ANDs fields, ORs lists, applies exclusions, and says why each other station is out', () => {
    const all = [
      cand('A', { tags: { region: 'north' } }),
      cand('B', { site: 'S2' }),
      cand('C', { version: '2.0' }),
      cand('D', { model: 'DC50' }),
      cand('E', { version: '1.1' }),
      cand('F'),
      cand('G', { site: 'S3' }),
    ];
    const sel = selectCohort(all, { sites: ['S1', 'S2'], exclude: ['F'] }, release);
    expect(sel.selected.map((c) => c.id)).toEqual(['A', 'B']);
    expect(sel.skipped).toEqual([
      { id: 'C', reason: 'on_target' },
      { id: 'D', reason: 'other_vendor_model' },
      { id: 'E', reason: 'below_min_prior_version' },
      { id: 'F', reason: 'excluded' },
    ]);
    expect(selectCohort(all, { tags: ['region=north'] }, release).selected.map((c) => c.id)).toEqual(['A']);
    expect(selectCohort(all, { tags: ['region'] }, release).selected.map((c) => c.id)).toEqual(['A']);
    expect(selectCohort(all, { stations: ['G', 'B', 'nope'], sites: ['S3'] }, release).selected.map((c) => c.id)).toEqual(['G']);
  });

  it('never selects an excluded station or one of another model, whatever the cohort', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), site: fc.constantFrom('S1', 'S2'), model: fc.constantFrom('AC22', 'DC50') }), { maxLength: 30 }), fc.array(fc.string({ maxLength: 4 })), (rows, exclude) => {
        const sel = selectCohort(rows.map((r) => cand(r.id, r)), { exclude }, release);
        expect(sel.selected.every((c) => !exclude.includes(c.id) && c.model === 'AC22')).toBe(true);
      }),
    );
  });
});

describe('planWaves', () => {
  const stations = (n: number, sites = 3) => Array.from({ length: n }, (_, i) => cand(`CP-${String(i).padStart(3, '0')}`, { site: `S${i % sites}` }));

  it('takes the canary first, then waves of the given size, each station exactly once', () => {
    const waves = planWaves(stations(23), { canary: { count: 3 }, waves: { percent: 25 } });
    expect(waves.map((w) => w.length)).toEqual([3, 6, 6, 6, 2]);
    expect(new Set(waves.flat()).size).toBe(23);
  });

  it('spreads a wave over sites', () => {
    const [canary] = planWaves(stations(30), { canary: { count: 3 }, waves: { count: 10 } });
    expect(canary.map((id) => Number(id.slice(3)) % 3).sort()).toEqual([0, 1, 2]);
  });

  it('covers every station once for any sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }), (n, canaryPct, wavePct) => {
        const waves = planWaves(stations(n, 7), { canary: { percent: canaryPct }, waves: { percent: wavePct } });
        expect(waves.flat().sort()).toEqual(stations(n, 7).map((c) => c.id).sort());
        expect(waves.every((w) => w.length > 0)).toBe(true);
      }),
    );
  });
});

describe('evaluateGate', () => {
  const gate = { minVerifiedPercent: 80, withinSec: 600, maxFailedPercent: 10 };
  const t0 = 1_700_000_000_000;

  it('waits while stations are unsent, fails at once past the failure budget', () => {
    expect(evaluateGate({ size: 10, verified: 5, failed: 0, updating: 0, pending: 5 }, gate, undefined, t0).decision).toBe('wait');
    expect(evaluateGate({ size: 10, verified: 0, failed: 2, updating: 3, pending: 5 }, gate, undefined, t0)).toMatchObject({ decision: 'fail', failedPercent: 20 });
    expect(evaluateGate({ size: 10, verified: 0, failed: 1, updating: 9, pending: 0 }, gate, t0, t0).decision).toBe('wait');
  });

  it('passes on enough verified, fails when the time runs out first', () => {
    expect(evaluateGate({ size: 10, verified: 8, failed: 1, updating: 1, pending: 0 }, gate, t0, t0 + 1000)).toMatchObject({ decision: 'pass', verifiedPercent: 80 });
    expect(evaluateGate({ size: 10, verified: 7, failed: 1, updating: 2, pending: 0 }, gate, t0, t0 + 600_000).decision).toBe('wait');
    expect(evaluateGate({ size: 10, verified: 7, failed: 1, updating: 2, pending: 0 }, gate, t0, t0 + 600_001)).toMatchObject({ decision: 'fail', reason: expect.stringMatching(/7 of 10 verified/) });
  });

  it('compares in integers: 1 of 3 failed is over a 33% budget', () => {
    expect(evaluateGate({ size: 3, verified: 2, failed: 1, updating: 0, pending: 0 }, { ...gate, maxFailedPercent: 33 }, t0, t0).decision).toBe('fail');
  });
});

describe('maintenance windows', () => {
  // 2026-12-02 is a Wednesday. 22:30 UTC is 23:30 in Berlin (CET) and 17:30 in New York (EST).
  const at = Date.UTC(2026, 11, 2, 22, 30);

  it('reads the local day and time of a site', () => {
    expect(localTime(at, 'Europe/Berlin')).toEqual({ day: 3, minute: 23 * 60 + 30 });
    expect(localTime(at, 'America/New_York')).toEqual({ day: 3, minute: 17 * 60 + 30 });
  });

  it('opens in local time, across midnight, on the start day', () => {
    const night = [{ start: '22:00', end: '05:00', days: [3] }];
    expect(inMaintenanceWindow(night, 'Europe/Berlin', at)).toBe(true);
    expect(inMaintenanceWindow(night, 'America/New_York', at)).toBe(false);
    // 02:00 Thursday in Berlin belongs to Wednesday's window.
    expect(inMaintenanceWindow(night, 'Europe/Berlin', Date.UTC(2026, 11, 3, 1, 0))).toBe(true);
    expect(inMaintenanceWindow(night, 'Europe/Berlin', Date.UTC(2026, 11, 4, 1, 0))).toBe(false);
    expect(inMaintenanceWindow(undefined, 'UTC', at)).toBe(true);
  });

  it('checks windows and zones', () => {
    expect(isValidWindow({ start: '22:00', end: '05:00' })).toBe(true);
    expect(isValidWindow({ start: '24:00', end: '05:00' })).toBe(false);
    expect(isValidWindow({ start: '01:00', end: '01:00' })).toBe(false);
    expect(isValidWindow({ start: '01:00', end: '02:00', days: [7] })).toBe(false);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('nextCampaignStep', () => {
  const plan: CampaignPlan = { canary: { count: 2 }, waves: { count: 4 }, gate: { minVerifiedPercent: 50, withinSec: 60, maxFailedPercent: 25 }, maxPerSite: 1 };
  const st = (id: string, wave: number, over: Partial<CampaignStationSnapshot> = {}): CampaignStationSnapshot => ({ id, wave, site: 'S1', timeZone: 'UTC', state: 'pending', online: true, charging: false, ...over });
  const snap = (stations: CampaignStationSnapshot[], over: Partial<CampaignSnapshot> = {}): CampaignSnapshot => ({ status: 'running', currentWave: 0, waveCount: 2, gateOverridden: false, noReturnAcknowledged: 0, plan, stations, ...over });
  const now = 1_700_000_000_000;

  it('sends to the stations that may take an update and says why the others wait', () => {
    const step = nextCampaignStep(snap([st('A', 0), st('B', 0), st('C', 0, { site: 'S2', charging: true }), st('D', 0, { online: false }), st('E', 1)]), now);
    expect(step).toEqual({ kind: 'dispatch', stations: ['A'], deferred: [{ id: 'B', reason: 'site_busy' }, { id: 'C', reason: 'charging' }, { id: 'D', reason: 'offline' }] });
  });

  it('advances on a passed gate, completes after the last wave, pauses on a failed one', () => {
    const verified = (id: string, wave: number) => st(id, wave, { state: 'verified', dispatchedAt: now - 1000 });
    expect(nextCampaignStep(snap([verified('A', 0), st('B', 0, { state: 'updating', dispatchedAt: now - 500 }), st('C', 1)]), now)).toMatchObject({ kind: 'advance', toWave: 1 });
    expect(nextCampaignStep(snap([verified('A', 0), verified('C', 1)], { currentWave: 1 }), now)).toMatchObject({ kind: 'complete' });
    expect(nextCampaignStep(snap([verified('A', 0), verified('C', 1), st('D', 1, { state: 'updating', dispatchedAt: now })], { currentWave: 1 }), now)).toMatchObject({ kind: 'idle' });
    const failing = snap([st('A', 0, { state: 'failed', failureReason: 'InstallationFailed', dispatchedAt: now }), st('B', 0, { state: 'updating', dispatchedAt: now })]);
    expect(nextCampaignStep(failing, now)).toMatchObject({ kind: 'pause', reason: 'gate_failed' });
    expect(nextCampaignStep({ ...failing, gateOverridden: true }, now)).toMatchObject({ kind: 'advance', toWave: 1 });
  });

  it('pauses when a station does not come back, once per new one', () => {
    const stations = [st('A', 0, { state: 'failed', failureReason: 'no_return', dispatchedAt: now }), st('B', 0, { state: 'verified', dispatchedAt: now }), st('C', 0, { state: 'verified', dispatchedAt: now }), st('D', 0, { state: 'verified', dispatchedAt: now }), st('E', 1)];
    expect(nextCampaignStep(snap(stations), now)).toMatchObject({ kind: 'pause', reason: 'no_return', detail: expect.stringContaining('A') });
    expect(nextCampaignStep(snap(stations, { noReturnAcknowledged: 1 }), now)).toMatchObject({ kind: 'advance' });
  });

  it('does nothing unless running', () => {
    for (const status of ['paused', 'completed', 'cancelled'] as const) expect(nextCampaignStep(snap([st('A', 0)], { status }), now)).toEqual({ kind: 'idle' });
  });

  it('defers outside the maintenance window of the site', () => {
    const windows = [{ start: '01:00', end: '02:00' }];
    expect(nextCampaignStep(snap([st('A', 0)], { plan: { ...plan, windows } }), Date.UTC(2026, 0, 1, 12))).toEqual({ kind: 'dispatch', stations: [], deferred: [{ id: 'A', reason: 'outside_window' }] });
    expect(nextCampaignStep(snap([st('A', 0)], { plan: { ...plan, windows } }), Date.UTC(2026, 0, 1, 1, 30))).toMatchObject({ kind: 'dispatch', stations: ['A'] });
  });

  it('never sends more than maxPerSite to one site, whatever the states', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ site: fc.constantFrom('S1', 'S2', 'S3'), state: fc.constantFrom('pending', 'updating', 'verified') }), { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), (rows, k) => {
        const stations = rows.map((r, i) => st(`CP-${i}`, 0, { site: r.site, state: r.state as CampaignStationSnapshot['state'] }));
        const step = nextCampaignStep(snap(stations, { plan: { ...plan, maxPerSite: k } }), now);
        if (step.kind !== 'dispatch') return;
        for (const site of ['S1', 'S2', 'S3']) {
          const inFlight = stations.filter((s) => s.site === site && (s.state === 'updating' || step.stations.includes(s.id))).length;
          const before = stations.filter((s) => s.site === site && s.state === 'updating').length;
          expect(inFlight).toBeLessThanOrEqual(Math.max(k, before));
        }
      }),
    );
  });
});
