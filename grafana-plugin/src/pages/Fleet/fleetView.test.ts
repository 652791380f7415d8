import { DEFAULT_VIEW, fleetViewParams, parseFleetView, toStationQuery, type FleetView } from './fleetView';

const parse = (q: string) => parseFleetView(new URLSearchParams(q));

describe('fleet view in the query string', () => {
  it('an empty query string is the default view, and the default view writes nothing', () => {
    expect(parse('')).toEqual(DEFAULT_VIEW);
    expect(fleetViewParams(DEFAULT_VIEW).toString()).toBe('');
  });

  it('round-trips every part of the view', () => {
    const view: FleetView = {
      filters: {
        site: 'North & Co',
        vendor: 'ABB',
        model: 'Terra 54',
        firmware: '1.2.0',
        online: 'offline',
        status: 'Faulted',
        q: 'CP 1',
      },
      sort: { sort: 'lastHeartbeat', order: 'desc' },
      page: 2,
      pageSize: 100,
    };
    const q = fleetViewParams(view).toString();
    expect(q).toBe(
      'site=North+%26+Co&vendor=ABB&model=Terra+54&firmware=1.2.0&online=offline&status=Faulted&q=CP+1&sort=lastHeartbeat&order=desc&page=3&size=100'
    );
    expect(parse(q)).toEqual(view);
  });

  it.each([
    ['sort=password&order=sideways', { sort: { sort: 'id', order: 'asc' } }],
    ['page=0', { page: 0 }],
    ['page=-4', { page: 0 }],
    ['page=2.5', { page: 0 }],
    ['page=1e400', { page: 0 }],
    ['size=7', { pageSize: 50 }],
    ['size=100000', { pageSize: 50 }],
  ])('hostile %s falls back to the default', (q, expected) => {
    expect(parse(q)).toMatchObject(expected);
  });

  it('ignores unknown statuses and connection values, caps long text', () => {
    const v = parse(`status=Exploded&online=maybe&q=${'x'.repeat(5000)}`);
    expect(v.filters.status).toBeUndefined();
    expect(v.filters.online).toBe('all');
    expect(v.filters.q).toHaveLength(200);
  });

  it('keeps parameters that are not its own', () => {
    const base = new URLSearchParams('orgId=1&page=4&site=A');
    expect(fleetViewParams({ ...DEFAULT_VIEW, page: 1 }, base).toString()).toBe('orgId=1&page=2');
  });

  it('asks the collector for the page the view shows', () => {
    expect(toStationQuery(parse('online=online&q=%20CP%20&page=3&size=25&sort=status&order=desc'))).toEqual({
      site: undefined,
      vendor: undefined,
      model: undefined,
      firmware: undefined,
      online: true,
      status: undefined,
      q: 'CP',
      sort: 'status',
      order: 'desc',
      limit: 25,
      offset: 50,
    });
  });
});
