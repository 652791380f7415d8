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

describe('Access page: accounts and groups', () => {
  it('lists accounts and shows one with its tokens; a Viewer cannot create or edit', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?tab=accounts`);
    const row = await screen.findByTestId(testIds.access.accountRow('1'));
    expect(screen.getByTestId(testIds.access.accountTotal)).toHaveTextContent('2 accounts');
    expect(screen.queryByTestId(testIds.access.newAccount)).not.toBeInTheDocument();
    fireEvent.click(within(row).getByRole('button', { name: 'Harbour Logistics' }));
    const members = await screen.findByTestId(testIds.access.accountTokens);
    expect(members).toHaveAttribute('data-total', '2');
    expect(within(members).getByTestId(testIds.access.tokenRow('1'))).toHaveTextContent('04A2B3C4D5E6F7');
    expect(lastRequest(requests, '/accounts/1/tokens')!.role).toBe('viewer');
    expect(screen.getByTestId(testIds.access.accountDetail)).toHaveTextContent('HL-77');
    expect(screen.queryByRole('button', { name: 'Edit' })).not.toBeInTheDocument();
    expect(where()).toBe(`${PAGE}?tab=accounts&account=1`);
    // a token opens in the Tokens tab's drawer
    fireEvent.click(within(members).getByRole('button', { name: '04112233' }));
    await screen.findByTestId(testIds.access.drawer);
    expect(where()).toBe(`${PAGE}?account=1&token=2`);
  });

  it('creates an account as an Editor, after the store’s checks', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?tab=accounts`);
    fireEvent.click(await screen.findByTestId(testIds.access.newAccount));
    const form = await screen.findByTestId(testIds.access.accountForm);
    fireEvent.change(within(form).getByTestId(testIds.access.accountField('currency')), { target: { value: 'euro' } });
    fireEvent.click(within(form).getByTestId(testIds.access.accountSubmit));
    await within(form).findByText('Required');
    await within(form).findByText(/three capital letters/);
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
    fireEvent.change(within(form).getByTestId(testIds.access.accountField('name')), {
      target: { value: 'Depot Vans' },
    });
    fireEvent.change(within(form).getByTestId(testIds.access.accountField('currency')), { target: { value: 'EUR' } });
    fireEvent.click(within(form).getByText('Fleet'));
    fireEvent.click(within(form).getByTestId(testIds.access.accountSubmit));
    await waitFor(() => expect(state.accounts).toHaveLength(3));
    expect(requests.find((r) => r.method === 'POST')!).toMatchObject({
      path: '/accounts',
      role: 'editor',
      data: { kind: 'fleet', name: 'Depot Vans', currency: 'EUR' },
    });
    await waitFor(() => expect(where()).toBe(`${PAGE}?tab=accounts&account=100`));
    await screen.findByTestId(testIds.access.accountRow('100'));
  });

  it('shows a group as the tokens sharing its id', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?tab=accounts`);
    fireEvent.change(await screen.findByTestId(testIds.access.groupSearch), { target: { value: 'FLEET-HL' } });
    fireEvent.click(screen.getByRole('button', { name: 'Show group' }));
    const group = await screen.findByTestId(testIds.access.groupTokens);
    expect(group).toHaveAttribute('data-total', '2');
    expect(lastRequest(requests, '/tokens')!.params).toMatchObject({ groupId: 'FLEET-HL' });
    expect(where()).toBe(`${PAGE}?tab=accounts&group=FLEET-HL`);
  });
});

describe('Access page: incidents', () => {
  it('shows the feed with its filters as a Viewer, without actions', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?tab=incidents`);
    const row = await screen.findByTestId(testIds.access.incidentRow('11'));
    expect(row).toHaveTextContent('Impossible travel');
    expect(row).toHaveTextContent('****E6F7 (ISO14443)');
    expect(row).toHaveTextContent('token block: blocked');
    expect(screen.getByTestId(testIds.access.incidentRow('12'))).toHaveTextContent('PINs refused here until');
    expect(screen.getByTestId(testIds.access.incidentTotal)).toHaveTextContent('3 incidents');
    expect(screen.queryByTestId(testIds.access.incidentAction('acknowledge', '11'))).not.toBeInTheDocument();
    expect(lastRequest(requests, '/incidents')!).toMatchObject({ role: 'viewer', params: { limit: 50, offset: 0 } });
    fireEvent.click(screen.getByText('Last 7d'));
    await waitFor(() => expect(lastRequest(requests, '/incidents')!.params.from).toEqual(expect.any(String)));
    expect(where()).toBe(`${PAGE}?tab=incidents&since=7d`);
    fireEvent.keyDown(screen.getByLabelText('Filter by severity'), { key: 'ArrowDown' });
    fireEvent.click(within(await screen.findByLabelText('Select options menu')).getByText('info'));
    await waitFor(() => expect(lastRequest(requests, '/incidents')!.params).toMatchObject({ severity: 'info' }));
    await waitFor(() => expect(screen.queryByTestId(testIds.access.incidentRow('11'))).not.toBeInTheDocument());
  });

  it('acknowledges and resolves as an Editor', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?tab=incidents`);
    fireEvent.click(await screen.findByTestId(testIds.access.incidentAction('acknowledge', '11')));
    await waitFor(() =>
      expect(screen.getByTestId(testIds.access.incidentRow('11'))).toHaveAttribute('data-status', 'acknowledged')
    );
    expect(lastRequest(requests, '/incidents/11/acknowledge')!).toMatchObject({ method: 'POST', role: 'editor' });
    expect(screen.queryByTestId(testIds.access.incidentAction('acknowledge', '11'))).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.access.incidentAction('resolve', '11')));
    fireEvent.change(await screen.findByLabelText('Resolution'), { target: { value: 'cloned card destroyed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resolve incident' }));
    await waitFor(() => expect(state.incidents[0]!.status).toBe('resolved'));
    expect(lastRequest(requests, '/incidents/11/resolve')!.data).toEqual({ resolution: 'cloned card destroyed' });
    await waitFor(() =>
      expect(screen.getByTestId(testIds.access.incidentRow('11'))).toHaveAttribute('data-status', 'resolved')
    );
  });
});
