import fc from 'fast-check';
import { currentProblem, problemChange, problemTargets, withProblem, type ProblemItem } from '../../src/problems';

const item = (over: Partial<ProblemItem>): ProblemItem => ({ component: 'Connector', variable: 'Problem', actualValue: 'true', cleared: false, time: 1, ...over });

describe('problemChange', () => {
  it('Problem true raises, false or cleared clears; AvailabilityState raises only Faulted; other variables are not problems', () => {
    expect(problemChange(item({ techCode: 'E1', techInfo: 'hot' }))).toEqual({ key: 'Connector.Problem', raised: { code: 'Problem', since: 1, vendorErrorCode: 'E1', info: 'Connector: hot' } });
    expect(problemChange(item({ actualValue: 'TRUE ' }))?.raised?.code).toBe('Problem');
    expect(problemChange(item({ actualValue: 'false' }))).toEqual({ key: 'Connector.Problem' });
    expect(problemChange(item({ cleared: true }))).toEqual({ key: 'Connector.Problem' });
    expect(problemChange(item({ variable: 'AvailabilityState', actualValue: 'Faulted' }))?.raised?.code).toBe('Faulted');
    expect(problemChange(item({ variable: 'AvailabilityState', actualValue: 'Available' }))).toEqual({ key: 'Connector.AvailabilityState' });
    expect(problemChange(item({ variable: 'Temperature', actualValue: '90' }))).toBeUndefined();
  });

  it('keeps instances of one component apart', () => {
    expect(problemChange(item({ component: 'TemperatureSensor', componentInstance: 'Body' }))?.key).toBe('TemperatureSensor/Body.Problem');
  });
});

describe('problemTargets', () => {
  const known = [
    { evseId: 1, connectorId: 1 },
    { evseId: 1, connectorId: 2 },
    { evseId: 2, connectorId: 1 },
    { evseId: 0, connectorId: 0 },
  ];
  it('names one connector, every connector of an EVSE, its first when none is known, or the station', () => {
    expect(problemTargets({ evseId: 1, connectorId: 2 }, known)).toEqual([{ evseId: 1, connectorId: 2 }]);
    expect(problemTargets({ evseId: 1 }, known)).toEqual([{ evseId: 1, connectorId: 1 }, { evseId: 1, connectorId: 2 }]);
    expect(problemTargets({ evseId: 3 }, known)).toEqual([{ evseId: 3, connectorId: 1 }]);
    expect(problemTargets({}, known)).toEqual([{ evseId: 0, connectorId: 0 }]);
  });
});

describe('withProblem / currentProblem', () => {
  it('keeps the first raise time of a repeated report and shows the newest open problem', () => {
    let p = withProblem(undefined, problemChange(item({ time: 10 }))!);
    p = withProblem(p, problemChange(item({ time: 20, component: 'Lock' }))!);
    p = withProblem(p, problemChange(item({ time: 30 }))!);
    expect(p!['Connector.Problem']!.since).toBe(10);
    expect(currentProblem(p)?.info).toBe('Lock');
    expect(withProblem(withProblem(p, { key: 'Lock.Problem' }), { key: 'Connector.Problem' })).toBeUndefined();
  });

  it('leaves open exactly the sources whose last item raised them, in any order (property)', () => {
    const key = fc.constantFrom('A', 'B', 'C');
    fc.assert(
      fc.property(fc.array(fc.record({ component: key, raise: fc.boolean() }), { maxLength: 30 }), (steps) => {
        let problems: ReturnType<typeof withProblem>;
        const last = new Map<string, boolean>();
        steps.forEach((s, i) => {
          problems = withProblem(problems, problemChange(item({ component: s.component, actualValue: s.raise ? 'true' : 'false', time: i }))!);
          last.set(s.component, s.raise);
        });
        const open = [...last].filter(([, raised]) => raised).map(([c]) => `${c}.Problem`).sort();
        expect(Object.keys(problems ?? {}).sort()).toEqual(open);
        expect(currentProblem(problems) === undefined).toBe(open.length === 0);
      }),
      { seed: 5, numRuns: 500 },
    );
  });
});
