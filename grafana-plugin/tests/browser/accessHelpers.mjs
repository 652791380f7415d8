// Helpers of the Access page's browser test (access.test.mjs): the collector's API asked directly, a
// 1.6 station of the test's own, retries for live data, the harness and browser, and page helpers bound
// to one Playwright page.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { startServer } from '../../standalone/server.mjs';

export const TIMEOUT = 20_000;

/**
 * The harness signed in as a Grafana Editor (the access write routes' reqRole) and one Chromium page;
 * fails without the stack's environment. Uncaught page errors go to `consoleErrors`.
 */
export async function openEditorPage(screenshotDir, consoleErrors) {
  const missing = ['CHARGEWATCH_API_URL', 'CHARGEWATCH_API_TOKEN', 'E2E_OCPP_URL'].filter((k) => !process.env[k]);
  if (missing.length) {
    throw new Error(
      `The access browser test needs a running ChargeWatch stack. Missing environment: ${missing.join(', ')}.`
    );
  }
  await mkdir(screenshotDir, { recursive: true });
  const harness = await startServer({ port: 0, build: 'if-missing', role: 'Editor' });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  return { harness, browser, page };
}

/** The collector's API, asked directly with the stack's token; fails the test on an error status. */
export async function api(pathAndQuery, { method = 'GET', body } = {}) {
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

export const ids = (p) => p.items.map((x) => x.id);

/** Retries `check` a few times: live data moves between two reads. */
export async function eventually(check, label) {
  let last;
  for (let i = 0; i < 6; i++) {
    try {
      return await check(i);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 500 + i * 500));
    }
  }
  last.message = `${label}: still failing after 6 attempts: ${last.message}`;
  throw last;
}

/** A 1.6 station `identity` of our own: boots, then presents `idTag` `times` times; resolves with the answers. */
export async function presentCard(identity, idTag, times) {
  return asStation(identity, async (call) => {
    const answers = [];
    for (let i = 0; i < times; i++) {
      answers.push(await call('Authorize', { idTag }));
    }
    return answers;
  });
}

/** A charge of `wh` with `idTag` at a 1.6 station of our own, ended a minute later; the StartTransaction answer. */
export async function chargeWith(identity, idTag, wh) {
  return asStation(identity, async (call) => {
    const at = (msAgo) => new Date(Date.now() - msAgo).toISOString();
    const start = await call('StartTransaction', { connectorId: 1, idTag, meterStart: 1000, timestamp: at(120_000) });
    await call('StopTransaction', {
      transactionId: start.transactionId,
      idTag,
      meterStop: 1000 + wh,
      timestamp: at(60_000),
      reason: 'Local',
    });
    return start;
  });
}

/** A plain 1.6 station for one errand: boots, runs `errand(call)`, closes. */
async function asStation(identity, errand) {
  const ws = new WebSocket(`${process.env.E2E_OCPP_URL.replace(/\/+$/, '')}/${identity}`, 'ocpp1.6');
  const pending = new Map();
  ws.on('message', (raw) => {
    const [kind, id, payload] = JSON.parse(String(raw));
    if (kind === 3 || kind === 4) {
      pending.get(id)?.(kind === 3 ? payload : { error: payload });
    } else if (kind === 2) {
      ws.send(JSON.stringify([4, id, 'NotImplemented', 'test station', {}]));
    }
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let seq = 0;
  const call = (action, payload) =>
    new Promise((resolve) => {
      const id = `bt-${++seq}`;
      pending.set(id, resolve);
      ws.send(JSON.stringify([2, id, action, payload]));
    });
  try {
    await call('BootNotification', { chargePointVendor: 'BrowserTest', chargePointModel: 'Access' });
    return await errand(call);
  } finally {
    ws.close();
  }
}

/** Helpers bound to one page. */
export function pageHelpers(page) {
  const byTestId = (id) => page.getByTestId(id);
  const proxied =
    (suffix, method = 'GET') =>
    (r) =>
      r.url().includes(`/api/plugin-proxy/chargewatch-fleet-app/${suffix}`) && r.request().method() === method;
  const rowIds = () =>
    page.$$eval('[data-testid="cw-access-token-table"] tbody tr[data-testid]', (rows) =>
      rows.map((r) => r.getAttribute('data-testid').slice('cw-access-token-'.length))
    );
  return {
    byTestId,
    proxied,
    rowIds,
    /** Waits until the token table shows exactly `want`, in the collector's order. */
    async tableShows(want, label) {
      await page
        .waitForFunction(
          (w) =>
            JSON.stringify(
              [...document.querySelectorAll('[data-testid="cw-access-token-table"] tbody tr[data-testid]')].map((r) =>
                r.getAttribute('data-testid').slice('cw-access-token-'.length)
              )
            ) === JSON.stringify(w),
          want,
          { timeout: TIMEOUT }
        )
        .catch(async () => assert.deepEqual(await rowIds(), want, label));
    },
    /** Picks `text` in the Grafana Select whose input has `id`. */
    async choose(id, text) {
      await page.locator(`#${id}`).fill(text);
      await page.getByTestId('data-testid Select option').filter({ hasText: text }).first().click();
    },
    /** Clicks the page's Refresh (auto-refresh paused) and waits for the answer of `suffix`. */
    async refresh(suffix) {
      const [res] = await Promise.all([
        page.waitForResponse((r) => proxied(suffix)(r) && r.status() === 200, { timeout: TIMEOUT }),
        byTestId('cw-refresh-now').first().click(),
      ]);
      const body = await res.json();
      await page.waitForTimeout(200); // let React render what arrived
      return body;
    },
  };
}
