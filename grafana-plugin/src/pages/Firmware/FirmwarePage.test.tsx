import React from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { config } from '@grafana/runtime';
import { AppRoutes } from '../../routing/AppRoutes';
import { testIds } from '../../components/testIds';
import { lastRequest } from '../../test/fakeBackend';
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
const where = () => screen.getByTestId('where').textContent;
const PAGE = '/a/chargewatch-fleet-app/firmware';

afterEach(() => {
  config.bootData.user.orgRole = '';
});

describe('Firmware page: overview', () => {
  it('draws one bar segment per model and version with its station count', async () => {
    const { requests } = fakeFirmwareCollector('Viewer');
    renderApp(PAGE);
    const chart = await screen.findByTestId(testIds.firmware.chart);
    expect(within(chart).getByTestId(testIds.firmware.bar('ABB/Terra 54', '1.7.2'))).toHaveAttribute(
      'data-stations',
      '30'
    );
    expect(within(chart).getByTestId(testIds.firmware.bar('ABB/Terra 54', '1.6.0'))).toHaveAttribute(
      'data-stations',
      '12'
    );
    expect(within(chart).getByTestId(testIds.firmware.bar('Alpitronic/HYC300', '2.1'))).toHaveAttribute(
      'data-stations',
      '8'
    );
    expect(requests.find((r) => r.path === '/firmware/inventory')!.role).toBe('viewer');
  });

  it('counts stations on and off target per vendor/model', async () => {
    fakeFirmwareCollector('Viewer');
    renderApp(PAGE);
    const abb = await screen.findByTestId(testIds.firmware.model('ABB/Terra 54'));
    await waitFor(() => expect(abb).toHaveTextContent('1.7.2'));
    expect(abb.querySelector('[data-cell="total"]')).toHaveTextContent('42');
    expect(abb.querySelector('[data-cell="on"]')).toHaveTextContent('30');
    expect(abb.querySelector('[data-cell="off"]')).toHaveTextContent('12');
    const alpi = screen.getByTestId(testIds.firmware.model('Alpitronic/HYC300'));
    expect(alpi).toHaveTextContent('none');
    expect(alpi.querySelector('[data-cell="off"]')).toHaveTextContent('–');
  });

  it('lists drift with links to stations, pages it on the server and keeps the page in the URL', async () => {
    const { requests } = fakeFirmwareCollector('Viewer');
    renderApp(PAGE);
    const drift = await screen.findByTestId(testIds.firmware.drift);
    await within(drift).findByTestId(testIds.firmware.driftRow('CP-0100'));
    expect(within(drift).getByRole('link', { name: 'CP-0100' })).toHaveAttribute(
      'href',
      '/a/chargewatch-fleet-app/station/CP-0100'
    );
    expect(screen.getByTestId(testIds.firmware.driftTotal)).toHaveTextContent('12 stations');
    expect(lastRequest(requests, '/firmware/drift')!.params).toMatchObject({ limit: 25, offset: 0 });
    // one page of 25 holds all 12: no pager; narrowing to a model goes to the URL and the query
    fireEvent.click(screen.getByRole('button', { name: 'Show drift' }));
    await waitFor(() => expect(where()).toBe(`${PAGE}?model=ABB%2FTerra+54`));
    await waitFor(() =>
      expect(lastRequest(requests, '/firmware/drift')!.params).toMatchObject({ vendor: 'ABB', model: 'Terra 54' })
    );
  });

  it('opens the drift page given in the URL', async () => {
    const { requests } = fakeFirmwareCollector('Viewer');
    renderApp(`${PAGE}?driftPage=2`);
    await screen.findByTestId(testIds.firmware.drift);
    expect(lastRequest(requests, '/firmware/drift')!.params).toMatchObject({ limit: 25, offset: 50 });
  });
});

describe('Firmware page: catalogue', () => {
  it('shows a Viewer the releases and the target, without Editor controls', async () => {
    fakeFirmwareCollector('Viewer');
    renderApp(`${PAGE}?tab=catalogue`);
    const row = await screen.findByTestId(testIds.firmware.release('1'));
    await waitFor(() => expect(row).toHaveAttribute('data-target', 'yes'));
    expect(screen.getByTestId(testIds.firmware.release('2'))).toHaveAttribute('data-target', 'no');
    expect(row).toHaveTextContent('prefix');
    expect(screen.queryByTestId(testIds.firmware.addRelease)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Set as target' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Start campaign' })).not.toBeInTheDocument();
  });

  it('switches tabs through the URL', async () => {
    fakeFirmwareCollector('Viewer');
    renderApp(PAGE);
    await screen.findByTestId(testIds.firmware.overview);
    fireEvent.click(screen.getByTestId(testIds.firmware.tab('catalogue')));
    await screen.findByTestId(testIds.firmware.catalogue);
    expect(where()).toBe(`${PAGE}?tab=catalogue`);
    fireEvent.click(screen.getByTestId(testIds.firmware.tab('campaigns')));
    await screen.findByTestId(testIds.firmware.campaignList);
    expect(where()).toBe(`${PAGE}?tab=campaigns`);
  });

  it("checks an Editor's new release before sending it, then adds it", async () => {
    const { requests } = fakeFirmwareCollector('Editor');
    renderApp(`${PAGE}?tab=catalogue`);
    fireEvent.click(await screen.findByTestId(testIds.firmware.addRelease));
    const form = screen.getByTestId(testIds.firmware.releaseForm);
    const type = (key: string, value: string) =>
      fireEvent.change(within(form).getByTestId(testIds.firmware.releaseField(key)), { target: { value } });
    type('vendor', 'A vendor name longer than twenty');
    type('location', 'file:///tmp/fw.bin');
    type('checksum', 'ABC');
    fireEvent.click(screen.getByTestId(testIds.firmware.releaseSubmit));
    expect(await within(form).findByText('At most 20 characters (32 now)')).toBeInTheDocument();
    expect(within(form).getAllByText('Required')).toHaveLength(2); // model, version
    expect(within(form).getByText(/http, https, ftp, ftps, sftp URLs only/)).toBeInTheDocument();
    expect(within(form).getByText('SHA-256 as 64 hex digits')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    type('vendor', 'ABB');
    type('model', 'Terra 54');
    type('version', '1.9.0');
    type('location', 'https://fw.example/abb/1.9.0.bin');
    type('checksum', 'A'.repeat(64));
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.firmware.releaseSubmit));
    });
    await waitFor(() => expect(screen.queryByTestId(testIds.firmware.releaseForm)).not.toBeInTheDocument());
    const post = requests.find((r) => r.method === 'POST' && r.path === '/firmware/releases')!;
    expect(post.role).toBe('editor');
    expect(post.data).toEqual({
      vendor: 'ABB',
      model: 'Terra 54',
      version: '1.9.0',
      location: 'https://fw.example/abb/1.9.0.bin',
      checksum: 'a'.repeat(64),
      versionMatch: { mode: 'exact' },
    });
    expect(await screen.findByTestId(testIds.firmware.release('3'))).toHaveTextContent('1.9.0');
  });

  it("shows the collector's refusal of a release", async () => {
    fakeFirmwareCollector('Editor');
    renderApp(`${PAGE}?tab=catalogue`);
    fireEvent.click(await screen.findByTestId(testIds.firmware.addRelease));
    const form = screen.getByTestId(testIds.firmware.releaseForm);
    for (const [key, value] of Object.entries({
      vendor: 'ABB',
      model: 'Terra 54',
      version: '1.8.0',
      location: 'https://x.example/a.bin',
    })) {
      fireEvent.change(within(form).getByTestId(testIds.firmware.releaseField(key)), { target: { value } });
    }
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.firmware.releaseSubmit));
    });
    expect(await within(form).findByText('release exists')).toBeInTheDocument();
  });

  it('sets a release as target after confirmation', async () => {
    const { requests } = fakeFirmwareCollector('Editor');
    renderApp(`${PAGE}?tab=catalogue`);
    const row = await screen.findByTestId(testIds.firmware.release('2'));
    fireEvent.click(within(row).getByRole('button', { name: 'Set as target' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Every ABB Terra 54 should then run 1.8.0 instead of 1.7.2');
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Set as target' }));
    });
    const put = requests.find((r) => r.method === 'PUT')!;
    // Grafana forwards what the route's * matched decoded (standalone/grafana-proxy.mjs)
    expect(put.path).toBe('/firmware/targets/ABB/Terra 54');
    expect(put.data).toEqual({ releaseId: '2' });
    expect(put.role).toBe('editor');
    await waitFor(() =>
      expect(screen.getByTestId(testIds.firmware.release('2'))).toHaveAttribute('data-target', 'yes')
    );
  });
});
