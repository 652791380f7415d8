/**
 * The misuse rules: each fires on the pattern it is about and stays silent on normal traffic, for any
 * arrangement fast-check finds; windows judge an event as they would on a replay (order and duplicates
 * do not matter).
 */
import fc from 'fast-check';
import {
  DEFAULT_MISUSE_THRESHOLDS as T,
  bayOverdue,
  baySignal,
  classifyAuthorization,
  distanceKm,
  evidenceOf,
  findImpossibleTravel,
  incidentDedupeKey,
  incidentSubject,
  liveSessions,
  maskIdToken,
  nextBayState,
  outsideAllowedHours,
  securityEventSeverity,
  windowFires,
  windowMember,
  type BayState,
  type ChargeEvent,
  type WindowEntry,
} from '../../src';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const key = (i: number) => `${T0}-0/${i}`;

describe('classifyAuthorization', () => {
  test.each([
    [{ id: 'A', type: 'ISO14443' }, 'Accepted', 'accepted'],
    [{ id: 'A', type: 'ISO14443' }, 'Invalid', 'unknown'],
    [{ id: 'A', type: 'Unknown' }, 'Unknown', 'unknown'],
    [{ id: 'A', type: 'ISO14443' }, 'Blocked', 'blocked'],
    [{ id: 'A', type: 'Unknown' }, 'Expired', 'blocked'],
    [{ id: '1234', type: 'KeyCode' }, 'Invalid', 'keycode_refused'],
    [{ id: '1234', type: 'KeyCode' }, 'Accepted', 'accepted'],
    [{ id: 'A', type: 'eMAID' }, 'NoCredit', 'other_refusal'],
  ] as const)('%j %s → %s', (idToken, result, cls) => {
    expect(classifyAuthorization({ idToken: { ...idToken }, result })).toBe(cls);
  });

  test('a PIN is never shown, a card by its last four characters', () => {
    expect(maskIdToken({ id: '98765432', type: 'KeyCode' })).toBe('****');
    expect(maskIdToken({ id: '04A2B3C4D5E6F7', type: 'ISO14443' })).toBe('****E6F7');
  });
});

describe('windowFires', () => {
  const rule = { count: 5, windowSec: 300 };
  /** `n` entries of distinct subjects spread over less than the window, ending at `end`. */
  const burst = (n: number, end: number, spreadMs: number) =>
    Array.from({ length: n }, (_, i): WindowEntry => ({ member: windowMember(`tok${i}`, key(i)), at: end - Math.floor((spreadMs * i) / Math.max(1, n - 1)) }));

  test('fires on count distinct subjects inside the window, whatever order and duplicates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 30 }), fc.integer({ min: 0, max: 299_000 }), fc.nat(), (n, spread, seed) => {
        const entries = burst(n, T0, spread);
        const shuffled = [...entries, ...entries.slice(0, seed % n)].sort((a, b) => ((a.at * 31 + seed) % 7) - ((b.at * 31 + seed) % 7));
        const v = windowFires(shuffled, T0, rule, true);
        expect(v.fired).toBe(true);
        expect(v.count).toBe(n);
      }),
    );
  });

  test('silent on normal traffic: fewer subjects, or the same few retrying, or spread wider than the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 50 }), (subjects, tries) => {
        const entries = Array.from({ length: tries }, (_, i): WindowEntry => ({ member: windowMember(`tok${i % subjects}`, key(i)), at: T0 - i * 1000 }));
        expect(windowFires(entries, T0, rule, true).fired).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 30 }), (n) => {
        // One attempt every 61 s: never five inside 300 s... except when exactly on the edge, which is outside.
        const entries = Array.from({ length: n }, (_, i): WindowEntry => ({ member: windowMember(`tok${i}`, key(i)), at: T0 - i * 75_000 }));
        expect(windowFires(entries, T0, rule, true).fired).toBe(false);
      }),
    );
  });

  test('a replay judges an event as it was first judged: later entries do not count', () => {
    const entries = burst(10, T0, 200_000);
    const at = entries[5]!.at;
    const v = windowFires(entries, at, rule, true);
    expect(v.count).toBe(5);
    expect(v.fired).toBe(true);
    expect(windowFires(entries, entries[6]!.at, rule, true).fired).toBe(false);
  });
});

describe('findImpossibleTravel', () => {
  const berlin = { latitude: 52.52, longitude: 13.405 };
  const munich = { latitude: 48.137, longitude: 11.575 };
  test('Berlin–Munich is about 504 km', () => {
    expect(distanceKm(berlin, munich)).toBeGreaterThan(500);
    expect(distanceKm(berlin, munich)).toBeLessThan(510);
  });

  test('fires when the gap is shorter than the distance allows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 * 60_000 }), (gap) => {
        // 504 km at 250 km/h takes about two hours: anything under 100 minutes is impossible.
        const f = findImpossibleTravel({ stationId: 'B', at: T0 + gap, ...munich }, [{ stationId: 'A', at: T0, ...berlin }], T.impossibleTravel);
        expect(f?.other.stationId).toBe('A');
        expect(f!.speedKmh).toBeGreaterThan(250);
      }),
    );
  });

  test('silent for plausible trips, nearby stations, the same station, and stations without coordinates', () => {
    fc.assert(
      fc.property(fc.integer({ min: 125 * 60_000, max: 20 * 3_600_000 }), fc.integer({ min: 0, max: 3_600_000 }), (gap, small) => {
        expect(findImpossibleTravel({ stationId: 'B', at: T0 + gap, ...munich }, [{ stationId: 'A', at: T0, ...berlin }], T.impossibleTravel)).toBeUndefined();
        // Two stations 1 km apart, seconds between: the same site's car park.
        const near = { latitude: berlin.latitude + 0.009, longitude: berlin.longitude };
        expect(findImpossibleTravel({ stationId: 'B', at: T0 + small, ...near }, [{ stationId: 'A', at: T0, ...berlin }], T.impossibleTravel)).toBeUndefined();
        expect(findImpossibleTravel({ stationId: 'A', at: T0 + small, ...berlin }, [{ stationId: 'A', at: T0, ...berlin }], T.impossibleTravel)).toBeUndefined();
        expect(findImpossibleTravel({ stationId: 'B', at: T0 + small }, [{ stationId: 'A', at: T0, ...berlin }], T.impossibleTravel)).toBeUndefined();
      }),
    );
  });
});

describe('liveSessions', () => {
  test('two open sessions of one token fire; an old one whose end was lost does not count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_000_000 }), (age) => {
        const open = [
          { stationId: 'A', transactionId: '1', startedAt: T0 - age },
          { stationId: 'B', transactionId: '2', startedAt: T0 },
        ];
        expect(liveSessions(open, T0, T.concurrentSessions)).toHaveLength(2);
        expect(liveSessions([{ ...open[0]!, startedAt: T0 - 86_400_001 }, open[1]!], T0, T.concurrentSessions)).toHaveLength(1);
      }),
    );
  });
});

describe('outsideAllowedHours', () => {
  const weekdays = [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' }];
  test('inside, outside, no restriction', () => {
    const tue10 = Date.UTC(2026, 11, 1, 9, 0); // 10:00 in Berlin, a Tuesday
    const tue22 = Date.UTC(2026, 11, 1, 21, 0);
    expect(outsideAllowedHours(weekdays, tue10, 'Europe/Berlin')).toBe(false);
    expect(outsideAllowedHours(weekdays, tue22, 'Europe/Berlin')).toBe(true);
    expect(outsideAllowedHours(undefined, tue22, 'Europe/Berlin')).toBe(false);
    expect(outsideAllowedHours([], tue22, 'Europe/Berlin')).toBe(false);
  });
});

describe('idle bays', () => {
  const status = (s: string, at: number): ChargeEvent => ({ type: 'connector.status', stationId: 'S', time: at, receivedAt: at, evseId: 1, connectorId: 1, status: s as 'Charging', errorCode: 'NoError' });
  const run = (events: ChargeEvent[]) => {
    let state: BayState | undefined;
    events.forEach((e, i) => {
      const s = baySignal(e);
      if (s) state = nextBayState(state, s.signal, e.time, key(i));
    });
    return state;
  };
  const grace = T.idleBay.graceSec * 1000;

  test('a car that stays past the grace period after charging is overdue (1.6 SuspendedEV/Finishing, 2.0.1 charging states)', () => {
    fc.assert(
      fc.property(fc.constantFrom('SuspendedEV', 'Finishing'), fc.integer({ min: 0, max: 10 * grace }), (idle, extra) => {
        const state = run([status('Preparing', T0), status('Charging', T0 + 1000), status(idle, T0 + 60_000)]);
        expect(bayOverdue(state, T0 + 60_000 + grace + extra, T.idleBay)).toBe(true);
        expect(bayOverdue({ ...state!, reported: true }, T0 + 60_000 + grace + extra, T.idleBay)).toBe(false);
      }),
    );
    const upd = (cs: string, at: number): ChargeEvent => ({ type: 'transaction.updated', stationId: 'S', time: at, receivedAt: at, evseId: 1, connectorId: 1, transactionId: 't', chargingState: cs, offline: false });
    expect(bayOverdue(run([upd('Charging', T0), upd('EVConnected', T0 + 1000)]), T0 + 1000 + grace, T.idleBay)).toBe(true);
  });

  test('silent on normal traffic: the car leaves within grace, never charged, or charges again', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: grace - 1 }), fc.integer({ min: 0, max: 10 * grace }), (within, later) => {
        expect(bayOverdue(run([status('Charging', T0), status('Finishing', T0 + 1), status('Available', T0 + 1 + within)]), T0 + later, T.idleBay)).toBe(false);
        expect(bayOverdue(run([status('Charging', T0), status('SuspendedEV', T0 + 1)]), T0 + 1 + within, T.idleBay)).toBe(false);
        expect(bayOverdue(run([status('Preparing', T0), status('SuspendedEV', T0 + 1)]), T0 + later + grace, T.idleBay)).toBe(false);
        expect(bayOverdue(run([status('Charging', T0), status('SuspendedEV', T0 + 1), status('Charging', T0 + 2)]), T0 + later + grace, T.idleBay)).toBe(false);
      }),
    );
  });

  test('idle begins at the first sign, not the last', () => {
    const s = run([status('Charging', T0), status('SuspendedEV', T0 + 10), status('Finishing', T0 + 20)]);
    expect(s).toEqual({ charged: true, idleSince: T0 + 10, idleKey: key(1) });
  });
});

describe('incidents', () => {
  test('subjects never collide and dedupe keys are stable', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        fc.pre(a !== c || b !== d);
        expect(incidentSubject('pin_guessing', { stationId: a, tokenHash: b })).not.toBe(incidentSubject('pin_guessing', { stationId: c, tokenHash: d }));
      }),
    );
    expect(incidentDedupeKey('x', '1-0/2')).toBe(incidentDedupeKey('x', '1-0/2'));
  });

  test('evidence masks tokens and keeps the event', () => {
    const e: ChargeEvent = { type: 'transaction.ended', stationId: 'S', time: T0, receivedAt: T0, evseId: 1, connectorId: 1, transactionId: '7', stoppedReason: 'Local', offline: false, idToken: { id: '04A2B3C4D5E6F7', type: 'ISO14443' }, start: { time: T0 - 1, idToken: { id: '04A2B3C4D5E6F7', type: 'ISO14443' } } };
    const ev = evidenceOf('k', e);
    expect(JSON.stringify(ev)).not.toContain('04A2B3C4D5E6F7');
    expect(ev).toMatchObject({ key: 'k', type: 'transaction.ended', transactionId: '7', idToken: { id: '****E6F7' } });
  });

  test('tamper is critical, a clock change a warning', () => {
    expect(securityEventSeverity('TamperDetectionActivated')).toBe('critical');
    expect(securityEventSeverity('SettingSystemTime')).toBe('warning');
  });
});
