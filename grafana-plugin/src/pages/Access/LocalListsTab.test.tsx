import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { testIds } from '../../components/testIds';
import { lastRequest } from '../../test/fakeBackend';
import { fakeAccessCollector } from '../../test/accessFixtures';
import { renderApp, where } from '../../test/renderApp';

jest.setTimeout(30_000);

const PAGE = '/a/chargewatch-fleet-app/access';

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Access page: local lists', () => {
  it('shows every station’s list state as a Viewer, filters by state, and offers no resync', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?tab=local-lists`);
    const failed = await screen.findByTestId(testIds.access.localListRow('CP-0002'));
    expect(failed).toHaveAttribute('data-state', 'failed');
    expect(failed).toHaveTextContent('2 pin');
    expect(failed).toHaveTextContent('3 failed in a row');
    expect(
      screen.getByTestId(testIds.access.localListRow('CP-0001')).querySelector('[data-cell="entries"]')
    ).toHaveTextContent('120');
    expect(screen.getByTestId(testIds.access.localListTotal)).toHaveTextContent('3 stations');
    expect(lastRequest(requests, '/local-lists')!).toMatchObject({ role: 'viewer', params: { limit: 50, offset: 0 } });
    expect(screen.queryByTestId(testIds.access.resync('CP-0001'))).not.toBeInTheDocument();
    fireEvent.click(screen.getAllByText('unsupported')[0]!);
    await waitFor(() => expect(lastRequest(requests, '/local-lists')!.params).toMatchObject({ state: 'unsupported' }));
    await waitFor(() => expect(screen.queryByTestId(testIds.access.localListRow('CP-0001'))).not.toBeInTheDocument());
    expect(where()).toBe(`${PAGE}?tab=local-lists&lstate=unsupported`);
  });

  it('looks up one station and resyncs it as an Editor after a confirmation', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?tab=local-lists&lstation=CP-0002`);
    const one = await screen.findByTestId(testIds.access.localListStation);
    await within(one).findByTestId(testIds.access.localListRow('CP-0002'));
    expect(lastRequest(requests, '/stations/CP-0002/local-list')!.role).toBe('viewer');
    fireEvent.click(within(one).getByTestId(testIds.access.resync('CP-0002')));
    fireEvent.click(await screen.findByLabelText(/Send the whole list/));
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Resync now' }));
    await waitFor(() => expect(state.lists[1]!.state).toBe('pending'));
    expect(lastRequest(requests, '/stations/CP-0002/local-list/sync')!).toMatchObject({
      method: 'POST',
      role: 'editor',
      data: { full: true },
    });
    await screen.findByText('Resync of CP-0002 requested');
    await waitFor(() =>
      expect(within(one).getByTestId(testIds.access.localListRow('CP-0002'))).toHaveAttribute('data-state', 'pending')
    );
  });
});
