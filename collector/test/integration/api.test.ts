/** The internal HTTP API against real Redis and InfluxDB: auth, schemas, filters, metadata import. */
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

describe('internal API', () => {
  let collector: TestCollector;
  const clients: RPCClient[] = [];

  async function connect(id: string, vendor: string, model: string, status = 'Available') {
    const cp = stationClient(collector.ocppUrl, id, 'ocpp1.6');
    clients.push(cp);
    await cp.connect();
    await cp.call('BootNotification', { chargePointVendor: vendor, chargePointModel: model, firmwareVersion: '1.0' });
    await cp.call('StatusNotification', { connectorId: 1, status, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError' });
    await cp.call('StatusNotification', { connectorId: 2, status: 'Available', errorCode: 'NoError' });
    return cp;
  }

  beforeAll(async () => {
    collector = await startTestCollector();
    await connect('API-1', 'Alfen', 'Eve', 'Charging');
    await connect('API-2', 'ABB', 'Terra', 'Faulted');
    await connect('API-3', 'ABB', 'Terra');
    await clients[2]!.close();
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close({ force: true })));
    await collector.stop();
  });

  it('requires the bearer token on /api but not on health and metrics', async () => {
    expect((await fetch(`${collector.apiUrl}/api/v1/stations`)).status).toBe(401);
    const wrong = await fetch(`${collector.apiUrl}/api/v1/stations`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'Unauthorized' });
    expect((await fetch(`${collector.apiUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${collector.apiUrl}/metrics`)).status).toBe(200);
  });

  it('exposes its event-loop delay on /metrics without labels, and it moves when the loop is held', async () => {
    const text = await (await fetch(`${collector.apiUrl}/metrics`)).text();
    expect(text).toMatch(/^chargewatch_event_loop_delay_seconds_bucket\{le="0.05"\} \d+$/m);
    expect(text).toMatch(/^chargewatch_event_loop_delay_max_seconds [\d.e-]+$/m);
    expect(text).toMatch(/^chargewatch_event_loop_delay_p99_seconds [\d.e-]+$/m);
    const count = await metric(collector, 'chargewatch_event_loop_delay_seconds_count');
    // The collector runs in this process: holding this loop holds the collector's.
    const until = performance.now() + 150;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 30));
    expect(await metric(collector, 'chargewatch_event_loop_delay_max_seconds')).toBeGreaterThan(0.1);
    expect(await metric(collector, 'chargewatch_event_loop_delay_seconds_count')).toBeGreaterThan(count);
  });

  it('reports readiness of Redis and InfluxDB', async () => {
    const res = await fetch(`${collector.apiUrl}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { redis: true, influxdb: true } });
  });

  it('serves an OpenAPI document listing the routes', async () => {
    const doc = (await (await fetch(`${collector.apiUrl}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/stations', '/api/v1/stations/{id}', '/api/v1/stations/{id}/metadata', '/api/v1/fleet/summary']));
  });

  it('lists stations with filters, sorting and paging', async () => {
    const all = (await (await collector.api('/api/v1/stations?sort=id&order=desc&limit=2')).json()) as { total: number; items: Array<{ id: string }>; facets: { vendors: string[] } };
    expect(all.total).toBe(3);
    expect(all.items.map((s) => s.id)).toEqual(['API-3', 'API-2']);
    expect(all.facets.vendors).toEqual(['ABB', 'Alfen']);
    const page2 = (await (await collector.api('/api/v1/stations?sort=id&order=desc&limit=2&offset=2')).json()) as { items: Array<{ id: string }> };
    expect(page2.items.map((s) => s.id)).toEqual(['API-1']);
    const abbOnline = (await (await collector.api('/api/v1/stations?vendor=ABB&online=true')).json()) as { items: Array<{ id: string; openErrors: number }> };
    expect(abbOnline.items).toEqual([expect.objectContaining({ id: 'API-2', openErrors: 1 })]);
    const charging = (await (await collector.api('/api/v1/stations?status=Charging')).json()) as { items: Array<{ id: string }> };
    expect(charging.items.map((s) => s.id)).toEqual(['API-1']);
    const worst = (await (await collector.api('/api/v1/stations?sort=status')).json()) as { items: Array<{ id: string }> };
    expect(worst.items.map((s) => s.id)).toEqual(['API-3', 'API-2', 'API-1']);
  });

  it('answers bad queries with 400 and a message', async () => {
    const res = await collector.api('/api/v1/stations?limit=0');
    expect(res.status).toBe(400);
    expect((await res.json()) as { message: string }).toMatchObject({ error: 'Bad Request', message: expect.stringMatching(/limit/) });
    expect((await collector.api('/api/v1/stations?sort=colour')).status).toBe(400);
    const missing = await collector.api('/api/v1/stations/NOPE');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'Not Found' });
  });

  it('summarises the fleet', async () => {
    const s = (await (await collector.api('/api/v1/fleet/summary')).json()) as Record<string, any>;
    expect(s.stations).toEqual({ total: 3, online: 2, offline: 1 });
    expect(s.connectors.total).toBe(6);
    expect(s.connectors.byStatus).toEqual({ Charging: 1, Available: 2, Faulted: 1, Offline: 2 });
    expect(s.faultedNow).toBe(1);
    expect(s.availability).toBeCloseTo(3 / 6);
    expect(s.historyAvailable).toBe(true);
    const abb = (await (await collector.api('/api/v1/fleet/summary?vendor=ABB')).json()) as Record<string, any>;
    expect(abb.stations).toEqual({ total: 2, online: 1, offline: 1 });
  });

  it('sets metadata for one station and validates it', async () => {
    const put = await collector.api('/api/v1/stations/API-1/metadata', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'harbour', latitude: 51.9, longitude: 4.4, operatingHours: '24/7', tags: { owner: 'city' } }),
    });
    expect(put.status).toBe(200);
    const station = (await (await collector.api('/api/v1/stations/API-1')).json()) as Record<string, any>;
    expect(station.metadata).toEqual({ site: 'harbour', latitude: 51.9, longitude: 4.4, operatingHours: '24/7', tags: { owner: 'city' } });
    expect(station.site).toBe('harbour');
    const bad = await collector.api('/api/v1/stations/API-1/metadata', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latitude: 123 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/latitude/);
  });

  it('imports metadata in bulk from CSV, all or nothing', async () => {
    const csv = 'station_id,site,address,latitude,longitude,operating_hours,tags\nAPI-2,depot,"Main St 1, Springfield",52.1,5.1,24/7,owner=acme;tier=gold\nAPI-3,depot,,,,,\n';
    const ok = await collector.api('/api/v1/stations/metadata/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ imported: 2 });
    const s2 = (await (await collector.api('/api/v1/stations/API-2')).json()) as Record<string, any>;
    expect(s2.metadata).toMatchObject({ site: 'depot', address: 'Main St 1, Springfield', tags: { owner: 'acme', tier: 'gold' } });
    const depot = (await (await collector.api('/api/v1/stations?site=depot')).json()) as { total: number };
    expect(depot.total).toBe(2);

    const bad = 'station_id,site,latitude\nAPI-1,x,95\n,y,1\n';
    const res = await collector.api('/api/v1/stations/metadata/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: bad });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: Array<{ row: number; message: string }> };
    expect(body.problems.map((p) => p.row).sort()).toEqual([2, 3]);
    const s1 = (await (await collector.api('/api/v1/stations/API-1')).json()) as Record<string, any>;
    expect(s1.metadata.site).toBe('harbour');
  });

  it('imports metadata in bulk from JSON', async () => {
    const res = await collector.api('/api/v1/stations/metadata/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ stationId: 'NEW-9', site: 'planned', tags: { phase: 'two' } }]),
    });
    expect(res.status).toBe(200);
    const s = (await (await collector.api('/api/v1/stations/NEW-9')).json()) as Record<string, any>;
    expect(s).toMatchObject({ id: 'NEW-9', online: false, metadata: { site: 'planned', tags: { phase: 'two' } } });
  });

  it('refuses an import row the PUT route would refuse, and writes none of the rows', async () => {
    const long = 'x'.repeat(300); // address: the PUT schema allows 256 characters
    expect((await collector.api('/api/v1/stations/NEW-10/metadata', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: long }) })).status).toBe(400);
    for (const [type, body] of [
      ['application/json', JSON.stringify([{ stationId: 'NEW-10', site: 'ok' }, { stationId: 'NEW-11', address: long }])],
      ['text/csv', `station_id,site,address\nNEW-10,ok,\nNEW-11,,${long}\n`],
    ]) {
      const res = await collector.api('/api/v1/stations/metadata/import', { method: 'POST', headers: { 'content-type': type! }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { problems: Array<{ row: number; message: string }> }).problems).toEqual([{ row: type === 'text/csv' ? 3 : 2, message: expect.stringContaining('address') }]);
    }
    expect((await collector.api('/api/v1/stations/NEW-10')).status).toBe(404);
  });
});
