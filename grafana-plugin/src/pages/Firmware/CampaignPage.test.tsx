import React from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { fakeFirmwareCollector, makeCampaign } from '../../test/firmwareFixtures';

jest.setTimeout(30_000);

const renderPage = (id = '7') =>
  render(
    <MemoryRouter
      initialEntries={[`/a/chargewatch-fleet-app/firmware/campaigns/${id}`]}
      future={{ v7_startTransition: true, v7_relativeSplatPath: true }}
    >
      <Routes>
        <Route path="/a/chargewatch-fleet-app/*" element={<AppRoutes />} />
      </Routes>
    </MemoryRouter>
  );
const figure = (wave: number, key: string) => screen.getByTestId(testIds.firmware.waveFigure(wave, key));

async function steer(action: string, confirm: string) {
  fireEvent.click(screen.getByTestId(testIds.firmware.campaignAction(action)));
  const dialog = await screen.findByRole('dialog');
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name: confirm }));
  });
  return dialog;
}

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Campaign page', () => {
  it('shows waves with tally and gate figures, every station, and the events', async () => {
    fakeFirmwareCollector('Viewer');
    renderPage();
    await screen.findByTestId(testIds.firmware.wave(0));
    expect(screen.getByTestId(testIds.firmware.campaignStatus)).toHaveAttribute('data-status', 'running');
    // the release by name, read once
    expect(
      await screen.findByText(/ABB Terra 54 1\.8\.0 · started 2025-06-01 10:00:00 UTC by alice/)
    ).toBeInTheDocument();
    expect(screen.getByTestId(testIds.firmware.wave(0))).toHaveTextContent('Canary · current');
    expect(figure(0, 'size')).toHaveTextContent('2');
    expect(figure(0, 'verified')).toHaveTextContent('1');
    expect(figure(0, 'updating')).toHaveTextContent('1');
    expect(figure(0, 'gate')).toHaveTextContent('wait');
    expect(figure(0, 'verifiedPercent')).toHaveTextContent('50% of ≥ 90%');
    expect(figure(0, 'failedPercent')).toHaveTextContent('0% of ≤ 10%');
    expect(screen.getByTestId(testIds.firmware.wave(1))).toHaveTextContent('Waiting: 1 charging');

    const station = await screen.findByTestId(testIds.firmware.campaignStation('CP-0001'));
    expect(station).toHaveAttribute('data-state', 'verified');
    expect(station).toHaveTextContent('1.7.2');
    expect(station).toHaveTextContent('1.8.0');
    expect(station).toHaveTextContent('8 min');
    expect(within(station).getByRole('link', { name: 'CP-0001' })).toHaveAttribute(
      'href',
      '/a/chargewatch-fleet-app/station/CP-0001'
    );
    expect(screen.getByTestId(testIds.firmware.campaignStation('CP-0003'))).toHaveTextContent('charging');

    const events = screen.getByTestId(testIds.firmware.campaignEvents);
    expect(within(events).getByTestId(testIds.firmware.campaignEvent('1'))).toHaveAttribute('data-kind', 'created');
    expect(within(events).getByTestId(testIds.firmware.campaignEvent('1'))).toHaveTextContent('waves 3');
    expect(within(events).getByTestId(testIds.firmware.campaignEvent('2'))).toHaveTextContent('wave 0');
    // a Viewer steers nothing
    expect(screen.queryByTestId(testIds.firmware.campaignActions)).not.toBeInTheDocument();
  });

  it('polls the detail and the per-station report while open', async () => {
    jest.useFakeTimers();
    try {
      const { requests } = fakeFirmwareCollector('Viewer');
      renderPage();
      await screen.findByTestId(testIds.firmware.wave(0));
      const reads = () => requests.filter((r) => r.path === '/firmware/campaigns/7/report').length;
      const before = reads();
      await act(async () => {
        jest.advanceTimersByTime(10_000);
      });
      await waitFor(() => expect(reads()).toBe(before + 1));
    } finally {
      jest.useRealTimers();
    }
  });

  it('lets an Editor pause after confirmation, then resume', async () => {
    const { requests } = fakeFirmwareCollector('Editor');
    renderPage();
    await screen.findByTestId(testIds.firmware.campaignActions);
    expect(screen.queryByTestId(testIds.firmware.campaignAction('resume'))).not.toBeInTheDocument();
    const dialog = await steer('pause', 'Pause campaign');
    expect(dialog).toHaveTextContent('Nothing more is sent; updates already sent go on.');
    const pause = requests.find((r) => r.path === '/firmware/campaigns/7/pause')!;
    expect(pause.method).toBe('POST');
    expect(pause.role).toBe('editor');
    await waitFor(() =>
      expect(screen.getByTestId(testIds.firmware.campaignStatus)).toHaveAttribute('data-status', 'paused')
    );
    expect(screen.getByText('Paused: paused by an operator')).toBeInTheDocument();

    await steer('resume', 'Resume campaign');
    expect(requests.some((r) => r.path === '/firmware/campaigns/7/resume' && r.method === 'POST')).toBe(true);
    await waitFor(() =>
      expect(screen.getByTestId(testIds.firmware.campaignStatus)).toHaveAttribute('data-status', 'running')
    );
  });

  it('cancels after confirmation and then offers nothing more', async () => {
    const { requests } = fakeFirmwareCollector('Editor', {
      campaign: makeCampaign({ status: 'paused', pauseReason: 'gate_failed', pauseDetail: '1 of 2 failed' }),
    });
    renderPage();
    expect(await screen.findByText('Paused: a wave’s gate failed')).toBeInTheDocument();
    expect(screen.getByText('1 of 2 failed')).toBeInTheDocument();
    await steer('cancel', 'Cancel campaign');
    expect(requests.some((r) => r.path === '/firmware/campaigns/7/cancel' && r.method === 'POST')).toBe(true);
    await waitFor(() =>
      expect(screen.getByTestId(testIds.firmware.campaignStatus)).toHaveAttribute('data-status', 'cancelled')
    );
    expect(screen.queryByTestId(testIds.firmware.campaignActions)).not.toBeInTheDocument();
  });

  it("shows the collector's 409 when the campaign moved on meanwhile", async () => {
    const collector = fakeFirmwareCollector('Editor');
    renderPage();
    await screen.findByTestId(testIds.firmware.campaignActions);
    collector.state.campaigns[0].status = 'completed'; // the worker finished it after the page read it
    await steer('pause', 'Pause campaign');
    expect(await screen.findByText('campaign 7 is completed')).toBeInTheDocument();
  });

  it('says so when the campaign does not exist', async () => {
    fakeFirmwareCollector('Viewer');
    renderPage('99');
    expect(await screen.findByText('Campaign 99 not found')).toBeInTheDocument();
  });
});
