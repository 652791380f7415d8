import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { fakeFirmwareCollector } from '../../test/firmwareFixtures';

jest.setTimeout(30_000);

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
const PAGE = '/a/chargewatch-fleet-app/firmware';
const field = (key: string) => screen.getByTestId(testIds.firmware.campaignField(key));
const type = (key: string, value: string) => fireEvent.change(field(key), { target: { value } });
/** @grafana/ui marks a disabled button with a tooltip aria-disabled (it stays focusable for the tooltip). */
const expectStartDisabled = (disabled: boolean) =>
  expect(screen.getByTestId(testIds.firmware.startButton)).toHaveAttribute('aria-disabled', String(disabled));
const click = async (testId: string) => {
  await act(async () => {
    fireEvent.click(screen.getByTestId(testId));
  });
};

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Campaigns tab', () => {
  it('lists campaigns with status and progress; a Viewer cannot create one', async () => {
    const { requests } = fakeFirmwareCollector('Viewer');
    renderApp(`${PAGE}?tab=campaigns`);
    const row = await screen.findByTestId(testIds.firmware.campaignRow('7'));
    expect(row).toHaveTextContent('Terra 1.8 rollout');
    expect(row).toHaveTextContent('running');
    expect(row.querySelector('[data-cell="progress"]')).toHaveTextContent('wave 1 of 3');
    await waitFor(() => expect(row).toHaveTextContent('ABB Terra 54 1.8.0'));
    expect(within(row).getByRole('link', { name: 'Terra 1.8 rollout' })).toHaveAttribute(
      'href',
      '/a/chargewatch-fleet-app/firmware/campaigns/7'
    );
    expect(screen.queryByTestId(testIds.firmware.newCampaign)).not.toBeInTheDocument();
    expect(requests.find((r) => r.path === '/firmware/campaigns')!.role).toBe('viewer');
  });

  it('filters by status through the URL and the query', async () => {
    const { requests } = fakeFirmwareCollector('Viewer');
    renderApp(`${PAGE}?tab=campaigns&status=paused`);
    await screen.findByText('No campaign is paused.');
    expect(requests.find((r) => r.path === '/firmware/campaigns')!.params).toMatchObject({ status: 'paused' });
  });

  it('does not preview a form the collector would refuse', async () => {
    const { requests } = fakeFirmwareCollector('Editor');
    renderApp(`${PAGE}?tab=campaigns&create=1`);
    await screen.findByTestId(testIds.firmware.campaignForm);
    type('canary', '0');
    type('waves', '150');
    type('withinMin', '0');
    type('windows', '25:00-26:00');
    await click(testIds.firmware.previewButton);
    expect(screen.getByText('Pick the release to install')).toBeInTheDocument();
    expect(screen.getByText('A whole number of stations, at least 1')).toBeInTheDocument();
    expect(screen.getByText('A whole percentage, 1 to 100')).toBeInTheDocument();
    expect(screen.getByText(/Whole minutes, 1 to 43200/)).toBeInTheDocument();
    expect(screen.getByText(/"25:00-26:00": hours 00:00–23:59/)).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    expectStartDisabled(true);
  });

  it('previews the cohort and its waves, then starts exactly what was previewed', async () => {
    const { requests } = fakeFirmwareCollector('Editor');
    // from the catalogue's "Start campaign": the release comes in the URL
    renderApp(`${PAGE}?tab=campaigns&create=1&release=2`);
    await screen.findByTestId(testIds.firmware.campaignForm);
    type('sites', 'Harbour, Depot, Harbour');
    type('exclude', 'CP-0009');
    type('canary', '2');
    type('windows', 'Mon,Tue 01:00-05:00; 22:00-02:00');
    expectStartDisabled(true);
    await click(testIds.firmware.previewButton);

    const preview = await screen.findByTestId(testIds.firmware.preview);
    expect(screen.getByTestId(testIds.firmware.previewSelected)).toHaveTextContent('42');
    expect(preview).toHaveTextContent('in 3 waves');
    expect(screen.getByTestId(testIds.firmware.previewSkipped('other_vendor_model'))).toHaveTextContent(
      '8 left out: another vendor or model than the release'
    );
    expect(screen.getByTestId(testIds.firmware.previewWave(0))).toHaveTextContent('Canary');
    expect(screen.getByTestId(testIds.firmware.previewWave(1))).toHaveTextContent('CP-0003 … 19 more');
    const previewReq = requests.find((r) => r.path === '/firmware/campaigns/preview')!;
    expect(previewReq.role).toBe('editor');
    const plan = {
      canary: { count: 2 },
      waves: { percent: 50 },
      gate: { minVerifiedPercent: 90, withinSec: 3600, maxFailedPercent: 10 },
      maxPerSite: 2,
      windows: [
        { days: [1, 2], start: '01:00', end: '05:00' },
        { start: '22:00', end: '02:00' },
      ],
    };
    const cohort = { sites: ['Harbour', 'Depot'], exclude: ['CP-0009'] };
    expect(previewReq.data).toEqual({ releaseId: '2', cohort, plan });

    // the name is needed to start; an edit of the plan after the preview asks for a new one
    await click(testIds.firmware.startButton);
    expect(screen.getByText('Required')).toBeInTheDocument();
    type('name', 'Harbour first');
    type('maxPerSite', '3');
    await waitFor(() => expect(screen.queryByTestId(testIds.firmware.preview)).not.toBeInTheDocument());
    expectStartDisabled(true);
    type('maxPerSite', '2');
    await screen.findByTestId(testIds.firmware.preview); // the same body as previewed again
    expectStartDisabled(false);
    await click(testIds.firmware.startButton);

    const create = requests.find((r) => r.method === 'POST' && r.path === '/firmware/campaigns')!;
    expect(create.role).toBe('editor');
    expect(create.data).toEqual({ name: 'Harbour first', releaseId: '2', cohort, plan });
    // and the new campaign's page opens
    await waitFor(() =>
      expect(screen.getByTestId('where')).toHaveTextContent('/a/chargewatch-fleet-app/firmware/campaigns/8')
    );
    expect(await screen.findByTestId(testIds.firmware.campaignPage)).toBeInTheDocument();
  });
});
