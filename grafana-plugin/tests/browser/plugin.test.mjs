// Real-browser test of the plugin's pages and panel, served by the standalone harness against a REAL
// ChargeWatch collector and Prometheus. Needs CHARGEWATCH_API_URL, CHARGEWATCH_API_TOKEN and PROMETHEUS_URL.
//
//   npm run test:browser
//
// The values shown by the pages are compared with what the collector API and Prometheus return when
// asked directly. Live data moves (sessions start, heartbeats age), so each comparison is retried a few
// times on a fresh read before it fails.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../standalone/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// npm test sends screenshots to a temporary directory; run directly (npm run test:browser) or with
// CHARGEWATCH_WRITE_REPORTS=1 they refresh docs/screenshots.
const screenshotDir = process.env.CHARGEWATCH_SCREENSHOT_DIR ?? path.resolve(here, '../../../docs/screenshots');
const REQUIRED_ENV = ['CHARGEWATCH_API_URL', 'CHARGEWATCH_API_TOKEN', 'PROMETHEUS_URL'];
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ATTEMPTS = 6;
const TIMEOUT = 20_000;

/** model/src/status.ts (the one status meaning), compiled on the fly: node 20 cannot import TypeScript. */
async function loadStatusModel() {
  const { transform } = await import('esbuild');
  const file = path.resolve(here, '../../../model/src/status.ts');
  const { code } = await transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
const { statusFromCode, isStationLevelConnector } = await loadStatusModel();

let harness;
let editorHarness;
let browser;
let page;
const consoleErrors = [];

function env(name) {
  return process.env[name].replace(/\/+$/, '');
}

async function api(pathAndQuery) {
  const res = await fetch(`${env('CHARGEWATCH_API_URL')}/api/v1${pathAndQuery}`, {
    headers: { Authorization: `Bearer ${process.env.CHARGEWATCH_API_TOKEN}`, Accept: 'application/json' },
  });
  const body = await res.json().catch(() => undefined);
  assert.equal(res.status, 200, `collector API ${pathAndQuery} answered HTTP ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

async function promStatusSeries() {
  const url = new URL(`${env('PROMETHEUS_URL')}/api/v1/query`);
  url.searchParams.set('query', 'chargewatch_connector_status_code');
  const res = await fetch(url);
  const body = await res.json();
  assert.equal(body.status, 'success', `Prometheus query failed: ${JSON.stringify(body)}`);
  return body.data.result.filter((s) => s.metric.station_id !== undefined);
}

/** Runs `check` until it returns without throwing, up to ATTEMPTS times; rethrows the last failure. */
async function eventually(check, label) {
  let last;
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await check(i);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500 + i * 500));
    }
  }
  last.message = `${label}: still failing after ${ATTEMPTS} attempts: ${last.message}`;
  throw last;
}

const parseNumber = (text) => Number(text.replace(/[^0-9.\-]/g, ''));

/** "12.4 kWh" → Wh */
function parseEnergy(text) {
  const m = text.trim().match(/^([\d.,]+)\s*(Wh|kWh|MWh)$/);
  assert.ok(m, `energy "${text}" not understood`);
  return parseNumber(m[1]) * { Wh: 1, kWh: 1e3, MWh: 1e6 }[m[2]];
}

async function text(testId) {
  return (await page.getByTestId(testId).textContent()).trim();
}

async function readKpis() {
  const kpis = {};
  for (const key of [
    'online',
    'offline',
    'availability',
    'faulted',
    'sessions-active',
    'sessions-today',
    'energy-today',
  ]) {
    kpis[key] = await text(`cw-kpi-${key}`);
  }
  return kpis;
}

/** Clicks "Refresh" and resolves with the JSON bodies the page received for summary and stations. */
async function refreshAndCapture() {
  const isApi = (suffix) => (r) =>
    r.url().includes(`/api/plugin-proxy/chargewatch-fleet-app/viewer${suffix}`) && r.request().method() === 'GET';
  const [summaryRes, stationsRes] = await Promise.all([
    page.waitForResponse(isApi('/fleet/summary'), { timeout: TIMEOUT }),
    page.waitForResponse(isApi('/stations?'), { timeout: TIMEOUT }),
    page.getByTestId('cw-refresh-now').first().click(),
  ]);
  assert.equal(summaryRes.status(), 200, 'summary through the plugin proxy');
  assert.equal(stationsRes.status(), 200, 'stations through the plugin proxy');
  const summary = await summaryRes.json();
  const stations = await stationsRes.json();
  // let React render what arrived
  await page.waitForFunction(
    (online) =>
      document.querySelector('[data-testid="cw-kpi-online"]')?.textContent?.replace(/,/g, '') === String(online),
    summary.stations.online,
    { timeout: TIMEOUT }
  );
  return { summary, stations, stationsUrl: new URL(stationsRes.url()) };
}

function assertKpisShow(kpis, s, source) {
  assert.equal(parseNumber(kpis.online), s.stations.online, `${source}: stations online`);
  assert.equal(parseNumber(kpis.offline), s.stations.offline, `${source}: stations offline`);
  assert.equal(kpis.availability, `${(s.availability * 100).toFixed(1)}%`, `${source}: availability`);
  assert.equal(parseNumber(kpis.faulted), s.faultedNow, `${source}: faulted now`);
  assert.equal(parseNumber(kpis['sessions-active']), s.sessions.active, `${source}: sessions active`);
  assert.equal(parseNumber(kpis['sessions-today']), s.sessions.startedToday, `${source}: sessions today`);
  const energy = parseEnergy(kpis['energy-today']);
  // shown rounded to 3 significant-ish digits (Wh, 0.1 kWh or 0.01 MWh)
  const tolerance = s.energyTodayWh < 1e3 ? 0.5 : s.energyTodayWh < 1e6 ? 50 : 5000;
  assert.ok(
    Math.abs(energy - s.energyTodayWh) <= tolerance,
    `${source}: energy today ${kpis['energy-today']} vs ${s.energyTodayWh} Wh`
  );
}

async function tableRows() {
  return page.$$eval('[data-testid^="cw-station-row-"]', (rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-station-id'),
      cells: [...r.querySelectorAll('td')].map((td) => td.textContent.trim()),
    }))
  );
}

function assertRowsShow(rows, list, source) {
  assert.deepEqual(
    rows.map((r) => r.id),
    list.items.map((s) => s.id),
    `${source}: station ids in table order`
  );
  list.items.forEach((s, i) => {
    const [status, id, site, vendor, model, firmware, , , openErrors, active] = rows[i].cells;
    assert.equal(status, s.online ? 'Online' : 'Offline', `${source}: ${s.id} online state`);
    assert.equal(id, s.id);
    assert.equal(site, s.site ?? '–', `${source}: ${s.id} site`);
    assert.equal(vendor, s.vendor ?? '–', `${source}: ${s.id} vendor`);
    assert.equal(model, s.model ?? '–', `${source}: ${s.id} model`);
    assert.equal(firmware, s.firmwareVersion ?? '–', `${source}: ${s.id} firmware`);
    assert.equal(parseNumber(openErrors), s.openErrors, `${source}: ${s.id} open errors`);
    assert.equal(parseNumber(active), s.activeTransactions, `${source}: ${s.id} active sessions`);
  });
}

before(async () => {
  const missing = REQUIRED_ENV.filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(
      `The browser test needs a running ChargeWatch collector and Prometheus. Missing environment: ${missing.join(', ')}. ` +
        'Set CHARGEWATCH_API_URL (collector base URL, without /api), CHARGEWATCH_API_TOKEN (its API token) and ' +
        'PROMETHEUS_URL (Prometheus base URL scraping the collector).'
    );
  }
  await mkdir(screenshotDir, { recursive: true });
  harness = await startServer({ port: 0, build: 'if-missing' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
});

after(async () => {
  await browser?.close();
  await harness?.close();
  await editorHarness?.close();
});

describe('ChargeWatch plugin in a real browser', { timeout: 180_000 }, () => {
  test('Fleet page shows the KPIs and stations the collector reports', async () => {
    await page.goto(`${harness.url}/a/chargewatch-fleet-app/fleet`);
    await page.getByTestId('cw-kpi-online').waitFor({ timeout: TIMEOUT });
    await page.locator('[data-testid^="cw-station-row-"]').first().waitFor({ timeout: TIMEOUT });
    await page.getByTestId('cw-refresh-pause').first().click(); // freeze the view between reads

    await eventually(async () => {
      const direct = await api('/fleet/summary');
      const { summary, stations, stationsUrl } = await refreshAndCapture();
      const kpis = await readKpis();
      // what the page shows is exactly what it received through the proxy
      assertKpisShow(kpis, summary, 'page vs proxied answer');
      // and the proxy answer agrees with the collector asked directly
      assertKpisShow(kpis, direct, 'page vs collector API');

      assert.equal(stationsUrl.searchParams.get('sort'), 'id');
      assert.equal(stationsUrl.searchParams.get('order'), 'asc');
      assert.equal(stationsUrl.searchParams.get('limit'), '50');
      assert.equal(stationsUrl.searchParams.get('offset'), '0');
      const directList = await api('/stations?sort=id&order=asc&limit=50&offset=0');
      const rows = await tableRows();
      assert.ok(rows.length > 0, 'the station table has rows');
      assertRowsShow(rows, stations, 'page vs proxied answer');
      assertRowsShow(rows, directList, 'page vs collector API');
      const total = await text('cw-station-total');
      assert.match(total.replace(/,/g, ''), new RegExp(`of ${directList.total} stations`));
    }, 'fleet page');

    await page.getByTestId('cw-refresh-pause').first().click(); // resume auto-refresh for the picture
    await page.screenshot({ path: path.join(screenshotDir, 'fleet.png') });
  });

  test('Station table sorts and pages on the server', async () => {
    const sorted = page.waitForResponse(
      (r) => r.url().includes('/stations?') && r.url().includes('sort=firmwareVersion'),
      {
        timeout: TIMEOUT,
      }
    );
    await page.getByRole('button', { name: 'Firmware' }).click();
    const res = await sorted;
    assert.equal(res.status(), 200, `sorted station list through the plugin proxy: HTTP ${res.status()}`);
    const body = await res.json();
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid^="cw-station-row-"]')?.getAttribute('data-station-id') === first,
      body.items[0]?.id,
      { timeout: TIMEOUT }
    );
    const direct = await api('/stations?sort=firmwareVersion&order=asc&limit=50&offset=0');
    assert.deepEqual(
      (await tableRows()).map((r) => r.id),
      body.items.map((s) => s.id)
    );
    assert.deepEqual(
      body.items.map((s) => s.firmwareVersion ?? ''),
      direct.items.map((s) => s.firmwareVersion ?? ''),
      'firmware order matches the collector'
    );

    if (direct.total > 50) {
      const paged = page.waitForResponse((r) => r.url().includes('/stations?') && r.url().includes('offset=50'), {
        timeout: TIMEOUT,
      });
      await page.getByRole('button', { name: '2', exact: true }).click();
      const pageTwo = await (await paged).json();
      await page.waitForFunction(
        (first) =>
          document.querySelector('[data-testid^="cw-station-row-"]')?.getAttribute('data-station-id') === first,
        pageTwo.items[0]?.id,
        { timeout: TIMEOUT }
      );
      assert.match((await text('cw-station-total')).replace(/,/g, ''), new RegExp(`^Showing 51–`));
    }
    // back to the default view
    await page.getByRole('button', { name: /Station/ }).click();
  });

  test('Station page shows the connectors the collector reports', async (t) => {
    const list = await api('/stations?sort=id&order=asc&limit=5&offset=0');
    assert.ok(list.items.length > 0, 'the collector knows at least one station');
    const target = list.items.find((s) => s.connectors.length > 0) ?? list.items[0];
    await page.goto(`${harness.url}/a/chargewatch-fleet-app/fleet`);
    await page.getByRole('link', { name: target.id, exact: true }).click();
    await page.waitForURL(`**/a/chargewatch-fleet-app/station/${encodeURIComponent(target.id)}`);
    await page.getByRole('heading', { name: target.id }).waitFor({ timeout: TIMEOUT });
    await page.getByTestId('cw-refresh-pause').first().click();

    await eventually(async () => {
      const refreshed = page.waitForResponse((r) => r.url().endsWith(`/stations/${encodeURIComponent(target.id)}`), {
        timeout: TIMEOUT,
      });
      await page.getByTestId('cw-refresh-now').first().click();
      const shown = await (await refreshed).json();
      const direct = await api(`/stations/${encodeURIComponent(target.id)}`);
      await page.waitForTimeout(200);
      for (const source of [
        ['proxied answer', shown],
        ['collector API', direct],
      ]) {
        const [label, station] = source;
        for (const c of station.connectors) {
          const row = page.getByTestId(`cw-connector-${c.evseId}-${c.connectorId}`);
          assert.equal(
            await row.getAttribute('data-status'),
            c.status,
            `${label}: ${target.id} connector ${c.evseId}/${c.connectorId}`
          );
        }
        assert.equal(
          await page.locator('[data-testid^="cw-connector-"]').count(),
          station.connectors.length,
          `${label}: number of connectors`
        );
      }
      if (direct.firmwareVersion) {
        await page.getByText(direct.firmwareVersion, { exact: true }).first().waitFor({ timeout: 2000 });
      }
    }, 'station page');
    // the history tables, or (collector without the history route) the notice saying so; any other error fails
    await page
      .locator('[data-testid="cw-status-timeline"], [data-testid="cw-history-unavailable"]')
      .first()
      .waitFor({ timeout: TIMEOUT });
    if (await page.getByTestId('cw-history-unavailable').count()) {
      t.diagnostic(
        `collector serves no /stations/{id}/history: ${await page.getByTestId('cw-history-unavailable').textContent()}`
      );
    }
    await page.getByTestId('cw-refresh-pause').first().click(); // resume auto-refresh for the picture
    await page.screenshot({ path: path.join(screenshotDir, 'station.png'), fullPage: true });
  });

  test('Station page: a Viewer sees the command history but no operations', async () => {
    // still on the station page of the previous test, as the harness's Viewer
    await page.getByTestId('cw-command-history').waitFor({ timeout: TIMEOUT });
    assert.equal(await page.getByTestId('cw-operations').count(), 0, 'no Operations section for a Viewer');
  });

  test('Station page: an Editor triggers a message, confirms, and sees the live result', async () => {
    const list = await api('/stations?sort=id&order=asc&limit=50&offset=0');
    const target = list.items.find((s) => s.online && s.connectors.length > 0);
    assert.ok(target, 'an online station with connectors');
    const id = encodeURIComponent(target.id);
    // a second harness whose user is a Grafana Editor, the command route's reqRole
    editorHarness = await startServer({ port: 0, build: 'never', role: 'Editor' });
    const editor = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    editor.on('pageerror', (err) => consoleErrors.push(`pageerror (editor): ${err.message}`));
    await editor.goto(`${editorHarness.url}/a/chargewatch-fleet-app/station/${id}`);
    const trigger = editor.getByTestId('cw-operation-TriggerMessage');
    await trigger.waitFor({ timeout: TIMEOUT });
    await editor.getByTestId('cw-refresh-pause').first().click();

    await trigger.getByRole('radio', { name: 'StatusNotification' }).check();
    await trigger.getByRole('button', { name: /Trigger/ }).click();
    const dialog = editor.getByRole('dialog');
    await dialog.waitFor({ timeout: TIMEOUT });
    assert.match(await dialog.textContent(), new RegExp(`Trigger StatusNotification on ${target.id}`));
    const submitted = editor.waitForResponse(
      (r) => r.url().endsWith(`/editor/stations/${id}/commands/TriggerMessage`) && r.request().method() === 'POST',
      { timeout: TIMEOUT }
    );
    await dialog.getByRole('button', { name: 'Trigger StatusNotification' }).click();
    const res = await submitted;
    assert.ok([200, 202].includes(res.status()), `submit through the plugin proxy: HTTP ${res.status()}`);
    const command = await res.json();
    assert.deepEqual(res.request().postDataJSON(), { message: 'status' });

    // the result, polled to its end when the collector answered 202
    const result = editor.getByTestId('cw-command-result');
    await editor.waitForFunction(
      () =>
        ['accepted', 'rejected', 'not_supported', 'call_error', 'timeout', 'offline', 'interrupted'].includes(
          document.querySelector('[data-testid="cw-command-result"]')?.getAttribute('data-status') ?? ''
        ),
      undefined,
      { timeout: TIMEOUT }
    );
    const direct = await api(`/commands/${encodeURIComponent(command.id)}`);
    assert.equal(await result.getAttribute('data-status'), direct.status, 'page vs collector API: final status');
    assert.equal(
      direct.status,
      'accepted',
      `the simulated station accepts TriggerMessage: ${JSON.stringify(direct.result)}`
    );
    assert.match(await result.textContent(), new RegExp(`Trigger StatusNotification on ${target.id}: Accepted`));
    // and the history shows it, newest first
    const row = editor.getByTestId(`cw-command-${command.id}`);
    await row.waitFor({ timeout: TIMEOUT });
    assert.equal(await row.getAttribute('data-status'), 'accepted');
    const firstRow = await editor
      .getByTestId('cw-command-history')
      .locator('tbody tr')
      .first()
      .getAttribute('data-testid');
    assert.equal(firstRow, `cw-command-${command.id}`, 'newest first');
    await editor.screenshot({ path: path.join(screenshotDir, 'station-operations.png'), fullPage: true });
    await editor.close();
  });

  test('Status grid panel draws one cell per connector from Prometheus', async () => {
    await page.goto(`${harness.url}/standalone/status-grid`);
    await page.getByTestId('cw-status-grid').waitFor({ timeout: TIMEOUT });
    await eventually(async () => {
      const reload = page.waitForResponse((r) => r.url().endsWith('/standalone/api/status-grid'), { timeout: TIMEOUT });
      await page.reload();
      await (await reload).json();
      await page.getByTestId('cw-status-grid').waitFor({ timeout: TIMEOUT });
      const series = await promStatusSeries();
      assert.ok(series.length > 0, 'Prometheus has chargewatch_connector_status_code series');
      const cells = await page.$$eval('[data-testid^="cw-grid-cell-"]', (els) =>
        els.map((e) => ({ id: e.getAttribute('data-testid'), status: e.getAttribute('data-status') }))
      );
      // one cell per connector (a connector exported twice, e.g. by two scrape jobs, keeps its last value)
      const expected = new Map();
      for (const sample of series) {
        const m = sample.metric;
        if (isStationLevelConnector(m.evse)) {
          continue; // OCPP 1.6 station-level connector 0: hidden by default
        }
        expected.set(
          `cw-grid-cell-${m.station_id}-${m.evse ?? '1'}-${m.connector ?? '1'}`,
          statusFromCode(Number(sample.value[1]))
        );
      }
      assert.equal(cells.length, expected.size, 'one cell per connector');
      const byId = new Map(cells.map((c) => [c.id, c.status]));
      for (const [id, status] of expected) {
        assert.equal(byId.get(id), status, `cell ${id}`);
      }
      const ports = series.filter((x) => !isStationLevelConnector(x.metric.evse));
      const sites = new Set(ports.map((s) => s.metric.site || '(no site)'));
      assert.equal(await page.locator('[data-testid^="cw-grid-site-"]').count(), sites.size, 'one group per site');
    }, 'status grid');
    await page.screenshot({ path: path.join(screenshotDir, 'status-grid.png') });
    assert.deepEqual(consoleErrors, [], 'no uncaught errors in the page');
  });
});
