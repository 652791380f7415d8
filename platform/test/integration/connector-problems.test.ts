/**
 * 2.0.1 problems (model/src/problems.ts) kept per connector in real Redis, from the NotifyEvent items
 * the station store applies, as the 2.0.1 adapter reads them back (connectorSnapshots).
 */
import { StationStore } from '../../src/state/station-store';
import { redisPerTest } from './redis-per-test';
import { T0, txEvents } from './tx-events';

const ctx = redisPerTest('problems');
let store: StationStore;
beforeEach(() => {
  store = new StationStore(ctx.redis, ctx.prefix);
});

const a = txEvents('CP-1');

describe('2.0.1 problems per connector', () => {
  it('are kept until cleared, survive status notifications, and EVSE-level items reach every connector of the EVSE', async () => {
    await store.apply([a.status(0, 1, 'Occupied', 1), a.status(0, 1, 'Occupied', 2), a.status(0, 2, 'Available', 1)]);
    await store.apply([a.problem(1_000, { component: 'ChargingCable', evseId: 1, connectorId: 2, variable: 'Problem', actualValue: 'true', techCode: 'E-OT' })]);
    await store.apply([a.status(2_000, 1, 'Faulted', 2)]);
    let snaps = await store.connectorSnapshots('CP-1');
    const c12 = snaps.find((c) => c.evseId === 1 && c.connectorId === 2)!;
    expect(c12).toEqual({ evseId: 1, connectorId: 2, status: 'Faulted', problems: { 'ChargingCable.Problem': { code: 'Problem', since: T0 + 1_000, vendorErrorCode: 'E-OT', info: 'ChargingCable' } } });

    await store.apply([a.problem(3_000, { component: 'EVSE', evseId: 1, variable: 'AvailabilityState', actualValue: 'Faulted' })]);
    snaps = await store.connectorSnapshots('CP-1');
    expect(snaps.filter((c) => c.problems?.['EVSE.AvailabilityState']).map((c) => `${c.evseId}/${c.connectorId}`).sort()).toEqual(['1/1', '1/2']);

    await store.apply([a.problem(4_000, { component: 'ChargingCable', evseId: 1, connectorId: 2, variable: 'Problem', actualValue: 'false' })]);
    await store.apply([a.problem(5_000, { component: 'EVSE', evseId: 1, variable: 'AvailabilityState', actualValue: 'Faulted', cleared: true })]);
    snaps = await store.connectorSnapshots('CP-1');
    expect(snaps.every((c) => c.problems === undefined)).toBe(true);
    expect((await store.get('CP-1'))!.connectors.find((c) => c.connectorId === 2)!.status).toBe('Faulted');
  });
});
