import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { HttpError, installFakeBackend, lastRequest } from '../../test/fakeBackend';
import { HISTORY, STATION } from '../../test/fixtures';

jest.setTimeout(20_000);

const renderAt = (path: string) =>
  render(
    <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
      </Routes>
    </MemoryRouter>
  );

function fakeCollector() {
  return installFakeBackend((req) => {
    if (req.path === `/stations/${STATION.id}`) {
      return STATION;
    }
    if (req.path === `/stations/${STATION.id}/history`) {
      return HISTORY;
    }
    throw new HttpError(404, { error: 'not_found', message: `station not found` });
  });
}

describe('Station page', () => {
  it('shows identity, boot info and metadata', async () => {
    fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    expect(await screen.findByRole('heading', { name: 'CP-0003' })).toBeInTheDocument();
    expect(screen.getByText('SN-778899')).toBeInTheDocument();
    expect(screen.getByText('ocpp2.0.1')).toBeInTheDocument();
    expect(screen.getByText('PowerUp')).toBeInTheDocument();
    expect(screen.getByText(/2025-06-01 07:59:00 UTC/)).toBeInTheDocument();
    const meta = screen.getByTestId(testIds.station.metadata);
    expect(meta).toHaveTextContent('1 Harbour Road');
    expect(meta).toHaveTextContent('51.5, -0.12');
    expect(meta).toHaveTextContent('24/7');
    expect(meta).toHaveTextContent('operator=acme');
  });

  it('lists connectors with status, error code and since-when', async () => {
    fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    const c1 = await screen.findByTestId(testIds.station.connector(1, 1));
    expect(c1).toHaveTextContent('Charging');
    expect(c1).toHaveTextContent('2025-06-01 11:00:00 UTC');
    expect(c1).toHaveTextContent('tx-42');
    const c2 = screen.getByTestId(testIds.station.connector(2, 1));
    expect(c2).toHaveAttribute('data-status', 'Faulted');
    expect(c2).toHaveTextContent('GroundFailure');
  });

  it('shows the recent history: status changes, errors, sessions with energy, connections', async () => {
    const { requests } = fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    const timeline = await screen.findByTestId(testIds.station.timeline);
    expect(within(timeline).getAllByRole('row')).toHaveLength(3);
    expect(lastRequest(requests, '/stations/CP-0003/history')!.params).toEqual({ hours: 24 });

    const errors = screen.getByTestId(testIds.station.errors);
    expect(errors).toHaveTextContent('GroundFailure');
    expect(errors).toHaveTextContent('E-17');
    expect(errors).toHaveTextContent('RCD tripped');

    const sessions = screen.getByTestId(testIds.station.sessions);
    expect(sessions).toHaveTextContent('Sessions (2, 43.7 kWh)');
    expect(sessions).toHaveTextContent('31.2 kWh');
    expect(sessions).toHaveTextContent('45 min');
    expect(sessions).toHaveTextContent('EVDisconnected');
    expect(sessions).toHaveTextContent('(ongoing)');

    const connections = screen.getByTestId(testIds.station.connections);
    expect(connections).toHaveTextContent('10.0.0.7');
    expect(connections).toHaveTextContent('1006 abnormal closure');
  });

  it('reloads the history for another period', async () => {
    const { requests } = fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    await screen.findByTestId(testIds.station.timeline);
    fireEvent.click(screen.getByLabelText('7 d'));
    await waitFor(() => expect(lastRequest(requests, '/stations/CP-0003/history')!.params).toEqual({ hours: 168 }));
  });

  it('takes the history period from the query string and writes it back', async () => {
    const { requests } = fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003?hours=72');
    await screen.findByTestId(testIds.station.timeline);
    expect(lastRequest(requests, '/stations/CP-0003/history')!.params).toEqual({ hours: 72 });
    expect(screen.getByRole('radio', { name: '3 d' })).toBeChecked();
    fireEvent.click(screen.getByLabelText('6 h'));
    await waitFor(() => expect(lastRequest(requests, '/stations/CP-0003/history')!.params).toEqual({ hours: 6 }));
  });

  it('ignores a period it does not offer', async () => {
    const { requests } = fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/CP-0003?hours=100000');
    await screen.findByTestId(testIds.station.timeline);
    expect(lastRequest(requests, '/stations/CP-0003/history')!.params).toEqual({ hours: 24 });
  });

  it('tells when the collector serves no history, and still shows the station', async () => {
    installFakeBackend((req) => {
      if (req.path === `/stations/${STATION.id}`) {
        return STATION;
      }
      throw new HttpError(404, { error: 'Not Found', message: `no route GET /api/v1${req.path}` });
    });
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    expect(await screen.findByTestId(testIds.station.historyUnavailable)).toHaveTextContent(
      'does not serve station history'
    );
    expect(screen.getByTestId(testIds.station.connector(2, 1))).toHaveTextContent('Faulted');
  });

  it('reports other history failures as errors', async () => {
    installFakeBackend((req) => {
      if (req.path === `/stations/${STATION.id}`) {
        return STATION;
      }
      if (req.path === `/stations/${STATION.id}/commands`) {
        return { total: 0, items: [] };
      }
      throw new HttpError(500, { error: 'internal', message: 'InfluxDB query failed' });
    });
    renderAt('/a/chargewatch-fleet-app/station/CP-0003');
    expect(await screen.findByText('Could not load the station history')).toBeInTheDocument();
    expect(screen.getByText('InfluxDB query failed')).toBeInTheDocument();
  });

  it('says so when the station is unknown', async () => {
    fakeCollector();
    renderAt('/a/chargewatch-fleet-app/station/NOPE');
    expect(await screen.findByText('Station NOPE not found')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.station.timeline)).not.toBeInTheDocument();
  });

  it('redirects unknown app paths to the fleet page', async () => {
    installFakeBackend(() => new Promise(() => {}));
    renderAt('/a/chargewatch-fleet-app/whatever');
    expect(await screen.findByTestId(testIds.fleet.page)).toBeInTheDocument();
  });
});
