/**
 * The API's fleet index against a real Redis, fed through StationStore's own write paths: its summary
 * equals a full recount after random state changes, cursor paging lists every station exactly once
 * while others are added, and filters select what a scan would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Redis from 'ioredis';
import { availabilityClass, isFaulted, isStationLevelConnector, reportedStatus, type ChargeEvent, type ConnectorStatus } from '@chargewatch/model';
import { StationStore, type StationState } from '@chargewatch/platform';
import { startRedis, type Service } from '@chargewatch/tools';
import { StationQuery } from '../../src/api/station-query';

const STATUSES: ConnectorStatus[] = ['Available', 'Charging', 'Faulted', 'Unavailable', 'Preparing'];
let dir: string;
let redis: Service;
let client: Redis;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-fleet-index-'));
  redis = await startRedis(dir, { appendOnly: false });
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client.quit();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

const at = (stationId: string) => ({ stationId, time: Date.now(), receivedAt: Date.now() });
const ev = {
  opened: (id: string): ChargeEvent => ({ ...at(id), type: 'connection.opened', remoteAddress: '10.0.0.1', protocol: 'ocpp1.6', collectorId: 'c1', replaced: false }),
  closed: (id: string): ChargeEvent => ({ ...at(id), type: 'connection.closed', code: 1000, reason: '', collectorId: 'c1' }),
  booted: (id: string, vendor: string): ChargeEvent => ({ ...at(id), type: 'station.booted', vendor, model: 'M', firmwareVersion: '1', registration: 'Accepted' }),
  status: (id: string, evseId: number, status: ConnectorStatus): ChargeEvent => ({ ...at(id), type: 'connector.status', evseId, connectorId: evseId === 0 ? 0 : 1, status, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError' }),
};

/** The summary the old route computed: a scan over every station's full state. */
function recount(states: StationState[]) {
  const byStatus: Record<string, number> = {};
  const t = { stations: states.length, online: 0, outlets: 0, working: 0, down: 0, uncounted: 0, faulted: 0, active: 0 };
  for (const s of states) {
    if (s.online) t.online++;
    t.active += s.transactions.length;
    for (const c of s.connectors.filter((x) => !isStationLevelConnector(x.evseId))) {
      t.outlets++;
      const st = reportedStatus(c.status, s.online);
      byStatus[st] = (byStatus[st] ?? 0) + 1;
      t[availabilityClass(c.status, s.online)]++;
      if (s.online && isFaulted(c.status)) t.faulted++;
    }
  }
  return { ...t, byStatus };
}

const change = fc.record({
  station: fc.integer({ min: 0, max: 11 }),
  kind: fc.constantFrom('open', 'close', 'boot', 'status', 'site'),
  evse: fc.integer({ min: 0, max: 2 }),
  status: fc.constantFrom(...STATUSES),
  vendor: fc.constantFrom('Acme', 'Bolt'),
  site: fc.constantFrom('North', 'South', ''),
});

describe('fleet index over real Redis', () => {
  it('summary equals a full recount after random state changes, also filtered', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 15 }), { minLength: 1, maxLength: 4 }), async (rounds) => {
        const store = new StationStore(client, `cwfi${++n}:`);
        const query = new StationQuery(store, 60_000);
        for (const round of rounds) {
          for (const c of round) {
            const id = `FI-${c.station}`;
            if (c.kind === 'open') await store.apply([ev.opened(id)]);
            else if (c.kind === 'close') await store.apply([ev.closed(id)]);
            else if (c.kind === 'boot') await store.apply([ev.booted(id, c.vendor)]);
            else if (c.kind === 'status') await store.apply([ev.status(id, c.evse, c.status)]);
            else await store.setMetadata(id, { site: c.site });
          }
          query.invalidate();
          await query.index.fresh();
          const states = await store.getMany(await store.listIds());
          const { totals } = await query.index.summary({});
          expect(totals).toEqual(recount(states));
          const north = await query.index.summary({ site: 'North' });
          expect(north.totals).toEqual(recount(states.filter((s) => s.metadata.site === 'North')));
          expect(north.ids!.sort()).toEqual(states.filter((s) => s.metadata.site === 'North').map((s) => s.id).sort());
        }
      }),
      { numRuns: 25 },
    );
  });

  it('cursor paging lists every station exactly once while others are added, and filters match a scan', async () => {
    const store = new StationStore(client, `cwfi${++n}:`);
    const ids = Array.from({ length: 120 }, (_, i) => `PG-${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) {
      await store.apply([ev.opened(id), ev.booted(id, i % 3 ? 'Acme' : 'Bolt'), ev.status(id, 1, STATUSES[i % STATUSES.length]!)]);
    }
    const query = new StationQuery(store, 60_000);
    for (const sort of ['id', 'vendor', 'status'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let added = 0;
        do {
          const page = await query.list({}, sort, order, 13, 0, cursor);
          seen.push(...page.items.map((s) => s.id));
          cursor = page.nextCursor ?? undefined;
          // Someone boots a new station between two pages; the index sees it at the next page.
          const id = `PG-new-${sort}-${order}-${added++}`;
          await store.apply([ev.opened(id), ev.booted(id, 'Acme'), ev.status(id, 1, 'Available')]);
          query.invalidate();
        } while (cursor);
        const original = seen.filter((id) => !id.startsWith('PG-new'));
        expect(original.sort()).toEqual(ids);
        expect(new Set(seen).size).toBe(seen.length);
      }
    }
    const all = await store.getMany(await store.listIds());
    const bolt = await query.list({ vendor: 'Bolt', status: 'Charging' }, 'id', 'asc', 1000, 0);
    const expected = all.filter((s) => s.vendor === 'Bolt' && s.connectors.some((c) => c.status === 'Charging')).map((s) => s.id).sort();
    expect(bolt.items.map((s) => s.id)).toEqual(expected);
    expect(bolt.total).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('a refresh with many changed stations (orders rebuilt in one pass) lists what a fresh load lists', async () => {
    const store = new StationStore(client, `cwfi${++n}:`);
    const ids = Array.from({ length: 90 }, (_, i) => `MB-${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await store.apply([ev.opened(id), ev.booted(id, i % 2 ? 'Acme' : 'Bolt'), ev.status(id, 1, STATUSES[i % STATUSES.length]!)]);
    const query = new StationQuery(store, 60_000);
    await query.index.fresh();
    // 60 stations change at once (more than the batch threshold), some in several fields, some removed.
    for (const [i, id] of ids.slice(0, 60).entries()) {
      if (i % 3 === 0) await store.apply([ev.status(id, 1, STATUSES[(i + 2) % STATUSES.length]!)]);
      else if (i % 3 === 1) await store.apply([ev.booted(id, 'Zed'), ev.closed(id)]);
      else await store.setMetadata(id, { site: `S${i % 4}` });
    }
    for (let i = 0; i < 20; i++) await store.apply([ev.opened(`MB-new-${i}`), ev.booted(`MB-new-${i}`, 'Acme')]);
    query.invalidate();
    await query.index.fresh();
    const loaded = new StationQuery(store, 60_000);
    for (const sort of ['id', 'vendor', 'status', 'site', 'lastHeartbeat'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const a = await query.list({}, sort, order, 1000, 0);
        const b = await loaded.list({}, sort, order, 1000, 0);
        expect(a.items.map((x) => x.id)).toEqual(b.items.map((x) => x.id));
        expect(a.total).toBe(110);
      }
    }
    expect(await query.index.summary({})).toEqual(await loaded.index.summary({}));
  });
});
