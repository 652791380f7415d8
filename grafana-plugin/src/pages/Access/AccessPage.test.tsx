import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { renderApp, where } from '../../test/renderApp';
import { testIds } from '../../components/testIds';
import { lastRequest } from '../../test/fakeBackend';
import { fakeAccessCollector } from '../../test/accessFixtures';

jest.setTimeout(30_000);

const PAGE = '/a/chargewatch-fleet-app/access';
const rowIds = () =>
  Array.from(screen.getByTestId(testIds.access.tokenTable).querySelectorAll('tbody tr[data-testid]')).map((r) =>
    r.getAttribute('data-testid')!.replace('cw-access-token-', '')
  );

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Access page: tokens', () => {
  it('lists the registry as a Viewer, through viewer routes, with no write controls and never a PIN', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(PAGE);
    await waitFor(() => expect(rowIds()).toEqual(['1', '2', '3', '4']));
    expect(screen.getByTestId(testIds.access.tokenTotal)).toHaveTextContent('4 tokens');
    const pin = screen.getByTestId(testIds.access.tokenRow('3'));
    expect(pin).toHaveTextContent('PIN (token 3)');
    expect(screen.getByTestId(testIds.access.tokenRow('1'))).toHaveTextContent('Harbour Logistics');
    expect(screen.getByTestId(testIds.access.tokenRow('1'))).toHaveTextContent('1 site, hours');
    expect(lastRequest(requests, '/tokens')!).toMatchObject({ role: 'viewer', params: { limit: 50, offset: 0 } });
    expect(screen.queryByTestId(testIds.access.newToken)).not.toBeInTheDocument();
    expect(screen.queryByTestId(testIds.access.openImport)).not.toBeInTheDocument();
    expect(screen.getByTestId(testIds.access.export('csv'))).toHaveAttribute(
      'href',
      '/api/plugin-proxy/chargewatch-fleet-app/viewer/tokens/export?format=csv'
    );
    // the drawer: fields, and no Block/Edit for a Viewer
    fireEvent.click(within(screen.getByTestId(testIds.access.tokenRow('3'))).getByRole('button'));
    const drawer = await screen.findByTestId(testIds.access.drawer);
    await within(drawer).findByTestId(testIds.access.detail('uid'));
    expect(within(drawer).getByTestId(testIds.access.detail('uid'))).toHaveTextContent('set (write-only, never shown)');
    expect(within(drawer).queryByTestId(testIds.access.tokenAction('block'))).not.toBeInTheDocument();
    expect(where()).toBe(`${PAGE}?token=3`);
  });

  it('sends search and filters to the collector and keeps them in the URL', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?status=Blocked`);
    await waitFor(() => expect(rowIds()).toEqual(['2']));
    expect(lastRequest(requests, '/tokens')!.params).toMatchObject({ status: 'Blocked' });
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    fireEvent.change(screen.getByTestId(testIds.access.tokenSearch), { target: { value: '04a2' } });
    await waitFor(() => expect(rowIds()).toEqual(['1']));
    expect(lastRequest(requests, '/tokens')!.params).toMatchObject({ q: '04a2' });
    expect(where()).toBe(`${PAGE}?q=04a2`);
    // a group id in the table narrows the list to the group
    fireEvent.change(screen.getByTestId(testIds.access.tokenSearch), { target: { value: '' } });
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    fireEvent.click(within(screen.getByTestId(testIds.access.tokenRow('1'))).getByRole('button', { name: 'FLEET-HL' }));
    await waitFor(() => expect(rowIds()).toEqual(['1', '2']));
    expect(where()).toBe(`${PAGE}?groupId=FLEET-HL`);
    fireEvent.keyDown(screen.getByLabelText('Filter by type'), { key: 'ArrowDown' });
    const menu = await screen.findByLabelText('Select options menu');
    fireEvent.click(within(menu).getByText('eMAID'));
    await waitFor(() =>
      expect(lastRequest(requests, '/tokens')!.params).toMatchObject({ type: 'eMAID', groupId: 'FLEET-HL' })
    );
  });

  it('refuses a bad card UID before sending, then registers the token as an Editor', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(PAGE);
    await waitFor(() => expect(rowIds()).toHaveLength(4));
    fireEvent.click(screen.getByTestId(testIds.access.newToken));
    const form = await screen.findByTestId(testIds.access.tokenForm);
    fireEvent.change(within(form).getByTestId(testIds.access.tokenField('uid')), { target: { value: '04:A2:B3' } });
    fireEvent.click(screen.getByTestId(testIds.access.tokenSubmit));
    await within(form).findByText(/must be 4, 7, 10 bytes long, not 3/);
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    fireEvent.change(within(form).getByTestId(testIds.access.tokenField('uid')), { target: { value: '04:a2:b3:c4' } });
    expect(form).toHaveTextContent('Stored as 04A2B3C4');
    fireEvent.change(within(form).getByTestId(testIds.access.tokenField('allowedEvses')), {
      target: { value: 'CP-1' },
    });
    fireEvent.click(screen.getByTestId(testIds.access.tokenSubmit));
    await within(form).findByText('"CP-1" is not <stationId>/<evseId>');
    fireEvent.change(within(form).getByTestId(testIds.access.tokenField('allowedEvses')), {
      target: { value: 'CP-1/1' },
    });
    fireEvent.change(within(form).getByTestId(testIds.access.tokenField('groupId')), { target: { value: 'FLEET-HL' } });
    fireEvent.click(screen.getByTestId(testIds.access.tokenSubmit));
    await waitFor(() => expect(lastRequest(requests, '/tokens')!.method).toBe('GET'));
    const post = requests.find((r) => r.method === 'POST' && r.path === '/tokens')!;
    expect(post.role).toBe('editor');
    expect(post.data).toEqual({
      type: 'ISO14443',
      status: 'Accepted',
      uid: '04:a2:b3:c4',
      groupId: 'FLEET-HL',
      allowedEvses: ['CP-1/1'],
    });
    expect(state.tokens.at(-1)!.uid).toBe('04A2B3C4');
    // the new token opens in the drawer
    await waitFor(() => expect(where()).toBe(`${PAGE}?token=100`));
  });

  it('blocks and unblocks after a confirmation, with the reason', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?token=1`);
    const drawer = await screen.findByTestId(testIds.access.drawer);
    fireEvent.click(await within(drawer).findByTestId(testIds.access.tokenAction('block')));
    fireEvent.change(await screen.findByLabelText('Block reason'), { target: { value: 'card reported stolen' } });
    expect(requests.some((r) => r.path === '/tokens/1/block')).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Block token' }));
    await waitFor(() => expect(state.tokens[0]!.status).toBe('Blocked'));
    expect(lastRequest(requests, '/tokens/1/block')!).toMatchObject({
      method: 'POST',
      role: 'editor',
      data: { reason: 'card reported stolen' },
    });
    await waitFor(() =>
      expect(within(drawer).getByTestId(testIds.access.detail('status'))).toHaveTextContent('Blocked')
    );
    await waitFor(() =>
      expect(screen.getByTestId(testIds.access.tokenRow('1'))).toHaveAttribute('data-status', 'Blocked')
    );
    fireEvent.click(within(drawer).getByTestId(testIds.access.tokenAction('unblock')));
    fireEvent.click(await screen.findByRole('button', { name: 'Unblock token' }));
    await waitFor(() => expect(state.tokens[0]!.status).toBe('Accepted'));
    expect(lastRequest(requests, '/tokens/1/unblock')!.role).toBe('editor');
  });

  it('deletes only after a confirmation; dismissing sends nothing', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?token=4`);
    const drawer = await screen.findByTestId(testIds.access.drawer);
    fireEvent.click(await within(drawer).findByTestId(testIds.access.tokenAction('delete')));
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(requests.some((r) => r.method === 'DELETE')).toBe(false);
    fireEvent.click(within(drawer).getByTestId(testIds.access.tokenAction('delete')));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete token' }));
    await waitFor(() => expect(state.tokens.map((t) => t.id)).toEqual(['1', '2', '3']));
    await waitFor(() => expect(where()).toBe(PAGE));
  });

  it('edits a KeyCode: the PIN stays write-only and only changes are sent', async () => {
    const { requests } = fakeAccessCollector('Editor');
    renderApp(`${PAGE}?token=3`);
    const drawer = await screen.findByTestId(testIds.access.drawer);
    fireEvent.click(await within(drawer).findByTestId(testIds.access.tokenAction('edit')));
    const pin = await within(drawer).findByTestId(testIds.access.tokenField('pin'));
    expect(pin).toHaveAttribute('type', 'password');
    expect(pin).toHaveValue('');
    fireEvent.change(pin, { target: { value: '12' } });
    fireEvent.click(within(drawer).getByTestId(testIds.access.tokenSubmit));
    await within(drawer).findByText(/at least 4 characters/);
    fireEvent.change(pin, { target: { value: '2468' } });
    fireEvent.change(within(drawer).getByTestId(testIds.access.tokenField('note')), {
      target: { value: 'keypad at depot' },
    });
    fireEvent.click(within(drawer).getByTestId(testIds.access.tokenSubmit));
    await waitFor(() => expect(lastRequest(requests, '/tokens/3')!.method).toBe('GET'));
    expect(requests.find((r) => r.method === 'PATCH')!).toMatchObject({
      path: '/tokens/3',
      role: 'editor',
      data: { note: 'keypad at depot', pin: '2468' },
    });
    await waitFor(() =>
      expect(within(drawer).getByTestId(testIds.access.detail('note'))).toHaveTextContent('keypad at depot')
    );
    expect(drawer).not.toHaveTextContent('2468');
  });

  it('shows the incidents naming a token and its newest sessions, both asked by its id', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?token=1`);
    const section = await screen.findByTestId(testIds.access.tokenIncidents);
    await within(section).findByTestId(testIds.access.incidentRow('11'));
    expect(section).toHaveTextContent('Impossible travel');
    expect(within(section).queryByTestId(testIds.access.incidentRow('12'))).not.toBeInTheDocument();
    expect(lastRequest(requests, '/incidents')!.params).toMatchObject({ token: '1' });
    const sessions = screen.getByTestId(testIds.access.sessions);
    const ended = await within(sessions).findByTestId(testIds.access.sessionRow('500'));
    expect(ended).toHaveTextContent('CP-0001 / 2');
    expect(ended).toHaveTextContent('1 h 30 min');
    expect(ended).toHaveTextContent('18.3 kWh');
    expect(ended).toHaveTextContent('EVDisconnected');
    expect(within(sessions).getByTestId(testIds.access.sessionRow('501'))).toHaveTextContent('charging now');
    expect(lastRequest(requests, '/sessions')!).toMatchObject({ role: 'viewer', params: { token: '1', limit: 20 } });
  });

  it('says a token has no sessions or incidents yet', async () => {
    fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?token=2`);
    const sessions = await screen.findByTestId(testIds.access.sessions);
    await waitFor(() => expect(sessions).toHaveTextContent('No session with this token yet.'));
    expect(screen.getByTestId(testIds.access.tokenIncidents)).toHaveTextContent('No incident names this token.');
  });

  it('keeps PIN incidents on the station: a KeyCode token lists none of them', async () => {
    const { requests } = fakeAccessCollector('Viewer');
    renderApp(`${PAGE}?token=3`);
    const section = await screen.findByTestId(testIds.access.tokenIncidents);
    expect(section).toHaveTextContent('PIN guessing is an incident of the station');
    expect(within(section).queryByTestId(testIds.access.incidentRow('12'))).not.toBeInTheDocument();
    expect(requests.some((r) => r.path === '/incidents')).toBe(false);
  });
});

describe('Access page: import', () => {
  const open = async () => {
    fireEvent.click(await screen.findByTestId(testIds.access.openImport));
    return screen.findByTestId(testIds.access.import);
  };

  it('shows each row the collector refused and writes nothing', async () => {
    const { requests, state } = fakeAccessCollector('Editor');
    renderApp(PAGE);
    const panel = await open();
    fireEvent.change(within(panel).getByTestId(testIds.access.importText), {
      target: { value: 'type,uid,group_id\nISO14443,04A1B2C3,G1\nISO14443,04A1B2,G1\nCentral,APP-7,G1\n' },
    });
    fireEvent.click(within(panel).getByTestId(testIds.access.importSubmit));
    const problems = await within(panel).findByTestId(testIds.access.importProblems);
    expect(problems).toHaveTextContent('1 of 3 rows are invalid; nothing was imported');
    expect(within(problems).getByTestId(testIds.access.importProblem(3))).toHaveTextContent(
      'Line 3: uid: an ISO 14443 UID must be 4, 7, 10 bytes long, not 3'
    );
    const sent = lastRequest(requests, '/tokens/import')!;
    expect(sent).toMatchObject({ role: 'editor', params: { mode: 'upsert' } });
    expect(typeof sent.data).toBe('string');
    expect(state.tokens).toHaveLength(4);
  });

  it('imports a good file and says how many were created', async () => {
    const { state } = fakeAccessCollector('Editor');
    renderApp(PAGE);
    const panel = await open();
    fireEvent.change(within(panel).getByTestId(testIds.access.importText), {
      target: { value: '[{"type":"Central","uid":"APP-7"},{"type":"ISO15693","uid":"E004010012345678"}]' },
    });
    fireEvent.click(within(panel).getByTestId(testIds.access.importSubmit));
    expect(await within(panel).findByTestId(testIds.access.importResult)).toHaveTextContent('2 created, 0 updated');
    expect(state.tokens).toHaveLength(6);
    await waitFor(() => expect(rowIds()).toHaveLength(6));
  });

  it('sends nothing for a file the collector could not read', async () => {
    const { requests } = fakeAccessCollector('Editor');
    renderApp(PAGE);
    const panel = await open();
    fireEvent.change(within(panel).getByTestId(testIds.access.importText), { target: { value: 'card,uid\nx,y' } });
    fireEvent.click(within(panel).getByTestId(testIds.access.importSubmit));
    await within(panel).findByText(/unknown: card/);
    expect(requests.some((r) => r.path === '/tokens/import')).toBe(false);
  });
});
