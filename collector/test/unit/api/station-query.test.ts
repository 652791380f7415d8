import { SORT_KEYS, StationQuery, summarize, type SortKey, type StationFilter } from '../../../src/api/station-query';
import type { ConnectorState, StationState, StationStore } from '@chargewatch/platform';

const NOW = Date.parse('2025-03-14T10:00:00.000Z');

function connector(evseId: number, status: ConnectorState['status'], errorCode = 'NoError', extra: Partial<ConnectorState> = {}): ConnectorState {
  return { evseId, connectorId: evseId === 0 ? 0 : 1, status, errorCode, since: NOW - 60_000, ...extra };
}

function st(id: string, extra: Partial<StationState> = {}): StationState {
  return { id, online: true, connectors: [], transactions: [], metadata: {}, ...extra };
}

/**
 * What StationQuery's index uses of the store: the registry scan, reads of named stations and the
 * change feed. `write` changes a station the way StationStore does: state plus a feed entry.
 */
function fakeStore(stations: StationState[]) {
  const data = { stations, feed: [] as Array<{ id: string; at: number }> };
  const find = (id: string) => data.stations.find((s) => s.id === id);
  const store = {
    scanIds: jest.fn(async () => ['0', data.stations.map((s) => s.id)] as [string, string[]]),
    getExisting: jest.fn(async (ids: string[]) => ids.map(find)),
    changes: {
      sinceOffset: jest.fn(async (since: number, offset: number, limit: number) => data.feed.filter((e) => e.at >= since).slice(offset, offset + limit)),
      trim: jest.fn(async () => undefined),
    },
  };
  const write = (next: StationState[], changed: string[]) => {
    data.stations = next;
    for (const id of changed) data.feed.push({ id, at: Date.now() });
  };
  return { store, data, write, query: (cacheMs?: number) => new StationQuery(store as unknown as StationStore, cacheMs) };
}

describe('summarize', () => {
  it('lists connectors without evse 0, with ISO since and their transaction', () => {
    const s = st('CP-1', {
      connectors: [
        connector(0, 'Available'),
        connector(1, 'Charging', 'NoError', { transactionId: 'tx-1', since: NOW - 5_000 }),
        connector(2, 'Available'),
      ],
    });
    const sum = summarize(s, NOW);
    expect(sum.connectors).toEqual([
      { evseId: 1, connectorId: 1, status: 'Charging', errorCode: 'NoError', since: new Date(NOW - 5_000).toISOString(), transactionId: 'tx-1' },
      { evseId: 2, connectorId: 1, status: 'Available', errorCode: 'NoError', since: new Date(NOW - 60_000).toISOString(), transactionId: undefined },
    ]);
  });

  it('copies identity and site, and counts open transactions', () => {
    const sum = summarize(
      st('CP-1', {
        online: false,
        vendor: 'Acme',
        model: 'AC22',
        firmwareVersion: '1.2',
        metadata: { site: 'North' },
        transactions: [
          { transactionId: 'a', evseId: 1, connectorId: 1, startedAt: NOW },
          { transactionId: 'b', evseId: 2, connectorId: 1, startedAt: NOW },
        ],
      }),
      NOW,
    );
    expect(sum).toMatchObject({ id: 'CP-1', online: false, vendor: 'Acme', model: 'AC22', firmwareVersion: '1.2', site: 'North', activeTransactions: 2 });
  });

  it('counts connectors with an error code or Faulted status as open errors, each once', () => {
    const s = st('CP-1', {
      connectors: [
        connector(1, 'Faulted', 'GroundFailure'), // both: one error
        connector(2, 'Faulted', 'NoError'), // Faulted without a code
        connector(3, 'Available', 'HighTemperature'), // a code while still available
        connector(4, 'Charging'),
        connector(5, 'Unavailable'),
      ],
    });
    expect(summarize(s, NOW).openErrors).toBe(3);
    expect(summarize(st('CP-2', { connectors: [connector(1, 'Available')] }), NOW).openErrors).toBe(0);
  });

  // Documents current behaviour: a station-wide error reported on 1.6 connector 0 counts as an open
  // error although connector 0 is not listed in `connectors` (see report: intended?).
  it('counts a station-wide (connector 0) error as an open error', () => {
    const s = st('CP-1', { connectors: [connector(0, 'Faulted', 'PowerMeterFailure'), connector(1, 'Available')] });
    const sum = summarize(s, NOW);
    expect(sum.connectors).toHaveLength(1);
    expect(sum.openErrors).toBe(1);
  });

  it('derives lastHeartbeat and heartbeatAgeSec from lastSeen, falling back to lastHeartbeat', () => {
    const a = summarize(st('A', { lastSeen: NOW - 42_400, lastHeartbeat: NOW - 300_000 }), NOW);
    expect(a.lastHeartbeat).toBe(new Date(NOW - 42_400).toISOString());
    expect(a.heartbeatAgeSec).toBe(42);
    const b = summarize(st('B', { lastHeartbeat: NOW - 90_600 }), NOW);
    expect(b.lastHeartbeat).toBe(new Date(NOW - 90_600).toISOString());
    expect(b.heartbeatAgeSec).toBe(91);
  });

  it('has no heartbeat age for a station never heard from, and never a negative one', () => {
    const never = summarize(st('A'), NOW);
    expect(never.lastHeartbeat).toBeUndefined();
    expect(never.heartbeatAgeSec).toBeUndefined();
    expect(summarize(st('B', { lastSeen: NOW + 10_000 }), NOW).heartbeatAgeSec).toBe(0);
  });
});

describe('StationQuery.matches', () => {
  const s = st('CP-North-01', {
    online: true,
    vendor: 'Acme',
    model: 'AC22',
    firmwareVersion: '1.2.3',
    serialNumber: 'SN-77X',
    metadata: { site: 'Depot North', address: 'Hauptstraße 5, Berlin' },
    connectors: [connector(0, 'Faulted'), connector(1, 'Charging'), connector(2, 'Available')],
  });

  it('matches everything with an empty filter', () => {
    expect(StationQuery.matches(s, {})).toBe(true);
    expect(StationQuery.matches(st('bare'), {})).toBe(true);
  });

  it.each<[StationFilter, boolean]>([
    [{ site: 'Depot North' }, true],
    [{ site: 'Depot' }, false],
    [{ site: 'depot north' }, false],
    [{ vendor: 'Acme' }, true],
    [{ vendor: 'Bolt' }, false],
    [{ model: 'AC22' }, true],
    [{ model: 'AC11' }, false],
    [{ firmware: '1.2.3' }, true],
    [{ firmware: '1.2' }, false],
    [{ online: true }, true],
    [{ online: false }, false],
    [{ status: 'Charging' }, true],
    [{ status: 'Available' }, true],
    [{ status: 'Faulted' }, false], // only connector 0 is Faulted, and it is not an outlet
    [{ status: 'Preparing' }, false],
    [{ vendor: 'Acme', model: 'AC22', online: true, status: 'Charging' }, true],
    [{ vendor: 'Acme', model: 'AC11' }, false],
  ])('filter %p → %p', (f, expected) => {
    expect(StationQuery.matches(s, f)).toBe(expected);
  });

  it('site "" matches stations without a site', () => {
    expect(StationQuery.matches(st('A'), { site: '' })).toBe(true);
    expect(StationQuery.matches(s, { site: '' })).toBe(false);
  });

  it('online:false matches offline stations', () => {
    expect(StationQuery.matches(st('A', { online: false }), { online: false })).toBe(true);
    expect(StationQuery.matches(st('A', { online: false }), { online: true })).toBe(false);
  });

  it.each([
    ['north-01', true], // id
    ['sn-77x', true], // serial number
    ['DEPOT', true], // site
    ['hauptstraße', true], // address, non-ASCII
    ['berlin', true],
    ['acme', false], // vendor is not searched
    ['ac22', false], // model is not searched
    ['nowhere', false],
  ])('q %p → %p (case-insensitive over id, serial, site, address)', (q, expected) => {
    expect(StationQuery.matches(s, { q })).toBe(expected);
  });

  it('q tolerates stations without serial, site or address', () => {
    expect(StationQuery.matches(st('CP-9'), { q: 'cp-9' })).toBe(true);
    expect(StationQuery.matches(st('CP-9'), { q: 'undefined' })).toBe(false);
  });
});

describe('StationQuery.list', () => {
  // Deliberately out of order, with ties on every key so the id tiebreak shows.
  const fleet = (): StationState[] => [
    st('E', { vendor: 'Bolt', model: 'DC50', firmwareVersion: '2.0', metadata: { site: 'North' }, lastSeen: NOW - 5_000, connectors: [connector(1, 'Available')] }),
    st('B', { vendor: 'Acme', model: 'AC22', firmwareVersion: '1.0', metadata: { site: 'South' }, lastSeen: NOW - 1_000, connectors: [connector(1, 'Charging'), connector(2, 'Faulted', 'GroundFailure')] }),
    st('D', { vendor: 'Acme', model: 'AC22', firmwareVersion: '1.1', metadata: { site: 'North' }, lastSeen: NOW - 9_000, connectors: [connector(1, 'Charging')] }),
    st('A', { online: false, vendor: 'Bolt', model: 'DC50', firmwareVersion: '2.0', metadata: { site: 'East' }, lastSeen: NOW - 60_000, connectors: [connector(1, 'Available')] }),
    st('C', { vendor: 'Acme', model: 'AC11', firmwareVersion: '1.0', metadata: {}, connectors: [connector(0, 'Faulted'), connector(1, 'Unavailable')] }),
  ];
  const ids = (r: { items: Array<{ id: string }> }) => r.items.map((i) => i.id);

  it.each<[SortKey, string[]]>([
    ['id', ['A', 'B', 'C', 'D', 'E']],
    ['site', ['C', 'A', 'D', 'E', 'B']], // '' < East < North (D, E by id) < South
    ['vendor', ['B', 'C', 'D', 'A', 'E']],
    ['model', ['C', 'B', 'D', 'A', 'E']],
    ['firmwareVersion', ['B', 'C', 'D', 'A', 'E']],
    ['lastHeartbeat', ['C', 'A', 'D', 'E', 'B']], // never seen (0) first
    ['status', ['A', 'B', 'C', 'D', 'E']], // offline, Faulted, Unavailable, Charging, Available
  ])('sorts by %s ascending', async (sort, expected) => {
    const { query } = fakeStore(fleet());
    expect(ids(await query().list({}, sort, 'asc', 100, 0))).toEqual(expected);
  });

  it.each<[SortKey, string[]]>([
    ['id', ['E', 'D', 'C', 'B', 'A']],
    ['site', ['B', 'D', 'E', 'A', 'C']],
    ['vendor', ['A', 'E', 'B', 'C', 'D']],
    ['lastHeartbeat', ['B', 'E', 'D', 'A', 'C']],
    ['status', ['E', 'D', 'C', 'B', 'A']],
  ])('sorts by %s descending, ties still by id ascending', async (sort, expected) => {
    const { query } = fakeStore(fleet());
    expect(ids(await query().list({}, sort, 'desc', 100, 0))).toEqual(expected);
  });

  it('every sort key gives a complete, duplicate-free order', async () => {
    for (const sort of SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        const { query } = fakeStore(fleet());
        expect(ids(await query().list({}, sort, order, 100, 0)).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
      }
    }
  });

  it('status sort puts offline stations first, then stations with a Faulted outlet', async () => {
    const { query } = fakeStore([
      st('ok', { connectors: [connector(1, 'Available')] }),
      st('faulted', { connectors: [connector(1, 'Available'), connector(2, 'Faulted')] }),
      st('offline-ok', { online: false, connectors: [connector(1, 'Available')] }),
      st('station-level-fault', { connectors: [connector(0, 'Faulted'), connector(1, 'Available')] }),
      st('charging', { connectors: [connector(1, 'Charging')] }),
    ]);
    const r = await query().list({}, 'status', 'asc', 100, 0);
    expect(ids(r)).toEqual(['offline-ok', 'faulted', 'charging', 'ok', 'station-level-fault']);
  });

  it('pages with limit and offset; total counts all matches', async () => {
    const { query } = fakeStore(fleet());
    const q = query();
    const p1 = await q.list({}, 'id', 'asc', 2, 0);
    const p2 = await q.list({}, 'id', 'asc', 2, 2);
    const p3 = await q.list({}, 'id', 'asc', 2, 4);
    const p4 = await q.list({}, 'id', 'asc', 2, 6);
    expect([ids(p1), ids(p2), ids(p3), ids(p4)]).toEqual([['A', 'B'], ['C', 'D'], ['E'], []]);
    expect([p1.total, p2.total, p3.total, p4.total]).toEqual([5, 5, 5, 5]);
  });

  it('filters before paging and returns summaries', async () => {
    const { query } = fakeStore(fleet());
    const r = await query().list({ vendor: 'Acme' }, 'id', 'desc', 2, 0);
    expect(r.total).toBe(3);
    expect(ids(r)).toEqual(['D', 'C']);
    expect(r.items[1]).toMatchObject({ id: 'C', connectors: [{ evseId: 1, status: 'Unavailable' }], activeTransactions: 0 });
  });

  it('computes facets over all stations, not just the matching ones, sorted and without empties', async () => {
    const { query } = fakeStore(fleet());
    const r = await query().list({ vendor: 'Bolt', online: true }, 'id', 'asc', 100, 0);
    expect(ids(r)).toEqual(['E']);
    expect(r.facets).toEqual({
      sites: ['East', 'North', 'South'],
      vendors: ['Acme', 'Bolt'],
      models: ['AC11', 'AC22', 'DC50'],
      firmwareVersions: ['1.0', '1.1', '2.0'],
    });
  });

  it('pages with cursors through every order, each station once', async () => {
    for (const sort of SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        const { query } = fakeStore(fleet());
        const q = query();
        const all = ids(await q.list({}, sort, order, 100, 0));
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const p = await q.list({}, sort, order, 2, 0, cursor);
          seen.push(...ids(p));
          cursor = p.nextCursor ?? undefined;
        } while (cursor);
        expect(seen).toEqual(all);
      }
    }
  });

  it('refuses a cursor it did not give out', async () => {
    const { query } = fakeStore(fleet());
    await expect(query().list({}, 'id', 'asc', 2, 0, 'not-a-cursor')).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('StationQuery index freshness', () => {
  afterEach(() => jest.restoreAllMocks());

  it('loads the registry once, then within cacheMs reads nothing more', async () => {
    const { store, query } = fakeStore(fleet3());
    const q = query(1000);
    const now = jest.spyOn(Date, 'now').mockReturnValue(NOW);
    await q.list({}, 'id', 'asc', 10, 0);
    const looks = store.changes.sinceOffset.mock.calls.length;
    now.mockReturnValue(NOW + 999);
    await q.list({ online: true }, 'site', 'desc', 10, 0);
    expect(store.scanIds).toHaveBeenCalledTimes(1);
    expect(store.changes.sinceOffset).toHaveBeenCalledTimes(looks);
  });

  it('after cacheMs re-reads only the stations the change feed names', async () => {
    const { store, data, write, query } = fakeStore(fleet3());
    const q = query(1000);
    const now = jest.spyOn(Date, 'now').mockReturnValue(NOW);
    expect((await q.list({}, 'id', 'asc', 10, 0)).total).toBe(3);
    now.mockReturnValue(NOW + 1000);
    write([...data.stations, st('W')], ['W']);
    store.getExisting.mockClear();
    const r = await q.list({}, 'id', 'asc', 10, 0);
    expect(r.total).toBe(4);
    expect(store.getExisting.mock.calls[0]).toEqual([['W']]);
    expect(store.scanIds).toHaveBeenCalledTimes(1);
  });

  it('invalidate() makes the next answer look at the feed within cacheMs', async () => {
    const { data, write, query } = fakeStore(fleet3());
    const q = query(60_000);
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    expect((await q.list({}, 'id', 'asc', 10, 0)).total).toBe(3);
    write(data.stations.slice(1), ['X']);
    expect((await q.list({}, 'id', 'asc', 10, 0)).total).toBe(3); // not looked yet
    q.invalidate();
    const r = await q.list({}, 'id', 'asc', 10, 0);
    expect(ids3(r)).toEqual(['Y', 'Z']);
    expect(r.total).toBe(2);
  });

  function fleet3() {
    return [st('X'), st('Y'), st('Z')];
  }
  function ids3(r: { items: Array<{ id: string }> }) {
    return r.items.map((i) => i.id);
  }
});
