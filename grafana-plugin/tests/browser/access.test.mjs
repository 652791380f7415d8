// Real-browser test of the Access page, served by the standalone harness against a REAL ChargeWatch
// collector (token registry in PostgreSQL, the worker's misuse consumer) and its simulated fleet. Needs
// CHARGEWATCH_API_URL, CHARGEWATCH_API_TOKEN and E2E_OCPP_URL; `npm test` starts that stack and runs
// this file with the other browser tests, one file at a time.
//
//   npm run test:browser
//
// As an Editor: create an account and tokens for it (a bad card UID refused before sending), search,
// block one, import a CSV with one bad row (shown, nothing written) and then without it; a station of
// our own presents the blocked card until the misuse detector opens an incident, which the feed and the
// token's drawer show and the Editor acknowledges; the stations' local lists, one resynced; a charge
// with the app id, recorded by the worker, in that token's drawer. What the page shows is compared with what the
// collector's API answers when asked directly. Names carry a per-run suffix, so reruns do not collide.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  api,
  chargeWith,
  eventually,
  ids,
  openEditorPage,
  pageHelpers,
  presentCard,
  TIMEOUT,
} from './accessHelpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// npm test sends screenshots to a temporary directory; run directly (npm run test:browser) or with
// CHARGEWATCH_WRITE_REPORTS=1 they refresh docs/screenshots.
const screenshotDir = process.env.CHARGEWATCH_SCREENSHOT_DIR ?? path.resolve(here, '../../../docs/screenshots');
const APP = '/a/chargewatch-fleet-app';
const RUN = randomBytes(3).toString('hex').toUpperCase();
const hex = (bytes) => randomBytes(bytes).toString('hex').toUpperCase();

let harness;
let browser;
let page;
/** helpers bound to `page` (accessHelpers.mjs) */
let byTestId, proxied, tableShows, choose, refresh;
const consoleErrors = [];
/** What the tests make, for the later ones. */
const made = { group: `BT-${RUN}`, card: `04${hex(6)}`, app: `BT-APP-${RUN}` };

before(async () => {
  ({ harness, browser, page } = await openEditorPage(screenshotDir, consoleErrors));
  ({ byTestId, proxied, tableShows, choose, refresh } = pageHelpers(page));
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

describe('Access page in a real browser', { timeout: 300_000 }, () => {
  test('Accounts: an Editor creates an account', async () => {
    await page.goto(`${harness.url}${APP}/access?tab=accounts`);
    await byTestId('cw-access-account-total').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    await byTestId('cw-access-new-account').click();
    const form = byTestId('cw-access-account-form');
    await form.getByTestId('cw-account-field-currency').fill('euro');
    await byTestId('cw-access-account-submit').click();
    await form.getByText(/three capital letters/).waitFor({ timeout: TIMEOUT });
    made.accountName = `Browser fleet ${RUN}`;
    await form.locator('input[type="radio"][title="Fleet"]').check();
    await form.getByTestId('cw-account-field-name').fill(made.accountName);
    await form.getByTestId('cw-account-field-currency').fill('EUR');
    await form.getByTestId('cw-account-field-billingReference').fill(`BT-${RUN}`);
    const [created] = await Promise.all([
      page.waitForResponse(proxied('editor/accounts', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-access-account-submit').click(),
    ]);
    assert.equal(created.status(), 201, `create account through the plugin proxy: ${await created.text()}`);
    made.account = await created.json();
    const direct = await api(`/accounts/${made.account.id}`);
    assert.deepEqual(
      { kind: direct.kind, name: direct.name, currency: direct.currency, billingReference: direct.billingReference },
      { kind: 'fleet', name: made.accountName, currency: 'EUR', billingReference: `BT-${RUN}` }
    );
    assert.equal(
      direct.createdBy.includes('harness'),
      true,
      `the collector names the Grafana user: ${direct.createdBy}`
    );
    await byTestId(`cw-access-account-${made.account.id}`).waitFor({ timeout: TIMEOUT });
    const accounts = await api('/accounts?limit=50');
    assert.equal(
      Number(await byTestId('cw-access-account-total').getAttribute('data-total')),
      accounts.total,
      'account total'
    );
  });

  test('Tokens: a bad UID is refused before sending; two tokens are registered, found and one blocked', async () => {
    await page.goto(`${harness.url}${APP}/access`);
    await byTestId('cw-access-token-total').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    await byTestId('cw-access-new-token').click();
    const form = byTestId('cw-access-token-form');
    let posts = 0;
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/editor/tokens') && posts++);
    await form.getByTestId('cw-token-field-uid').fill('04:A2:B3');
    await byTestId('cw-access-token-submit').click();
    await form.getByText(/must be 4, 7, 10 bytes long, not 3/).waitFor({ timeout: TIMEOUT });
    assert.equal(posts, 0, 'nothing sent for a bad UID');
    // separated lower-case bytes: the collector stores them upper-case without separators
    const spelled = made.card.toLowerCase().match(/../g).join(':');
    await form.getByTestId('cw-token-field-uid').fill(spelled);
    await form.getByText(`Stored as ${made.card}`).waitFor({ timeout: TIMEOUT });
    await choose('cw-token-account', made.accountName);
    await form.getByTestId('cw-token-field-groupId').fill(made.group);
    await form.getByTestId('cw-token-field-allowedHours').fill('Mon,Tue,Wed,Thu,Fri 06:00-22:00');
    const [created] = await Promise.all([
      page.waitForResponse(proxied('editor/tokens', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-access-token-submit').click(),
    ]);
    assert.equal(created.status(), 201, `register through the plugin proxy: ${await created.text()}`);
    made.cardToken = await created.json();
    const direct = await api(`/tokens/${made.cardToken.id}`);
    assert.deepEqual(
      {
        uid: direct.uid,
        type: direct.type,
        accountId: direct.accountId,
        groupId: direct.groupId,
        hours: direct.allowedHours,
      },
      {
        uid: made.card,
        type: 'ISO14443',
        accountId: made.account.id,
        groupId: made.group,
        hours: [{ days: [1, 2, 3, 4, 5], start: '06:00', end: '22:00' }],
      }
    );
    // the new token opens in the drawer; close it and register an app id for the same account
    await byTestId('cw-token-detail-uid').waitFor({ timeout: TIMEOUT });
    assert.equal(await byTestId('cw-token-detail-uid').textContent(), made.card);
    await page.keyboard.press('Escape');
    await byTestId('cw-access-new-token').click();
    await choose('cw-token-type', 'Central');
    await form.getByTestId('cw-token-field-uid').fill(made.app);
    await choose('cw-token-account', made.accountName);
    await form.getByTestId('cw-token-field-groupId').fill(made.group);
    const [second] = await Promise.all([
      page.waitForResponse(proxied('editor/tokens', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-access-token-submit').click(),
    ]);
    assert.equal(second.status(), 201, await second.text());
    made.appToken = await second.json();
    await page.keyboard.press('Escape');

    // search: the start of the card's id, as the collector finds it
    await byTestId('cw-access-token-search').fill(made.card.slice(0, 10).toLowerCase());
    await page.waitForURL(/q=/, { timeout: TIMEOUT });
    const found = await api(`/tokens?q=${made.card.slice(0, 10).toLowerCase()}&limit=50`);
    await tableShows(
      found.items.map((t) => t.id),
      'search results'
    );
    assert.ok(
      found.items.some((t) => t.id === made.cardToken.id),
      'the card is found'
    );
    assert.equal(
      Number(await byTestId('cw-access-token-total').getAttribute('data-total')),
      found.total,
      'search total'
    );
    // the account filter, from the URL
    await page.goto(`${harness.url}${APP}/access?accountId=${made.account.id}`);
    const mine = await api(`/tokens?accountId=${made.account.id}&limit=50`);
    assert.deepEqual(mine.items.map((t) => t.id).sort(), [made.cardToken.id, made.appToken.id].sort());
    await tableShows(
      mine.items.map((t) => t.id),
      'the account’s tokens'
    );

    // block the card after the confirmation, with a reason
    await byTestId(`cw-access-token-${made.cardToken.id}`).getByRole('button', { name: made.card }).click();
    await byTestId('cw-token-block').click();
    await page.getByLabel('Block reason').fill('browser test: card reported lost');
    const [blocked] = await Promise.all([
      page.waitForResponse(proxied(`editor/tokens/${made.cardToken.id}/block`, 'POST'), { timeout: TIMEOUT }),
      page.getByRole('button', { name: 'Block token' }).click(),
    ]);
    assert.equal(blocked.status(), 200, await blocked.text());
    assert.equal((await api(`/tokens/${made.cardToken.id}`)).status, 'Blocked', 'the collector has it blocked');
    await page.waitForFunction(
      (id) =>
        document.querySelector(`[data-testid="cw-access-token-${id}"]`)?.getAttribute('data-status') === 'Blocked',
      made.cardToken.id,
      { timeout: TIMEOUT }
    );
    await byTestId('cw-token-unblock').waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(screenshotDir, 'access-tokens.png'), fullPage: true });
  });

  test('Import: a CSV with one bad row is refused whole, then imported without it', async () => {
    const group = `BT-IMP-${RUN}`;
    const good = [`ISO15693,E004${hex(6)},${group}`, `Central,BT-IMP-APP-${RUN},${group}`];
    const bad = `ISO14443,04${hex(2)},${group}`; // 3 bytes: not an ISO 14443 UID
    await page.goto(`${harness.url}${APP}/access?groupId=${group}&import=1`);
    const panel = byTestId('cw-access-import');
    await panel.waitFor({ timeout: TIMEOUT });
    await byTestId('cw-access-import-text').fill(['type,uid,group_id', good[0], bad, good[1]].join('\n'));
    const [refused] = await Promise.all([
      page.waitForResponse(proxied('editor/tokens/import', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-access-import-submit').click(),
    ]);
    assert.equal(refused.status(), 400);
    assert.match(refused.request().headers()['content-type'], /^text\/csv/, 'sent as CSV');
    const answer = await refused.json();
    assert.deepEqual(
      answer.rows.map((r) => r.row),
      [3],
      `the collector names line 3: ${JSON.stringify(answer)}`
    );
    const problem = byTestId('cw-access-import-problem-3');
    await problem.waitFor({ timeout: TIMEOUT });
    assert.equal(await problem.textContent(), `Line 3: ${answer.rows[0].errors.join('; ')}`);
    assert.match(await byTestId('cw-access-import-problems').textContent(), /nothing was imported/);
    assert.equal((await api(`/tokens?groupId=${group}`)).total, 0, 'nothing written');

    await byTestId('cw-access-import-text').fill(['type,uid,group_id', ...good].join('\n'));
    const [ok] = await Promise.all([
      page.waitForResponse(proxied('editor/tokens/import', 'POST'), { timeout: TIMEOUT }),
      byTestId('cw-access-import-submit').click(),
    ]);
    assert.equal(ok.status(), 200, await ok.text());
    assert.deepEqual(await ok.json(), { created: 2, updated: 0 });
    assert.match(await byTestId('cw-access-import-result').textContent(), /2 created, 0 updated/);
    const imported = await api(`/tokens?groupId=${group}`);
    assert.equal(imported.total, 2);
    await tableShows(
      imported.items.map((t) => t.id),
      'the imported group'
    );
    assert.equal(Number(await byTestId('cw-access-token-total').getAttribute('data-total')), 2);

    // delete one of them after the confirmation
    const gone = imported.items.find((t) => t.type === 'Central');
    await byTestId(`cw-access-token-${gone.id}`).getByRole('button').first().click();
    await byTestId('cw-token-delete').click();
    const [deleted] = await Promise.all([
      page.waitForResponse(proxied(`editor/tokens/${gone.id}`, 'DELETE'), { timeout: TIMEOUT }),
      page.getByRole('button', { name: 'Delete token' }).click(),
    ]);
    assert.equal(deleted.status(), 204, await deleted.text());
    assert.equal((await api(`/tokens?groupId=${group}`)).total, 1, 'the collector removed it');
    await tableShows(
      imported.items.filter((t) => t.id !== gone.id).map((t) => t.id),
      'after the delete'
    );
  });

  test('Accounts and groups: the account’s tokens and the group as the collector lists them', async () => {
    await page.goto(`${harness.url}${APP}/access?tab=accounts&account=${made.account.id}&group=${made.group}`);
    const members = byTestId('cw-access-account-tokens');
    await members.waitFor({ timeout: TIMEOUT });
    const direct = await api(`/accounts/${made.account.id}/tokens`);
    assert.equal(Number(await members.getAttribute('data-total')), direct.total);
    for (const t of direct.items) {
      await members.getByTestId(`cw-access-token-${t.id}`).waitFor({ timeout: TIMEOUT });
    }
    const group = byTestId('cw-access-group-tokens');
    await group.waitFor({ timeout: TIMEOUT });
    assert.equal(Number(await group.getAttribute('data-total')), (await api(`/tokens?groupId=${made.group}`)).total);
    assert.match(await byTestId('cw-access-account-detail').textContent(), new RegExp(made.accountName));
    await page.screenshot({ path: path.join(screenshotDir, 'access-accounts.png'), fullPage: true });
  });

  test('Local lists: every station’s state as the collector lists it; an Editor resyncs one', async () => {
    await page.goto(`${harness.url}${APP}/access?tab=local-lists`);
    await byTestId('cw-access-local-list-total').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    // the worker syncs lists as stations come and tokens change: compare one refresh with the API right after
    await eventually(async () => {
      const shownPage = await refresh('viewer/local-lists');
      const direct = await api('/local-lists?limit=50&offset=0');
      const states = (p) => p.items.map((l) => `${l.stationId}:${l.state}:${l.entryCount}`);
      assert.deepEqual(states(direct), states(shownPage), 'the lists moved between the two reads');
      assert.equal(Number(await byTestId('cw-access-local-list-total').getAttribute('data-total')), direct.total);
      const rows = await page.$$eval('[data-testid="cw-access-local-lists"] tr[data-testid^="cw-local-list-"]', (trs) =>
        trs.map(
          (r) =>
            `${r.getAttribute('data-testid').slice('cw-local-list-'.length)}:${r.getAttribute('data-state')}:${r.querySelector('[data-cell="entries"]').textContent.replace(/\D/g, '')}`
        )
      );
      assert.deepEqual(rows, states(direct), 'rows, states and entry counts');
    }, 'local lists');
    // one simulated station, looked up, resynced with a Full after the confirmation
    const station = process.env.E2E_STATION_ID || 'SIM-0001';
    await page.goto(`${harness.url}${APP}/access?tab=local-lists&lstation=${encodeURIComponent(station)}`);
    const one = byTestId('cw-access-local-list-station');
    await one.getByTestId(`cw-local-list-${station}`).waitFor({ timeout: TIMEOUT });
    await one.getByTestId(`cw-local-list-resync-${station}`).click();
    await page.getByLabel(/Send the whole list/).check({ force: true });
    const [sync] = await Promise.all([
      page.waitForResponse(proxied(`editor/stations/${station}/local-list/sync`, 'POST'), { timeout: TIMEOUT }),
      page.getByRole('button', { name: 'Resync now' }).click(),
    ]);
    assert.equal(sync.status(), 202, await sync.text());
    assert.deepEqual(sync.request().postDataJSON(), { full: true });
    await page.getByText(`Resync of ${station} requested`).waitFor({ timeout: TIMEOUT });
    const after = await api(`/stations/${encodeURIComponent(station)}/local-list`);
    assert.ok(after.requestedAt, `the collector recorded the request: ${JSON.stringify(after)}`);
    await page.screenshot({ path: path.join(screenshotDir, 'access-local-lists.png') });
  });

  test('Incidents: the blocked card presented again opens an incident; the Editor acknowledges it', async (t) => {
    // three refusals of one blocked card within 10 min: the misuse rule blocked_token_retry
    const answers = await presentCard(`BT-STATION-${RUN}`, made.card, 3);
    assert.deepEqual(
      answers.map((a) => a.idTagInfo?.status),
      ['Blocked', 'Blocked', 'Blocked'],
      JSON.stringify(answers)
    );
    const masked = `****${made.card.slice(-4)}`;
    let incident;
    const deadline = Date.now() + 60_000;
    while (!incident && Date.now() < deadline) {
      const list = await api('/incidents?rule=blocked_token_retry&limit=50');
      incident = list.items.find((i) => i.token?.masked === masked);
      if (!incident) {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    assert.ok(incident, 'the misuse consumer opened a blocked_token_retry incident for the card');
    t.diagnostic(`incident ${incident.id}: ${incident.summary}`);

    await page.goto(`${harness.url}${APP}/access?tab=incidents`);
    await byTestId('cw-access-incident-total').waitFor({ timeout: TIMEOUT });
    await byTestId('cw-refresh-pause').first().click();
    // the fleet keeps opening incidents: compare one refresh with the collector asked right after it
    const feed = await eventually(async () => {
      const proxiedFeed = await refresh('viewer/incidents');
      const direct = await api('/incidents?limit=50&offset=0');
      assert.deepEqual(ids(direct), ids(proxiedFeed), 'the feed moved between the two reads');
      assert.equal(
        Number(await byTestId('cw-access-incident-total').getAttribute('data-total')),
        direct.total,
        'incident total'
      );
      const shown = await page.$$eval('tr[data-testid^="cw-access-incident-"]', (rows) =>
        rows.map((r) => r.getAttribute('data-testid').slice('cw-access-incident-'.length))
      );
      assert.deepEqual(shown, ids(direct), 'the feed in the collector’s order');
      return direct;
    }, 'incident feed');
    const row = byTestId(`cw-access-incident-${incident.id}`);
    assert.match(await row.textContent(), new RegExp(`\\*\\*\\*\\*${made.card.slice(-4)}`));
    assert.equal(
      Number(await row.locator('[data-cell="count"]').textContent()),
      feed.items.find((i) => i.id === incident.id).count
    );
    const [ack] = await Promise.all([
      page.waitForResponse(proxied(`editor/incidents/${incident.id}/acknowledge`, 'POST'), { timeout: TIMEOUT }),
      byTestId(`cw-incident-acknowledge-${incident.id}`).click(),
    ]);
    assert.equal(ack.status(), 200, await ack.text());
    const after = await api(`/incidents/${incident.id}`);
    assert.equal(after.status, 'acknowledged');
    await page.waitForFunction(
      (id) =>
        document.querySelector(`[data-testid="cw-access-incident-${id}"]`)?.getAttribute('data-status') ===
        'acknowledged',
      incident.id,
      { timeout: TIMEOUT }
    );
    await byTestId('cw-refresh-pause').first().click(); // live again for the picture
    // the first screenful: the simulated fleet opens many incidents
    await page.screenshot({ path: path.join(screenshotDir, 'access-incidents.png') });

    // the card's drawer lists the incident: the collector finds it by the card's keyed hash
    await page.goto(`${harness.url}${APP}/access?token=${made.cardToken.id}`);
    const section = byTestId('cw-access-token-incidents');
    await section.getByTestId(`cw-access-incident-${incident.id}`).waitFor({ timeout: TIMEOUT });
    const byCard = await api(`/incidents?token=${made.cardToken.id}&limit=50`);
    assert.deepEqual(
      await section
        .locator('tr[data-testid^="cw-access-incident-"]')
        .evaluateAll((rows) => rows.map((r) => r.dataset.testid.slice('cw-access-incident-'.length))),
      ids(byCard),
      'the drawer lists exactly the card’s incidents'
    );
    assert.deepEqual(consoleErrors, [], 'no uncaught errors in the page');
  });

  test('Sessions: a charge with the app id shows in its drawer, as the worker recorded it', async () => {
    const start = await chargeWith(`BT-CHARGER-${RUN}`, made.app, 7_400);
    assert.equal(start.idTagInfo?.status, 'Accepted', JSON.stringify(start));
    const recorded = await eventually(async () => {
      const page = await api(`/sessions?token=${made.appToken.id}`);
      assert.equal(page.total, 1, 'the worker recorded the session');
      assert.equal(page.items[0].active, false);
      return page.items[0];
    }, 'session recorded');
    assert.equal(recorded.energyWh, 7_400);
    assert.equal(recorded.accountId, made.account.id);
    await page.goto(`${harness.url}${APP}/access?token=${made.appToken.id}`);
    const row = byTestId(`cw-access-token-session-${recorded.id}`);
    await row.waitFor({ timeout: TIMEOUT });
    const text = await row.textContent();
    assert.match(text, new RegExp(`BT-CHARGER-${RUN}`));
    assert.match(text, /7\.4 kWh/);
    assert.match(text, /1 min/);
    assert.match(text, /Local/);
    await page.screenshot({ path: path.join(screenshotDir, 'access-token-detail.png') });
    assert.deepEqual(consoleErrors, [], 'no uncaught errors in the page');
  });
});
