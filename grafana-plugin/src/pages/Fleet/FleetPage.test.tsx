import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { FleetPage } from './FleetPage';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { HttpError, installFakeBackend, lastRequest, type RecordedRequest } from '../../test/fakeBackend';
import { FLEET, HISTORY, listStations, STATION, SUMMARY } from '../../test/fixtures';
import type { StationListQuery } from '../../api/types';

function fakeCollector(overrides: Partial<Record<string, (req: RecordedRequest) => unknown>> = {}) {
  return installFakeBackend((req) => {
    const override = overrides[req.path];
    if (override) {
      return override(req);
    }
    if (req.path === '/fleet/summary') {
      return SUMMARY;
    }
    if (req.path === '/stations') {
      return listStations(req.params as StationListQuery);
    }
    if (req.path === `/stations/${STATION.id}`) {
      return STATION;
    }
    if (req.path === `/stations/${STATION.id}/history`) {
      return HISTORY;
    }
    throw new HttpError(404, { error: 'not_found', message: 'unknown' });
  });
}

const renderFleet = (props: React.ComponentProps<typeof FleetPage> = {}) =>
  render(
    <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <FleetPage {...props} />
    </MemoryRouter>
  );

/** Renders the whole app at `url` and shows the router's current location for assertions. */
function renderApp(url: string) {
  const Where = () => {
    const location = useLocation();
    return <output data-testid="where">{`${location.pathname}${location.search}`}</output>;
  };
  return render(
    <MemoryRouter initialEntries={[url]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
      </Routes>
      <Where />
    </MemoryRouter>
  );
}
const where = () => screen.getByTestId('where').textContent;

const rowIds = () =>
  within(screen.getByTestId(testIds.fleet.table))
    .queryAllByRole('row')
    .map((r) => r.getAttribute('data-station-id'))
    .filter(Boolean);

// 50 rows of real @grafana/ui components render slowly in jsdom
jest.setTimeout(30_000);

describe('Fleet health page', () => {
  afterEach(() => jest.useRealTimers());

  it('shows the KPIs the collector reports', async () => {
    fakeCollector();
    renderFleet();
    expect(await screen.findByTestId(testIds.fleet.kpi('online'))).toHaveTextContent('11,890');
    expect(screen.getByTestId(testIds.fleet.kpi('offline'))).toHaveTextContent('144');
    expect(screen.getByTestId(testIds.fleet.kpi('availability'))).toHaveTextContent('97.3%');
    expect(screen.getByTestId(testIds.fleet.kpi('faulted'))).toHaveTextContent('61');
    expect(screen.getByTestId(testIds.fleet.kpi('sessions-active'))).toHaveTextContent('8,000');
    expect(screen.getByTestId(testIds.fleet.kpi('sessions-today'))).toHaveTextContent('23,456');
    expect(screen.getByTestId(testIds.fleet.kpi('energy-today'))).toHaveTextContent('412.35 MWh');
    expect(screen.getByTestId(testIds.fleet.statusCount('Available'))).toHaveTextContent('15,000');
    expect(screen.getByTestId(testIds.fleet.statusCount('Unavailable'))).toHaveTextContent('1,007');
    expect(screen.getByText(/of 12,034 stations/)).toBeInTheDocument();
  });

  it('lists the first page of stations sorted by id, with heartbeat age, firmware and errors', async () => {
    const { requests } = fakeCollector();
    renderFleet();
    await waitFor(() => expect(rowIds()).toHaveLength(50));
    expect(rowIds()[0]).toBe('CP-0001');
    expect(lastRequest(requests, '/stations')!.params).toEqual({ sort: 'id', order: 'asc', limit: 50, offset: 0 });
    expect(screen.getByTestId(testIds.fleet.total)).toHaveTextContent('Showing 1–50 of 120 stations');

    const row = screen.getByTestId(testIds.fleet.row('CP-0002'));
    expect(row).toHaveTextContent('Online');
    expect(row).toHaveTextContent('1.2.0');
    expect(row).toHaveTextContent('2 min ago');
    expect(within(row).getByRole('link', { name: 'CP-0002' })).toHaveAttribute(
      'href',
      '/a/chargewatch-fleet-app/station/CP-0002'
    );
    expect(screen.getByTestId(testIds.fleet.row('CP-0007'))).toHaveTextContent('Offline');
  });

  it('sorts on the server when a column header is clicked', async () => {
    const { requests } = fakeCollector();
    renderFleet();
    await waitFor(() => expect(rowIds()).toHaveLength(50));

    fireEvent.click(screen.getByRole('button', { name: 'Firmware' }));
    await waitFor(() =>
      expect(lastRequest(requests, '/stations')!.params).toMatchObject({
        sort: 'firmwareVersion',
        order: 'asc',
        offset: 0,
      })
    );
    fireEvent.click(screen.getByRole('button', { name: /Firmware/ }));
    await waitFor(() =>
      expect(lastRequest(requests, '/stations')!.params).toMatchObject({ sort: 'firmwareVersion', order: 'desc' })
    );
    await waitFor(() =>
      expect(screen.getByRole('columnheader', { name: /Firmware/ })).toHaveAttribute('aria-sort', 'descending')
    );

    fireEvent.click(screen.getByRole('button', { name: 'Station' }));
    await waitFor(() => expect(lastRequest(requests, '/stations')!.params).toMatchObject({ sort: 'id', order: 'asc' }));
    fireEvent.click(screen.getByRole('button', { name: /Station/ }));
    await waitFor(() =>
      expect(lastRequest(requests, '/stations')!.params).toMatchObject({ sort: 'id', order: 'desc' })
    );
    await waitFor(() => expect(rowIds()[0]).toBe('CP-0120'));
  });

  it('pages on the server', async () => {
    const { requests } = fakeCollector();
    renderFleet();
    await waitFor(() => expect(rowIds()).toHaveLength(50));
    fireEvent.click(screen.getByRole('button', { name: '3' }));
    await waitFor(() => expect(lastRequest(requests, '/stations')!.params).toMatchObject({ limit: 50, offset: 100 }));
    await waitFor(() => expect(rowIds()).toHaveLength(20));
    expect(rowIds()[0]).toBe('CP-0101');
    expect(screen.getByTestId(testIds.fleet.total)).toHaveTextContent('Showing 101–120 of 120 stations');
  });

  it('filters by connection state and search text (debounced), going back to page 1', async () => {
    const { requests } = fakeCollector();
    renderFleet();
    await waitFor(() => expect(rowIds()).toHaveLength(50));
    fireEvent.click(screen.getByRole('button', { name: '2' }));
    await waitFor(() => expect(lastRequest(requests, '/stations')!.params.offset).toBe(50));

    fireEvent.click(screen.getByLabelText('Offline'));
    await waitFor(() => expect(lastRequest(requests, '/stations')!.params).toMatchObject({ online: false, offset: 0 }));
    await waitFor(() => expect(rowIds()).toEqual(FLEET.filter((s) => !s.online).map((s) => s.id)));

    fireEvent.change(screen.getByTestId(testIds.fleet.search), { target: { value: 'CP-001' } });
    await waitFor(() =>
      expect(lastRequest(requests, '/stations')!.params).toMatchObject({ q: 'CP-001', online: false })
    );
    await waitFor(() => expect(rowIds()).toEqual(['CP-0014']));
    // the summary only follows site/vendor/model/firmware filters
    expect(lastRequest(requests, '/fleet/summary')!.params).toEqual({});
  });

  it('filters by site through the facet selector and applies it to the KPIs too', async () => {
    const { requests } = fakeCollector();
    renderFleet();
    await waitFor(() => expect(rowIds()).toHaveLength(50));
    const input = screen.getByLabelText('Filter by site');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    const menu = await screen.findByLabelText('Select options menu');
    fireEvent.click(within(menu).getByText('Site B'));
    await waitFor(() => expect(lastRequest(requests, '/stations')!.params).toMatchObject({ site: 'Site B' }));
    await waitFor(() => expect(lastRequest(requests, '/fleet/summary')!.params).toEqual({ site: 'Site B' }));
    await waitFor(() => expect(rowIds().every((id) => FLEET.find((s) => s.id === id)!.site === 'Site B')).toBe(true));
  });

  it('shows an error when the collector is unreachable', async () => {
    fakeCollector({
      '/stations': () => {
        throw new HttpError(502, {});
      },
      '/fleet/summary': () => {
        throw new HttpError(401, { message: 'invalid token' });
      },
    });
    renderFleet();
    expect(await screen.findByText('Could not load stations')).toBeInTheDocument();
    expect(screen.getByText(/could not reach the collector/)).toBeInTheDocument();
    expect(screen.getByText('Could not load the fleet summary')).toBeInTheDocument();
    expect(screen.getByText('invalid token')).toBeInTheDocument();
  });

  it('refreshes automatically and can be paused', async () => {
    jest.useFakeTimers();
    let online = 100;
    const { requests } = fakeCollector({
      '/fleet/summary': () => ({ ...SUMMARY, stations: { ...SUMMARY.stations, online: online++ } }),
    });
    renderFleet({ refreshIntervalMs: 10_000 });
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10);
    });
    expect(screen.getByTestId(testIds.fleet.kpi('online'))).toHaveTextContent('100');
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10_000);
    });
    expect(screen.getByTestId(testIds.fleet.kpi('online'))).toHaveTextContent('101');

    fireEvent.click(screen.getByTestId(testIds.refresh.pause));
    const count = requests.length;
    await act(async () => {
      await jest.advanceTimersByTimeAsync(60_000);
    });
    expect(requests.length).toBe(count);
    expect(screen.getByText(/auto-refresh paused/)).toBeInTheDocument();

    fireEvent.click(screen.getByTestId(testIds.refresh.now));
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10);
    });
    expect(screen.getByTestId(testIds.fleet.kpi('online'))).toHaveTextContent('102');
  });

  it('opens the view a link describes: filters, sort and page from the query string', async () => {
    const { requests } = fakeCollector();
    renderApp(
      '/a/chargewatch-fleet-app/fleet?site=Site+B&online=online&sort=firmwareVersion&order=desc&page=2&size=25'
    );
    await waitFor(() =>
      expect(lastRequest(requests, '/stations')?.params).toEqual({
        site: 'Site B',
        online: true,
        sort: 'firmwareVersion',
        order: 'desc',
        limit: 25,
        offset: 25,
      })
    );
    expect(lastRequest(requests, '/fleet/summary')!.params).toEqual({ site: 'Site B' });
    expect(screen.getByRole('columnheader', { name: /Firmware/ })).toHaveAttribute('aria-sort', 'descending');
    expect(screen.getByRole('radio', { name: 'Online' })).toBeChecked();
  });

  it('writes sort, paging and filters into the query string', async () => {
    fakeCollector();
    renderApp('/a/chargewatch-fleet-app/fleet');
    await waitFor(() => expect(rowIds()).toHaveLength(50));
    expect(where()).toBe('/a/chargewatch-fleet-app/fleet');
    fireEvent.click(screen.getByRole('button', { name: 'Firmware' }));
    await waitFor(() => expect(where()).toBe('/a/chargewatch-fleet-app/fleet?sort=firmwareVersion&order=asc'));
    fireEvent.click(screen.getByRole('button', { name: '2' }));
    await waitFor(() => expect(where()).toBe('/a/chargewatch-fleet-app/fleet?sort=firmwareVersion&order=asc&page=2'));
    fireEvent.click(screen.getByLabelText('Offline'));
    // a filter change goes back to the first page
    await waitFor(() =>
      expect(where()).toBe('/a/chargewatch-fleet-app/fleet?online=offline&sort=firmwareVersion&order=asc')
    );
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(where()).toBe('/a/chargewatch-fleet-app/fleet?sort=firmwareVersion&order=asc'));
  });

  it('returns from a station to the same fleet view', async () => {
    fakeCollector();
    renderApp('/a/chargewatch-fleet-app/fleet?vendor=Alpitronic&q=CP-000');
    fireEvent.click(await screen.findByRole('link', { name: 'CP-0003' }));
    expect(await screen.findByTestId(testIds.station.connector(2, 1))).toBeInTheDocument();
    expect(where()).toBe('/a/chargewatch-fleet-app/station/CP-0003');
    fireEvent.click(screen.getByRole('link', { name: /Fleet health/ }));
    await waitFor(() => expect(where()).toBe('/a/chargewatch-fleet-app/fleet?vendor=Alpitronic&q=CP-000'));
  });

  it('opens the station page from a row', async () => {
    fakeCollector();
    render(
      <MemoryRouter
        initialEntries={['/a/chargewatch-fleet-app/fleet']}
        future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
      >
        <Routes>
          <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
        </Routes>
      </MemoryRouter>
    );
    fireEvent.click(await screen.findByRole('link', { name: 'CP-0003' }));
    expect(await screen.findByTestId(testIds.station.connector(2, 1))).toHaveTextContent('GroundFailure');
  });
});
