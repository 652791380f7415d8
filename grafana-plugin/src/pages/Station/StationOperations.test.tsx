import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';
import type { GrafanaRole } from '../../../standalone/grafana-proxy.mjs';
import type { CommandView } from '../../api/types';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { type Handler, HttpError, HttpReply, installFakeBackend, type RecordedRequest } from '../../test/fakeBackend';
import { COMMAND_HISTORY, makeCommand } from '../../test/commandFixtures';
import { HISTORY, STATION } from '../../test/fixtures';

jest.setTimeout(20_000);

const PAGE = '/a/chargewatch-fleet-app/station/CP-0003';
const renderPage = () =>
  render(
    <MemoryRouter initialEntries={[PAGE]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
      <Routes>
        <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
      </Routes>
    </MemoryRouter>
  );

/**
 * The collector for CP-0003 with a command store: `onSubmit` decides how a submitted command is
 * answered, `onPoll` how `GET /commands/{id}` reads it later. Ended and queued commands join the history.
 */
function fakeCollector(
  role: GrafanaRole,
  onSubmit: (req: RecordedRequest) => unknown = (req) => makeCommand({ id: 'cmd-new', params: req.data as never }),
  onPoll: (id: string, n: number) => CommandView = (id) => makeCommand({ id }),
  station = STATION
) {
  config.bootData.user.orgRole = role === 'None' ? '' : (role as OrgRole);
  const store: CommandView[] = [...COMMAND_HISTORY];
  let polls = 0;
  const handler: Handler = (req) => {
    if (req.path === `/stations/${STATION.id}`) {
      return station;
    }
    if (req.path === `/stations/${STATION.id}/history`) {
      return HISTORY;
    }
    if (req.path === `/stations/${STATION.id}/commands` && req.method === 'GET') {
      return { total: store.length, items: [...store] };
    }
    if (req.method === 'POST' && req.path.startsWith(`/stations/${STATION.id}/commands/`)) {
      const answer = onSubmit(req);
      const command = answer instanceof HttpReply ? (answer.data as CommandView) : (answer as CommandView);
      store.unshift(command);
      return answer;
    }
    const polled = /^\/commands\/(.+)$/.exec(req.path);
    if (polled) {
      const command = onPoll(decodeURIComponent(polled[1]), ++polls);
      store.splice(
        store.findIndex((c) => c.id === command.id),
        1,
        command
      );
      return command;
    }
    throw new HttpError(404, { error: 'Not Found', message: `no route ${req.method} /api/v1${req.path}` });
  };
  return installFakeBackend(handler, { role });
}

const posts = (requests: RecordedRequest[]) => requests.filter((r) => r.method === 'POST');
const card = (name: string) => screen.getByTestId(testIds.station.operation(name));

async function openAndConfirm(name: string, button: RegExp, confirm: string) {
  fireEvent.click(
    within(await screen.findByTestId(testIds.station.operation(name))).getByRole('button', { name: button })
  );
  const dialog = await screen.findByRole('dialog');
  // ConfirmModal awaits onConfirm before it settles its own state
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name: confirm }));
  });
}

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Station page operations', () => {
  it('shows a Viewer the command history but no operations', async () => {
    const { requests } = fakeCollector('Viewer');
    renderPage();
    const history = await screen.findByTestId(testIds.station.commandHistory);
    expect(await within(history).findByTestId(testIds.station.commandRow('cmd-h2'))).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.station.operations)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Reset/ })).not.toBeInTheDocument();
    // the history rides the Viewer route
    expect(requests.find((r) => r.path === '/stations/CP-0003/commands')!.role).toBe('viewer');
  });

  it('renders the history newest first: command, submitted by, result, times', async () => {
    fakeCollector('Editor');
    renderPage();
    const history = await screen.findByTestId(testIds.station.commandHistory);
    await within(history).findByTestId(testIds.station.commandRow('cmd-h2'));
    const rows = within(history).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-testid'))).toEqual(['cw-command-cmd-h2', 'cw-command-cmd-h1']);
    expect(rows[0]).toHaveTextContent('ChangeAvailability');
    expect(rows[0]).toHaveTextContent('inoperative, connector 2/1');
    expect(rows[0]).toHaveTextContent('bob (admin)');
    expect(rows[0]).toHaveTextContent('Rejected');
    expect(rows[0]).toHaveTextContent('Rejected (TxInProgress)');
    expect(rows[0]).toHaveTextContent('2025-06-01 10:00:00 UTC');
    expect(rows[0]).toHaveTextContent('2025-06-01 10:00:02 UTC');
    expect(rows[1]).toHaveTextContent('StatusNotification, the whole station');
    expect(history).toHaveTextContent('Command history (2)');
  });

  it('asks for confirmation naming the station; Cancel sends nothing', async () => {
    const { requests } = fakeCollector('Editor');
    renderPage();
    fireEvent.click(
      within(await screen.findByTestId(testIds.station.operation('Reset'))).getByRole('button', { name: /Reset/ })
    );
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Soft reset of CP-0003');
    expect(dialog).toHaveTextContent('CP-0003 restarts gracefully');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(posts(requests)).toEqual([]);
    expect(screen.queryByTestId(testIds.station.commandResult)).not.toBeInTheDocument();
  });

  it('sends a confirmed hard reset and shows the result of a 200; the history refreshes', async () => {
    const { requests } = fakeCollector('Editor');
    renderPage();
    await screen.findByTestId(testIds.station.operation('Reset'));
    fireEvent.click(within(card('Reset')).getByLabelText('Hard'));
    await openAndConfirm('Reset', /Reset/, 'Hard reset');
    const result = await screen.findByTestId(testIds.station.commandResult);
    await waitFor(() => expect(result).toHaveTextContent('Hard reset of CP-0003: Accepted'));
    expect(result).toHaveTextContent('The station accepted the command');
    const [post] = posts(requests);
    expect(post).toMatchObject({ path: '/stations/CP-0003/commands/Reset', data: { type: 'hard' }, role: 'editor' });
    expect(await screen.findByTestId(testIds.station.commandRow('cmd-new'))).toHaveTextContent('hard reset');
  });

  it('sends the chosen message and connector for TriggerMessage, UnlockConnector and ChangeAvailability', async () => {
    const { requests } = fakeCollector('Admin');
    renderPage();
    await screen.findByTestId(testIds.station.operation('TriggerMessage'));
    fireEvent.click(within(card('TriggerMessage')).getByLabelText('MeterValues'));
    fireEvent.click(within(card('TriggerMessage')).getByLabelText('2/1'));
    await openAndConfirm('TriggerMessage', /Trigger/, 'Trigger MeterValues');
    await waitFor(() => expect(posts(requests)).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId(testIds.station.commandResult)).toHaveTextContent('Accepted'));

    fireEvent.click(within(card('UnlockConnector')).getByLabelText('2/1'));
    await openAndConfirm('UnlockConnector', /Unlock/, 'Unlock');
    await waitFor(() => expect(posts(requests)).toHaveLength(2));
    await waitFor(() =>
      expect(screen.getByTestId(testIds.station.commandResult)).toHaveTextContent('Unlock connector 2/1 of CP-0003')
    );

    fireEvent.click(within(card('ChangeAvailability')).getByLabelText('1/1'));
    await openAndConfirm('ChangeAvailability', /Change availability/, 'Set inoperative');
    await waitFor(() => expect(posts(requests)).toHaveLength(3));

    expect(posts(requests).map((r) => [r.path, r.data])).toEqual([
      ['/stations/CP-0003/commands/TriggerMessage', { message: 'meterValues', evseId: 2, connectorId: 1 }],
      ['/stations/CP-0003/commands/UnlockConnector', { evseId: 2, connectorId: 1 }],
      ['/stations/CP-0003/commands/ChangeAvailability', { availability: 'inoperative', evseId: 1, connectorId: 1 }],
    ]);
  });

  it('follows a 202 by polling the command until it ends', async () => {
    const queued = makeCommand({
      id: 'cmd-slow',
      status: 'queued',
      sentAt: undefined,
      finishedAt: undefined,
      result: undefined,
    });
    const { requests } = fakeCollector(
      'Editor',
      () => new HttpReply(202, queued),
      (id, n) =>
        n < 2
          ? queued
          : n < 3
            ? { ...queued, status: 'sending', sentAt: '2025-06-01T11:58:03.000Z' }
            : makeCommand({ id, status: 'rejected', result: { status: 'rejected', reason: 'Rejected' } })
    );
    renderPage();
    await openAndConfirm('Reset', /Reset/, 'Soft reset');
    const result = await screen.findByTestId(testIds.station.commandResult);
    await waitFor(() => expect(result).toHaveTextContent('Soft reset of CP-0003: Queued'));
    // operations wait for the running one
    expect(within(card('Reset')).getByRole('button', { name: /Reset/ })).toBeDisabled();
    await waitFor(() => expect(result).toHaveTextContent('Sending'), { timeout: 5000 });
    await waitFor(() => expect(result).toHaveTextContent('Soft reset of CP-0003: Rejected'), { timeout: 5000 });
    expect(result).toHaveTextContent('The station refused: Rejected');
    const polls = requests.filter((r) => r.path === '/commands/cmd-slow');
    expect(polls.length).toBe(3);
    expect(polls.every((r) => r.role === 'viewer')).toBe(true);
    // polling stops once it ended; the history shows the end
    await new Promise((r) => setTimeout(r, 1500));
    expect(requests.filter((r) => r.path === '/commands/cmd-slow')).toHaveLength(3);
    expect(screen.getByTestId(testIds.station.commandRow('cmd-slow'))).toHaveAttribute('data-status', 'rejected');
    expect(within(card('Reset')).getByRole('button', { name: /Reset/ })).toBeEnabled();
  });

  it('says in the confirmation when the station is offline', async () => {
    fakeCollector('Editor', undefined, undefined, { ...STATION, online: false });
    renderPage();
    fireEvent.click(
      within(await screen.findByTestId(testIds.station.operation('Reset'))).getByRole('button', { name: /Reset/ })
    );
    expect(await screen.findByRole('dialog')).toHaveTextContent(
      'CP-0003 is offline now: the command waits until it reconnects'
    );
  });

  it("shows the collector's message when it refuses the command", async () => {
    fakeCollector('Editor', () => {
      throw new HttpError(400, { error: 'Bad Request', message: 'body/evseId must be >= 1' });
    });
    renderPage();
    await openAndConfirm('Reset', /Reset/, 'Soft reset');
    const result = await screen.findByTestId(testIds.station.commandResult);
    await waitFor(() => expect(result).toHaveTextContent('Soft reset of CP-0003: not sent'));
    expect(result).toHaveTextContent('body/evseId must be >= 1');
  });
});
