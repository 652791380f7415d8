/**
 * An acknowledged call whose line InfluxDB refuses (here a field type conflict an operator created by
 * hand) is not lost: it is counted exactly, waits in the dead-letter stream with InfluxDB's reason,
 * is listed by the API, stays there while InfluxDB still refuses it, and is written and removed by a
 * replay once the cause is fixed. Real Redis, InfluxDB 1.6 and an in-process collector.
 */
import { eventually, influxQuery } from '@chargewatch/tools';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

let collector: TestCollector;
const influx = () => process.env.TEST_INFLUX_URL!;
const q = (query: string) => fetch(`${influx()}/query?${new URLSearchParams({ db: collector.database, q: query })}`, { method: 'POST' });

beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(async () => collector?.stop());

interface Page {
  total: number;
  items: Array<{ id: string; at: string; reason: string; line: string }>;
}

it('keeps a refused line with its reason, lists it, and replays it once InfluxDB takes it', async () => {
  // firmware_version first written as a number: the collector's string field now conflicts.
  await eventually(async () => expect((await fetch(`${influx()}/write?db=${collector.database}&precision=ms`, { method: 'POST', body: `boot,station_id=OTHER firmware_version=1 ${Date.now() - 60_000}` })).status).toBe(204));
  const cp = stationClient(collector.ocppUrl, 'DL-1', 'ocpp1.6');
  await cp.connect();
  const boot = (await cp.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M', firmwareVersion: '2.1.0' })) as { status: string };
  await cp.close({ force: true });
  expect(boot.status).toBe('Accepted');

  let page!: Page;
  await eventually(async () => {
    page = (await (await collector.api('/api/v1/deadletters/influx')).json()) as Page;
    expect(page.total).toBe(1);
  }, 15_000);
  expect(page.items[0]!.line).toMatch(/^boot,.*station_id=DL-1.*firmware_version="2\.1\.0"/);
  expect(page.items[0]!.reason).toMatch(/field type conflict/);
  expect(await metric(collector, 'chargewatch_influx_points_rejected_total')).toBe(1);
  expect(await metric(collector, 'chargewatch_influx_deadletters')).toBe(1);
  // The journal entry was acknowledged: nothing waits for InfluxDB any more.
  await eventually(async () => expect((await collector.journal.backlog()).entries).toBe(0));

  const again = (await (await collector.api('/api/v1/deadletters/influx/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as Record<string, number>;
  expect(again).toEqual({ replayed: 1, written: 0, stillRejected: 1 });

  // The operator fixes the cause (here: drops the conflicting measurement) and replays.
  expect((await q('DROP MEASUREMENT boot')).status).toBe(200);
  const fixed = (await (await collector.api('/api/v1/deadletters/influx/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [page.items[0]!.id] }) })).json()) as Record<string, number>;
  expect(fixed).toEqual({ replayed: 1, written: 1, stillRejected: 0 });
  expect(await influxQuery(influx(), collector.database, `SELECT firmware_version FROM boot WHERE station_id = 'DL-1'`)).toEqual([expect.objectContaining({ firmware_version: '2.1.0' })]);
  expect(((await (await collector.api('/api/v1/deadletters/influx')).json()) as Page).total).toBe(0);
});

it('refuses malformed ids and paging, deletes one letter, and needs the admin role', async () => {
  expect((await collector.api('/api/v1/deadletters/influx?before=x')).status).toBe(400);
  expect((await collector.api('/api/v1/deadletters/influx/1-1', { method: 'DELETE' })).status).toBe(404);
  expect((await collector.api('/api/v1/deadletters/influx/x', { method: 'DELETE' })).status).toBe(400);
  expect((await collector.api('/api/v1/deadletters/influx', { headers: { 'x-chargewatch-role': 'editor' } })).status).toBe(403);
  expect((await fetch(`${collector.apiUrl}/api/v1/deadletters/influx`)).status).toBe(401);
});
