/**
 * StationStore against the real Redis of the test harness. Each test works under its own key prefix,
 * so tests neither see nor clean up each other's keys.
 */
import type { ChargeEvent, ConnectorStatus } from '@chargewatch/model';
import { StationStore } from '../../src/state/station-store';
import { redisPerTest } from './redis-per-test';

const T0 = 1_700_000_000_000;
const ctx = redisPerTest('store');
let redis: typeof ctx.redis;
let prefix: string;
let store: StationStore;

beforeEach(() => {
  redis = ctx.redis;
  prefix = ctx.prefix;
  store = new StationStore(redis, prefix);
});

/** Event builders for one station; `t` is ms after T0 and is used as both time and receivedAt. */
function station(stationId: string) {
  const at = (t: number) => ({ stationId, time: T0 + t, receivedAt: T0 + t });
  return {
    opened: (t: number, collectorId = 'col-1'): ChargeEvent => ({
      ...at(t),
      type: 'connection.opened',
      remoteAddress: '10.1.2.3',
      protocol: 'ocpp2.0.1',
      collectorId,
      replaced: false,
    }),
    closed: (t: number, collectorId = 'col-1'): ChargeEvent => ({ ...at(t), type: 'connection.closed', code: 1006, reason: 'gone', collectorId }),
    booted: (t: number, extra: Partial<Extract<ChargeEvent, { type: 'station.booted' }>> = {}): ChargeEvent => ({
      ...at(t),
      type: 'station.booted',
      vendor: 'Acme',
      model: 'AC22',
      registration: 'Accepted',
      ...extra,
    }),
    heartbeat: (t: number): ChargeEvent => ({ ...at(t), type: 'station.heartbeat' }),
    status: (t: number, evseId: number, status: ConnectorStatus, errorCode = 'NoError', extra: { vendorErrorCode?: string; info?: string } = {}): ChargeEvent => ({
      ...at(t),
      type: 'connector.status',
      evseId,
      connectorId: evseId === 0 ? 0 : 1,
      status,
      errorCode,
      ...extra,
    }),
    started: (t: number, evseId: number, transactionId: string, meterStartWh?: number): ChargeEvent => ({
      ...at(t),
      type: 'transaction.started',
      evseId,
      connectorId: 1,
      transactionId,
      meterStartWh,
      idToken: { id: 'RFID-1', type: 'ISO14443' },
      offline: false,
    }),
    updated: (t: number, evseId: number, transactionId: string): ChargeEvent => ({
      ...at(t),
      type: 'transaction.updated',
      evseId,
      connectorId: 1,
      transactionId,
      chargingState: 'Charging',
      offline: false,
    }),
    ended: (t: number, evseId: number, transactionId: string): ChargeEvent => ({
      ...at(t),
      type: 'transaction.ended',
      evseId,
      connectorId: 1,
      transactionId,
      meterStopWh: 5000,
      stoppedReason: 'EVDisconnected',
      offline: false,
    }),
  };
}

describe('apply → get', () => {
  it('records connection, boot and heartbeat', async () => {
    const a = station('CP-1');
    await store.apply([
      a.opened(0),
      a.booted(100, { serialNumber: 'SN-1', firmwareVersion: '1.2.3', iccid: '8949', imsi: '2620', meterType: 'EM24', reason: 'PowerUp' }),
      a.heartbeat(200),
    ]);
    const s = await store.get('CP-1');
    expect(s).toMatchObject({
      id: 'CP-1',
      online: true,
      collectorId: 'col-1',
      protocol: 'ocpp2.0.1',
      remoteAddress: '10.1.2.3',
      connectedAt: T0,
      vendor: 'Acme',
      model: 'AC22',
      serialNumber: 'SN-1',
      firmwareVersion: '1.2.3',
      iccid: '8949',
      imsi: '2620',
      meterType: 'EM24',
      registration: 'Accepted',
      bootReason: 'PowerUp',
      lastBoot: T0 + 100,
      lastHeartbeat: T0 + 200,
      firstSeen: T0,
      lastSeen: T0 + 200,
      connectors: [],
      transactions: [],
      metadata: {},
    });
    expect(await store.exists('CP-1')).toBe(true);
  });

  it('leaves optional boot fields undefined rather than empty strings', async () => {
    const a = station('CP-1');
    await store.apply([a.booted(0)]);
    const s = (await store.get('CP-1'))!;
    for (const k of ['serialNumber', 'firmwareVersion', 'iccid', 'imsi', 'meterType', 'bootReason'] as const) expect(s[k]).toBeUndefined();
    expect(s.online).toBe(false);
  });

  it('keeps firstSeen from the first event and moves lastSeen', async () => {
    const a = station('CP-1');
    await store.apply([a.opened(0)]);
    await store.apply([a.heartbeat(5_000)]);
    const s = (await store.get('CP-1'))!;
    expect(s.firstSeen).toBe(T0);
    expect(s.lastSeen).toBe(T0 + 5_000);
  });

  it('get() of an unknown station is undefined; apply([]) writes nothing', async () => {
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.exists('nope')).toBe(false);
    await store.apply([]);
    expect(await store.listIds()).toEqual([]);
  });

  it('a later boot replaces the boot info', async () => {
    const a = station('CP-1');
    await store.apply([a.booted(0, { firmwareVersion: '1.0', serialNumber: 'SN-1' })]);
    await store.apply([a.booted(1_000, { firmwareVersion: '2.0' })]);
    const s = (await store.get('CP-1'))!;
    expect(s.firmwareVersion).toBe('2.0');
    expect(s.serialNumber).toBeUndefined();
    expect(s.lastBoot).toBe(T0 + 1_000);
  });
});

describe('connector state', () => {
  it('stores each connector, sorted by evse and connector', async () => {
    const a = station('CP-1');
    await store.apply([a.status(0, 2, 'Charging'), a.status(1, 0, 'Available'), a.status(2, 1, 'Faulted', 'GroundFailure', { vendorErrorCode: 'E42', info: 'RCD' })]);
    const s = (await store.get('CP-1'))!;
    expect(s.connectors).toEqual([
      { evseId: 0, connectorId: 0, status: 'Available', errorCode: 'NoError', since: T0 + 1 },
      { evseId: 1, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', vendorErrorCode: 'E42', info: 'RCD', since: T0 + 2 },
      { evseId: 2, connectorId: 1, status: 'Charging', errorCode: 'NoError', since: T0 },
    ]);
  });

  it('since only moves when the status or the error code changes (across apply calls)', async () => {
    const a = station('CP-1');
    const since = async () => (await store.get('CP-1'))!.connectors[0]!;
    await store.apply([a.status(1_000, 1, 'Available')]);
    expect((await since()).since).toBe(T0 + 1_000);
    await store.apply([a.status(2_000, 1, 'Available', 'NoError', { info: 'periodic' })]);
    expect(await since()).toMatchObject({ since: T0 + 1_000, info: 'periodic' }); // repeated status: same since, fresh details
    await store.apply([a.status(3_000, 1, 'Available', 'HighTemperature')]);
    expect((await since()).since).toBe(T0 + 3_000); // error code changed
    await store.apply([a.status(4_000, 1, 'Available', 'HighTemperature')]);
    expect((await since()).since).toBe(T0 + 3_000);
    await store.apply([a.status(5_000, 1, 'Charging', 'HighTemperature')]);
    expect((await since()).since).toBe(T0 + 5_000); // status changed
  });

  it('since only moves on change within one batch too', async () => {
    const a = station('CP-1');
    await store.apply([a.status(1_000, 1, 'Preparing'), a.status(2_000, 1, 'Preparing'), a.status(3_000, 1, 'Charging'), a.status(4_000, 1, 'Charging')]);
    expect((await store.get('CP-1'))!.connectors[0]).toMatchObject({ status: 'Charging', since: T0 + 3_000 });
  });

  it('since is the station time of the change, not the receive time', async () => {
    await store.apply([{ stationId: 'CP-1', time: T0 - 60_000, receivedAt: T0, type: 'connector.status', evseId: 1, connectorId: 1, status: 'Faulted', errorCode: 'OtherError' }]);
    expect((await store.get('CP-1'))!.connectors[0]!.since).toBe(T0 - 60_000);
  });
});

describe('transactions', () => {
  it('links the transaction to its connector and unlinks it at the end', async () => {
    const a = station('CP-1');
    await store.apply([a.status(0, 1, 'Preparing'), a.status(0, 2, 'Available')]);
    await store.apply([a.started(1_000, 1, 'tx-1', 1234), a.status(1_500, 1, 'Charging')]);
    let s = (await store.get('CP-1'))!;
    expect(s.connectors[0]).toMatchObject({ evseId: 1, status: 'Charging', since: T0 + 1_500, transactionId: 'tx-1' });
    expect(s.connectors[1]!.transactionId).toBeUndefined();
    expect(s.transactions).toEqual([
      { transactionId: 'tx-1', evseId: 1, connectorId: 1, startedAt: T0 + 1_000, meterStartWh: 1234, idToken: { id: 'RFID-1', type: 'ISO14443' } },
    ]);
    expect(await store.findTransaction('CP-1', 'tx-1')).toMatchObject({ transactionId: 'tx-1', meterStartWh: 1234 });

    await store.apply([a.ended(9_000, 1, 'tx-1'), a.status(9_100, 1, 'Finishing')]);
    s = (await store.get('CP-1'))!;
    expect(s.transactions).toEqual([]);
    expect(s.connectors[0]).toMatchObject({ status: 'Finishing', since: T0 + 9_100 });
    expect(s.connectors[0]!.transactionId).toBeUndefined();
    expect(await store.findTransaction('CP-1', 'tx-1')).toBeUndefined();
  });

  it('linking keeps the connector status and since', async () => {
    const a = station('CP-1');
    await store.apply([a.status(1_000, 1, 'Preparing')]);
    await store.apply([a.started(2_000, 1, 'tx-1')]);
    expect((await store.get('CP-1'))!.connectors[0]).toMatchObject({ status: 'Preparing', since: T0 + 1_000, transactionId: 'tx-1' });
  });

  it('a transaction on a connector with no status yet creates it as Unknown', async () => {
    const a = station('CP-1');
    await store.apply([a.started(2_000, 3, 'tx-1')]);
    expect((await store.get('CP-1'))!.connectors).toEqual([
      { evseId: 3, connectorId: 1, status: 'Unknown', errorCode: 'NoError', since: T0 + 2_000, transactionId: 'tx-1' },
    ]);
  });

  it('a status notification keeps the link to the running transaction', async () => {
    const a = station('CP-1');
    await store.apply([a.started(1_000, 1, 'tx-1')]);
    await store.apply([a.status(2_000, 1, 'SuspendedEV')]);
    expect((await store.get('CP-1'))!.connectors[0]).toMatchObject({ status: 'SuspendedEV', transactionId: 'tx-1' });
  });

  it('an Updated without Started opens the transaction, but never overwrites a started one', async () => {
    const a = station('CP-1');
    await store.apply([a.updated(1_000, 1, 'lost-start')]);
    let s = (await store.get('CP-1'))!;
    expect(s.transactions).toEqual([{ transactionId: 'lost-start', evseId: 1, connectorId: 1, startedAt: T0 + 1_000, startUnseen: true }]);
    expect(s.connectors[0]!.transactionId).toBe('lost-start');

    await store.apply([a.started(2_000, 2, 'tx-2', 500), a.updated(3_000, 2, 'tx-2')]);
    s = (await store.get('CP-1'))!;
    expect(s.transactions.find((t) => t.transactionId === 'tx-2')).toMatchObject({ startedAt: T0 + 2_000, meterStartWh: 500 });
  });

  it('ending one transaction leaves the other connectors linked', async () => {
    const a = station('CP-1');
    await store.apply([a.started(1_000, 1, 'tx-1'), a.started(1_000, 2, 'tx-2')]);
    await store.apply([a.ended(2_000, 1, 'tx-1')]);
    const s = (await store.get('CP-1'))!;
    expect(s.connectors.map((c) => c.transactionId)).toEqual([undefined, 'tx-2']);
    expect(s.transactions.map((t) => t.transactionId)).toEqual(['tx-2']);
  });

  it('start and end in one batch leave nothing open', async () => {
    const a = station('CP-1');
    await store.apply([a.started(1_000, 1, 'tx-1'), a.ended(2_000, 1, 'tx-1')]);
    const s = (await store.get('CP-1'))!;
    expect(s.transactions).toEqual([]);
    expect(s.connectors[0]!.transactionId).toBeUndefined();
  });
});

describe('connection ownership', () => {
  it('a close from the owning collector marks the station offline', async () => {
    const a = station('CP-1');
    await store.apply([a.opened(0, 'col-1')]);
    await store.apply([a.closed(5_000, 'col-1')]);
    const s = (await store.get('CP-1'))!;
    expect(s.online).toBe(false);
    expect(s.disconnectedAt).toBe(T0 + 5_000);
  });

  it('a late close from the previous collector after a takeover leaves the station online', async () => {
    const a = station('CP-1');
    await store.apply([a.opened(0, 'col-1')]);
    await store.apply([a.opened(1_000, 'col-2')]); // station reconnected through another instance
    await store.apply([a.closed(2_000, 'col-1')]); // old instance notices its socket died
    const s = (await store.get('CP-1'))!;
    expect(s.online).toBe(true);
    expect(s.collectorId).toBe('col-2');
    expect(s.disconnectedAt).toBeUndefined();
    expect(s.lastSeen).toBe(T0 + 2_000);
  });

  it('reconnecting marks the station online again', async () => {
    const a = station('CP-1');
    await store.apply([a.opened(0), a.closed(1_000)]);
    await store.apply([a.opened(2_000)]);
    expect((await store.get('CP-1'))!).toMatchObject({ online: true, connectedAt: T0 + 2_000 });
  });
});

describe('metadata', () => {
  it('merges fields and publishes the station id on <prefix>meta', async () => {
    const sub = redis.duplicate();
    try {
      const received: Array<[string, string]> = [];
      sub.on('message', (channel: string, message: string) => received.push([channel, message]));
      await sub.subscribe(`${prefix}meta`);

      await store.setMetadata('CP-1', { site: 'North', tags: { owner: 'acme' } });
      await store.setMetadata('CP-1', { address: 'Main St 1', latitude: 52.52, longitude: -13.4, operatingHours: '24/7' });
      await store.setMetadata('CP-1', { tags: { tier: 'gold' } });

      expect(await store.getMetadata('CP-1')).toEqual({
        site: 'North',
        address: 'Main St 1',
        latitude: 52.52,
        longitude: -13.4,
        operatingHours: '24/7',
        tags: { tier: 'gold' }, // tags are replaced as a whole
      });
      await waitFor(() => received.length >= 3);
      expect(received).toEqual([
        [`${prefix}meta`, 'CP-1'],
        [`${prefix}meta`, 'CP-1'],
        [`${prefix}meta`, 'CP-1'],
      ]);
      // A station known only by its metadata is registered and shows the metadata in its state.
      expect(await store.listIds()).toEqual(['CP-1']);
      expect((await store.get('CP-1'))!.metadata.site).toBe('North');
    } finally {
      sub.disconnect();
    }
  });

  it('an empty update still publishes and changes nothing', async () => {
    await store.setMetadata('CP-1', { site: 'North' });
    const sub = redis.duplicate();
    try {
      const received: string[] = [];
      sub.on('message', (_c: string, m: string) => received.push(m));
      await sub.subscribe(`${prefix}meta`);
      await store.setMetadata('CP-1', {});
      await waitFor(() => received.length >= 1);
      expect(received).toEqual(['CP-1']);
      expect(await store.getMetadata('CP-1')).toEqual({ site: 'North' });
    } finally {
      sub.disconnect();
    }
  });

  it('an unparsable tags value does not break reading the station', async () => {
    await store.setMetadata('CP-1', { site: 'North' });
    await redis.hset(`${prefix}station:CP-1:meta`, 'tags', '{not json');
    expect(await store.getMetadata('CP-1')).toEqual({ site: 'North' });
  });
});

describe('getMany and listIds', () => {
  it('reads many stations in the order asked, each with its own state', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `CP-${String(i).padStart(4, '0')}`);
    for (const [i, id] of ids.entries()) {
      const a = station(id);
      await store.apply([a.opened(i, i % 2 ? 'col-1' : 'col-2'), a.booted(i, { firmwareVersion: `fw-${i}` }), a.status(i, 1, i % 3 ? 'Available' : 'Charging')]);
    }
    await store.setMetadata(ids[7]!, { site: 'Seven' });
    const asked = [...ids].reverse();
    const states = await store.getMany(asked);
    expect(states.map((s) => s.id)).toEqual(asked);
    for (const s of states) {
      const i = Number(s.id.slice(3));
      expect(s.firmwareVersion).toBe(`fw-${i}`);
      expect(s.collectorId).toBe(i % 2 ? 'col-1' : 'col-2');
      expect(s.connectors).toEqual([{ evseId: 1, connectorId: 1, status: i % 3 ? 'Available' : 'Charging', errorCode: 'NoError', since: T0 + i }]);
    }
    expect(states.find((s) => s.id === ids[7])!.metadata).toEqual({ site: 'Seven' });
    expect(await store.listIds()).toEqual(ids); // sorted
  });

  it('getMany([]) is empty and an unknown id gives an empty offline state', async () => {
    expect(await store.getMany([])).toEqual([]);
    const [s] = await store.getMany(['ghost']);
    expect(s).toMatchObject({ id: 'ghost', online: false, connectors: [], transactions: [], metadata: {} });
  });

  it('does not see stations of another prefix', async () => {
    const other = new StationStore(redis, `${prefix}other:`);
    await other.apply([station('X').opened(0)]);
    await store.apply([station('Y').opened(0)]);
    expect(await store.listIds()).toEqual(['Y']);
    expect(await other.listIds()).toEqual(['X']);
    expect(await store.get('X')).toBeUndefined();
  });
});

describe('markOwnedOffline', () => {
  it("marks only this collector's online stations offline, except the given ones", async () => {
    await store.apply([station('mine-online').opened(0, 'col-1')]);
    await store.apply([station('mine-connected-now').opened(0, 'col-1')]);
    await store.apply([station('theirs').opened(0, 'col-2')]);
    await store.apply([station('mine-offline').opened(0, 'col-1'), station('mine-offline').closed(100, 'col-1')]);
    await store.apply([station('never-connected').booted(0)]);

    const n = await store.markOwnedOffline('col-1', new Set(['mine-connected-now']), T0 + 99_000);
    expect(n).toBe(1);
    const byId = Object.fromEntries((await store.getMany(await store.listIds())).map((s) => [s.id, s]));
    expect(byId['mine-online']).toMatchObject({ online: false, disconnectedAt: T0 + 99_000, collectorId: 'col-1' });
    expect(byId['mine-connected-now']).toMatchObject({ online: true });
    expect(byId['mine-connected-now']!.disconnectedAt).toBeUndefined();
    expect(byId.theirs).toMatchObject({ online: true, collectorId: 'col-2' });
    expect(byId['mine-offline']).toMatchObject({ online: false, disconnectedAt: T0 + 100 });
    expect(byId['never-connected']).toMatchObject({ online: false });
    expect(byId['never-connected']!.disconnectedAt).toBeUndefined();

    // Nothing left to do the second time.
    expect(await store.markOwnedOffline('col-1', new Set(), T0 + 100_000)).toBe(1); // mine-connected-now
    expect(await store.markOwnedOffline('col-1', new Set(), T0 + 101_000)).toBe(0);
  });
});

describe('allocateTransactionId', () => {
  it('strictly increases, also under concurrency and across store instances', async () => {
    const seq: number[] = [];
    for (let i = 0; i < 5; i++) seq.push(await store.allocateTransactionId());
    for (let i = 1; i < seq.length; i++) expect(seq[i]!).toBeGreaterThan(seq[i - 1]!);
    expect(Number.isInteger(seq[0])).toBe(true);
    expect(seq[0]).toBeGreaterThan(0);

    const second = new StationStore(redis, prefix); // another collector sharing the deployment
    const concurrent = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? store : second).allocateTransactionId()));
    expect(new Set(concurrent).size).toBe(100);
    expect(Math.min(...concurrent)).toBeGreaterThan(seq[seq.length - 1]!);
    const after = await second.allocateTransactionId();
    expect(after).toBeGreaterThan(Math.max(...concurrent));
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
