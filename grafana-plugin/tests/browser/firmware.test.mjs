// Real-browser test of the Firmware pages, served by the standalone harness against a REAL ChargeWatch
// collector (with PostgreSQL and the worker) and its simulated fleet. Needs CHARGEWATCH_API_URL and
// CHARGEWATCH_API_TOKEN; `npm test` starts that stack and runs this file after plugin.test.mjs.
//
//   npm run test:browser
//
// As an Editor: add a release, set it as its model's target, preview and start a campaign over the
// simulated stations of that model, follow it on its page, pause and resume it. What the pages show is
// compared with what the collector's API answers when asked directly. The campaign is cancelled at the
// end, so it sends nothing more while other tests read the fleet.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../standalone/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// npm test sends screenshots to a temporary directory; run directly (npm run test:browser) or with
// CHARGEWATCH_WRITE_REPORTS=1 they refresh docs/screenshots.
const screenshotDir = process.env.CHARGEWATCH_SCREENSHOT_DIR ?? path.resolve(here, '../../../docs/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT = 20_000;
const ATTEMPTS = 6;
const APP = '/a/chargewatch-fleet-app';

let harness;
let browser;
let page;
const consoleErrors = [];
/** What the tests make, for the later ones. */
const made = {};

async function api(pathAndQuery, { method = 'GET', body } = {}) {
  const res = await fetch(`${process.env.CHARGEWATCH_API_URL.replace(/\/+$/, '')}/api/v1${pathAndQuery}`, {
    method,
    headers: {
      Authorization: `Bearer ${process.env.CHARGEWATCH_API_TOKEN}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json().catch(() => undefined);
  assert.ok(res.ok, `collector API ${method} ${pathAndQuery} answered HTTP ${res.status}: ${JSON.stringify(answer)}`);
  return answer;
}

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

const byTestId = (id) => page.getByTestId(id);
const number = (text) => Number(text.replace(/[^0-9.\-]/g, ''));
const proxied =
  (suffix, method = 'GET') =>
  (r) =>
    r.url().includes(`/api/plugin-proxy/chargewatch-fleet-app/${suffix}`) && r.request().method() === method;

/** Clicks the page's Refresh (auto-refresh paused) and waits for the answer of `suffix`. */
async function refresh(suffix) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => proxied(suffix)(r) && r.status() === 200, { timeout: TIMEOUT }),
    byTestId('cw-refresh-now').first().click(),
  ]);
  const body = await res.json();
  await page.waitForTimeout(200); // let React render what arrived
  return body;
}

before(async () => {
  const missing = ['CHARGEWATCH_API_URL', 'CHARGEWATCH_API_TOKEN'].filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(
      `The firmware browser test needs a running ChargeWatch collector. Missing environment: ${missing.join(', ')}.`
    );
  }
  await mkdir(screenshotDir, { recursive: true });
  // an Editor: the firmware write routes' reqRole
  harness = await startServer({ port: 0, build: 'if-missing', role: 'Editor' });
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
});

describe('Firmware pages in a real browser', { timeout: 240_000 }, () => {
  test('Catalogue: an Editor adds a release and sets it as its model’s target', async () => {
    const inventory = await api('/firmware/inventory');
    // the simulated model with the most stations
    const models = new Map();
    for (const g of inventory.groups) {
      const key = `${g.vendor}/${g.model}`;
      models.set(key, { vendor: g.vendor, model: g.model, stations: (models.get(key)?.stations ?? 0) + g.stations });
    }
    const model = [...models.values()].sort((a, b) => b.stations - a.stations)[0];
    assert.ok(
      model && model.stations >= 2,
      `a simulated model with at least 2 booted stations: ${JSON.stringify(inventory)}`
    );
    const version = `9.${Date.now() % 1000}.${process.pid % 1000}`;
    made.model = model;
    made.version = version;

    await page.goto(`${harness.url}${APP}/firmware?tab=catalogue`);
    await byTestId('cw-firmware-releases').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    await byTestId('cw-firmware-add-release').click();
    const form = byTestId('cw-firmware-release-form');
    // the form refuses what the collector would, before sending anything
    await form.getByTestId('cw-release-field-location').fill('file:///tmp/image.bin');
    await byTestId('cw-firmware-release-submit').click();
    await form.getByText(/URLs only/).waitFor({ timeout: TIMEOUT });
    await form.getByTestId('cw-release-field-vendor').fill(model.vendor);
    await form.getByTestId('cw-release-field-model').fill(model.model);
    await form.getByTestId('cw-release-field-version').fill(version);
    // the simulator installs the version named in the image's file name
    await form.getByTestId('cw-release-field-location').fill(`https://firmware.test/images/fw-${version}.bin`);
    const [created] = await Promise.all([
      page.waitForResponse(proxied('editor/firmware/releases', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-firmware-release-submit').click(),
    ]);
    assert.equal(created.status(), 201, `add release through the plugin proxy: ${await created.text()}`);
    const release = await created.json();
    made.release = release;
    const direct = await api(`/firmware/releases/${release.id}`);
    assert.deepEqual(
      { vendor: direct.vendor, model: direct.model, version: direct.version, createdBy: direct.createdBy },
      { vendor: model.vendor, model: model.model, version, createdBy: direct.createdBy }
    );
    const row = byTestId(`cw-firmware-release-${release.id}`);
    await row.waitFor({ timeout: TIMEOUT });
    assert.match(await row.textContent(), new RegExp(version.replace(/\./g, '\\.')));

    await row.getByRole('button', { name: 'Set as target' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor({ timeout: TIMEOUT });
    assert.match(
      await dialog.textContent(),
      new RegExp(`Every ${model.vendor} ${model.model} should then run ${version.replace(/\./g, '\\.')}`)
    );
    const [put] = await Promise.all([
      page.waitForResponse(proxied('editor/firmware/targets/', 'PUT'), { timeout: TIMEOUT }),
      dialog.getByRole('button', { name: 'Set as target' }).click(),
    ]);
    assert.equal(put.status(), 200, `set target through the plugin proxy: ${await put.text()}`);
    await page.waitForFunction(
      (id) =>
        document.querySelector(`[data-testid="cw-firmware-release-${id}"]`)?.getAttribute('data-target') === 'yes',
      release.id,
      { timeout: TIMEOUT }
    );
    const targets = await api('/firmware/targets');
    const target = targets.find((t) => t.vendor === model.vendor && t.model === model.model);
    assert.equal(target?.releaseId, release.id, 'the collector has the new target');
    await page.screenshot({ path: path.join(screenshotDir, 'firmware-catalogue.png') });
  });

  test('Overview: versions per model, on/off target and drift as the collector counts them', async () => {
    await byTestId('cw-firmware-tab-overview').click();
    await byTestId('cw-firmware-chart').waitFor({ timeout: TIMEOUT });
    await eventually(async () => {
      const inventory = await refresh('viewer/firmware/inventory');
      const direct = await api('/firmware/inventory');
      for (const [label, inv] of [
        ['proxied answer', inventory],
        ['collector API', direct],
      ]) {
        const perModel = new Map();
        for (const g of inv.groups) {
          const key = `${g.vendor}/${g.model}`;
          const m = perModel.get(key) ?? { total: 0, on: 0, off: 0 };
          m.total += g.stations;
          if (g.target === 'on') {
            m.on += g.stations;
          }
          if (g.target === 'off') {
            m.off += g.stations;
          }
          perModel.set(key, m);
          const bar = byTestId(`cw-firmware-bar-${key}-${g.version ?? '(none)'}`);
          assert.equal(Number(await bar.getAttribute('data-stations')), g.stations, `${label}: ${key} ${g.version}`);
        }
        for (const [key, m] of perModel) {
          const row = byTestId(`cw-firmware-model-${key}`);
          assert.equal(
            number(await row.locator('[data-cell="total"]').textContent()),
            m.total,
            `${label}: ${key} stations`
          );
        }
        const mine = perModel.get(`${made.model.vendor}/${made.model.model}`);
        const row = byTestId(`cw-firmware-model-${made.model.vendor}/${made.model.model}`);
        assert.equal(number(await row.locator('[data-cell="on"]').textContent()), mine.on, `${label}: on target`);
        assert.equal(number(await row.locator('[data-cell="off"]').textContent()), mine.off, `${label}: off target`);
      }
      const drift = await api('/firmware/drift?limit=25&offset=0');
      assert.ok(drift.total >= 2, 'the new target puts the model’s stations in drift');
      assert.equal(number(await byTestId('cw-firmware-drift-total').textContent()), drift.total, 'drift total');
      const shown = await page.$$eval('tr[data-testid^="cw-firmware-drift-"]', (rows) =>
        rows.map((r) => r.getAttribute('data-testid').slice('cw-firmware-drift-'.length))
      );
      assert.deepEqual(
        shown,
        drift.items.map((d) => d.stationId),
        'drift rows in the collector’s order'
      );
    }, 'firmware overview');
    const first = await api('/firmware/drift?limit=1&offset=0');
    const link = byTestId(`cw-firmware-drift-${first.items[0].stationId}`).getByRole('link');
    assert.equal(await link.getAttribute('href'), `${APP}/station/${encodeURIComponent(first.items[0].stationId)}`);
    await byTestId('cw-refresh-pause').first().click(); // auto-refresh on again for the picture
    await page.screenshot({ path: path.join(screenshotDir, 'firmware-overview.png'), fullPage: true });
  });

  test('Campaigns: preview the cohort and its waves, then start the campaign', async () => {
    await page.goto(`${harness.url}${APP}/firmware?tab=catalogue`);
    const row = byTestId(`cw-firmware-release-${made.release.id}`);
    await row.waitFor({ timeout: TIMEOUT });
    await row.getByRole('link', { name: 'Start campaign' }).click();
    await byTestId('cw-firmware-campaign-form').waitFor({ timeout: TIMEOUT });
    assert.match(page.url(), new RegExp(`tab=campaigns&create=1&release=${made.release.id}`));
    await byTestId('cw-campaign-field-name').fill(`Browser test ${made.version}`);
    await byTestId('cw-campaign-field-canary').fill('1');
    await byTestId('cw-campaign-field-waves').fill('50');
    const [previewRes] = await Promise.all([
      page.waitForResponse(proxied('editor/firmware/campaigns/preview', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-firmware-preview').click(),
    ]);
    assert.equal(previewRes.status(), 200, `preview through the plugin proxy: ${await previewRes.text()}`);
    const sent = previewRes.request().postDataJSON();
    const preview = await previewRes.json();
    const direct = await api('/firmware/campaigns/preview', { method: 'POST', body: sent });
    await byTestId('cw-firmware-preview-result').waitFor({ timeout: TIMEOUT });
    assert.equal(
      number(await byTestId('cw-firmware-preview-selected').textContent()),
      direct.selected,
      'selected stations'
    );
    assert.equal(preview.selected, direct.selected);
    assert.ok(direct.selected >= 2, `the cohort takes the model's stations: ${JSON.stringify(direct)}`);
    for (const w of direct.waves) {
      assert.equal(
        Number(await byTestId(`cw-firmware-preview-wave-${w.index}`).getAttribute('data-size')),
        w.size,
        `wave ${w.index} size`
      );
    }
    assert.equal(
      await page.locator('[data-testid^="cw-firmware-preview-wave-"]').count(),
      direct.waves.length,
      'waves'
    );

    const [createdRes] = await Promise.all([
      page.waitForResponse(proxied('editor/firmware/campaigns', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-firmware-start').click(),
    ]);
    assert.equal(createdRes.status(), 201, `create through the plugin proxy: ${await createdRes.text()}`);
    assert.deepEqual(
      createdRes.request().postDataJSON(),
      { ...sent, name: `Browser test ${made.version}` },
      'started what was previewed'
    );
    made.campaign = await createdRes.json();
    await page.waitForURL(`**${APP}/firmware/campaigns/${made.campaign.id}`, { timeout: TIMEOUT });
  });

  test('Campaign page: waves, gates and stations as the collector reports them; pause and resume', async (t) => {
    const id = made.campaign.id;
    await byTestId('cw-campaign-wave-0').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-campaign-stations').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    const compare = async (label) =>
      eventually(async () => {
        const [detail, report] = await Promise.all([
          refresh(`viewer/firmware/campaigns/${id}`),
          api(`/firmware/campaigns/${id}/report`),
        ]);
        const direct = await api(`/firmware/campaigns/${id}`);
        assert.equal(direct.campaign.status, detail.campaign.status, `${label}: status moved between reads`);
        assert.equal(
          await byTestId('cw-campaign-status').getAttribute('data-status'),
          direct.campaign.status,
          `${label}: status`
        );
        for (const w of direct.waves) {
          for (const key of ['size', 'verified', 'failed', 'updating', 'pending']) {
            assert.equal(
              number(await byTestId(`cw-campaign-wave-${w.index}-${key}`).textContent()),
              w.tally[key],
              `${label}: wave ${w.index} ${key}`
            );
          }
          assert.equal(
            await byTestId(`cw-campaign-wave-${w.index}-gate`).textContent(),
            w.gate.decision,
            `${label}: wave ${w.index} gate`
          );
          assert.match(
            await byTestId(`cw-campaign-wave-${w.index}-verifiedPercent`).textContent(),
            new RegExp(`^${w.gate.verifiedPercent}% of`)
          );
        }
        const rows = await page.$$eval('[data-testid^="cw-campaign-station-"]', (els) =>
          els.map((e) => ({
            id: e.getAttribute('data-testid').slice('cw-campaign-station-'.length),
            state: e.getAttribute('data-state'),
          }))
        );
        assert.deepEqual(
          rows,
          report.items.map((r) => ({ id: r.stationId, state: r.state })),
          `${label}: stations and their states`
        );
        return direct;
      }, label);

    const running = await compare('just started');
    assert.equal(running.campaign.status, 'running');
    assert.ok(
      running.events.some((e) => e.kind === 'created'),
      'the story starts with its creation'
    );

    const steer = async (action, button) => {
      await byTestId(`cw-campaign-${action}`).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor({ timeout: TIMEOUT });
      const [res] = await Promise.all([
        page.waitForResponse(proxied(`editor/firmware/campaigns/${id}/${action}`, 'POST'), { timeout: TIMEOUT }),
        dialog.getByRole('button', { name: button }).click(),
      ]);
      assert.equal(res.status(), 200, `${action} through the plugin proxy: ${await res.text()}`);
      return res.json();
    };
    const paused = await steer('pause', 'Pause campaign');
    assert.equal(paused.status, 'paused');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="cw-campaign-status"]')?.getAttribute('data-status') === 'paused',
      undefined,
      { timeout: TIMEOUT }
    );
    assert.equal((await api(`/firmware/campaigns/${id}`)).campaign.status, 'paused', 'the collector has it paused');
    await byTestId('cw-campaign-resume').waitFor({ timeout: TIMEOUT });
    assert.equal(await byTestId('cw-campaign-pause').count(), 0, 'no Pause on a paused campaign');

    const resumed = await steer('resume', 'Resume campaign');
    assert.equal(resumed.status, 'running');
    const after = await compare('resumed');
    assert.equal(after.campaign.status, 'running');
    const kinds = after.events.map((e) => e.kind).join(' ');
    assert.match(kinds, /pause/, 'the story tells the pause');
    assert.match(kinds, /resume/, 'and the resume');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid^="cw-campaign-event-"]').length >= n,
      after.events.length,
      { timeout: TIMEOUT }
    );

    // live: the worker's campaign tick (every 10 s) sends the canary its update, or defers it (say, a
    // session in progress); the page follows the stations as the report moves
    const deadline = Date.now() + 60_000;
    let moved;
    while (!moved && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 3000));
      moved = (await api(`/firmware/campaigns/${id}/report`)).items.find(
        (r) => r.state !== 'pending' || r.deferredReason
      );
    }
    if (moved) {
      const live = await compare('after the first tick');
      const row = byTestId(`cw-campaign-station-${moved.stationId}`);
      t.diagnostic(
        `station ${moved.stationId} is ${await row.getAttribute('data-state')}; campaign ${live.campaign.status}`
      );
    } else {
      t.diagnostic('no station of the campaign moved within 60 s');
    }
    await byTestId('cw-refresh-pause').first().click(); // live again for the picture
    await page.screenshot({ path: path.join(screenshotDir, 'firmware-campaign.png'), fullPage: true });

    // cancelled at the end, so the campaign sends nothing more while other tests read the fleet
    const cancelled = await steer('cancel', 'Cancel campaign');
    assert.equal(cancelled.status, 'cancelled');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="cw-campaign-status"]')?.getAttribute('data-status') === 'cancelled',
      undefined,
      { timeout: TIMEOUT }
    );
    assert.equal(await byTestId('cw-campaign-actions').count(), 0, 'nothing to steer on a cancelled campaign');

    // the list shows it with its status
    await page.goto(`${harness.url}${APP}/firmware?tab=campaigns`);
    const listed = byTestId(`cw-firmware-campaign-${id}`);
    await listed.waitFor({ timeout: TIMEOUT });
    assert.match(await listed.textContent(), new RegExp(`Browser test ${made.version.replace(/\./g, '\\.')}`));
    assert.match(await listed.textContent(), /cancelled/);
    assert.deepEqual(consoleErrors, [], 'no uncaught errors in the page');
  });
});
