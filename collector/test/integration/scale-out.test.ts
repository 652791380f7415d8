/**
 * Scale-out (issue 10, item 9): two collector processes (A, B) and one worker process on one Redis and
 * one InfluxDB database, with load on both collectors the whole time. Commands reach stations on either
 * collector, a station that moves mid-command gets each command at most once, and kill -9 of a
 * collector and of the worker under load loses no acknowledged event, no command and no job.
 *
 * The worker is killed first and its recovery checked last: BullMQ moves a dead worker's job back only
 * when its lock has expired and two stalled checks have seen it (30 s each, BullMQ's defaults, which the
 * worker does not change), and the stale-transaction sweep's own lock outlives a dead sweeper by up to
 * 60 s. The collector scenarios run in that time instead of waiting for it.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { RPCClient } from 'ocpp-rpc';
import { HOUSEKEEPING_JOBS, QUEUES, RedisKeys, bullPrefix, type ChargeEvent } from '@chargewatch/model';
import { StationStore } from '@chargewatch/platform';
import { eventually, influxQuery } from '@chargewatch/tools';
import { getJson, postJson, type ApiTarget, type Json } from '../harness/api';
import { CollectorChild } from '../harness/collector-child';
import { metric } from '../harness/metrics';
import { stationRecorder, type Protocol, type StationRecorder } from '../harness/station-recorder';
import { WorkerChild } from '../harness/worker-child';
import { ReliableFleet } from '../faults/stations';
import { verifyInInflux } from '../faults/verify';

const HOUR = 3_600_000;
/** Stale transactions for the sweep the worker is killed in: enough that a sweep takes a while. */
const STALE_STATIONS = 100;
const STALE_PER_STATION = 10;
const STALE = STALE_STATIONS * STALE_PER_STATION;

const suffix = randomBytes(4).toString('hex');
const prefix = `cwscale${suffix}:`;
const database = `cw_scale_${suffix}`;
const keys = new RedisKeys(prefix);
const bull = `${bullPrefix(prefix)}:${QUEUES.housekeeping}`;

/**
 * What every process of the deployment shares, as one env file would. The worker writes InfluxDB
 * (INFLUX_WRITER=worker), so killing it under load tests the event path too: what the collectors
 * acknowledged meanwhile waits in the journal for the restarted worker.
 */
const SHARED = {
  REDIS_PREFIX: prefix,
  INFLUX_WRITER: 'worker',
  INFLUX_API: 'v1',
  INFLUX_DATABASE: database,
  INFLUX_FLUSH_INTERVAL_MS: '100',
  TX_STALE_AFTER_SEC: '600',
  REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: '600',
  LOG_LEVEL: 'warn',
};
const collectorEnv = (id: string) => ({
  ...SHARED,
  COLLECTOR_ID: id,
  // Long enough that a command held by its station stays in flight until the test moves the station.
  OCPP_CALL_TIMEOUT_SEC: '30',
  // The worker sweeps; a collector holding the sweep lock would hide what the worker does.
  TX_STALE_SWEEP_INTERVAL_SEC: '0',
  // Every station here connects from 127.0.0.1; in the field they come from many addresses.
  OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
  OCPP_CONNECT_RATE_PER_ADDRESS: '0',
  OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
});

let redis: Redis;
let a: CollectorChild;
let b: CollectorChild;
let worker: WorkerChild;
let fleetA: ReliableFleet;
let fleetB: ReliableFleet;
const clients: RPCClient[] = [];
/** The job the worker was running when it was killed, and the stale transactions it was closing. */
let killedJob: string;
const staleTx: string[] = [];

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  a = await CollectorChild.create('collector-a', collectorEnv('collector-a'));
  b = await CollectorChild.create('collector-b', collectorEnv('collector-b'));
  worker = await WorkerChild.create('worker', {
    ...SHARED,
    WORKER_ID: 'scale-worker',
    WORKER_STALE_SWEEP_INTERVAL_SEC: '1',
    WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '1',
  });
  await Promise.all([a.start(), b.start(), worker.start()]);
  fleetA = new ReliableFleet({ url: a.ocppUrl, count: 12, prefix: 'LOAD-A', intervalMs: 150 });
  fleetB = new ReliableFleet({ url: b.ocppUrl, count: 12, prefix: 'LOAD-B', intervalMs: 150 });
  await Promise.all([fleetA.start(), fleetB.start()]);
}, 90_000);

afterAll(async () => {
  await Promise.all([fleetA?.close(), fleetB?.close()]);
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  await Promise.all([a?.kill(), b?.kill(), worker?.kill()]);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  await redis?.quit();
}, 30_000);

/** Stale transactions nobody has named for two hours, on stations that are gone. */
async function seedStaleTransactions(): Promise<void> {
  const store = new StationStore(redis, prefix);
  const t = Date.now() - 2 * HOUR;
  await Promise.all(
    Array.from({ length: STALE_STATIONS }, (_, i) => {
      const stationId = `STALE-${String(i + 1).padStart(3, '0')}`;
      const at = { stationId, time: t, receivedAt: t };
      const starts = Array.from({ length: STALE_PER_STATION }, (_, k) => {
        const transactionId = `${stationId}-tx${k + 1}`;
        staleTx.push(transactionId);
        return { ...at, type: 'transaction.started', evseId: k + 1, connectorId: 1, transactionId, idToken: { id: 'RFID-1', type: 'ISO14443' }, meterStartWh: 0, offline: false };
      });
      return store.apply([
        { ...at, type: 'connection.opened', remoteAddress: '10.0.0.1', protocol: 'ocpp1.6', collectorId: 'gone', replaced: false },
        { ...at, type: 'station.booted', vendor: 'Acme', model: 'AC22', registration: 'Accepted' },
        ...starts,
      ] as ChargeEvent[]);
    }),
  );
}

const staleLeft = () => redis.zcount(keys.txActivity(), '-inf', Date.now() - HOUR);
const submit = async (via: ApiTarget, stationId: string, name: string, body: Json) => (await postJson(via, `/api/v1/stations/${stationId}/commands/${name}?wait=0`, body)).body.id as string;
const status = async (id: string) => (await getJson(b, `/api/v1/commands/${id}`)).body;
/** Holds every Reset (it stays in flight), accepts everything else. */
const holdReset = (action: string): Promise<Json> | Json => (action === 'Reset' ? new Promise<Json>(() => undefined) : { status: 'Accepted' });
const accept = () => ({ status: 'Accepted' });

describe('two collectors and a worker on one Redis, under load', () => {
  it('kill -9 of the worker in the middle of a sweep: restarted, it runs its schedules again', async () => {
    await seedStaleTransactions();
    // The next scheduled sweep (every second) takes them all; the worker dies while it is closing them.
    await eventually(async () => expect(await staleLeft()).toBeLessThan(STALE), 20_000, 5);
    await worker.kill();
    const left = await staleLeft();
    expect(left).toBeGreaterThan(0);
    const active = await redis.lrange(`${bull}:active`, 0, -1);
    expect(active).toHaveLength(1);
    killedJob = active[0]!;
    expect(await redis.hget(`${bull}:${killedJob}`, 'name')).toBe(HOUSEKEEPING_JOBS.staleTransactionSweep);

    await worker.start();
    // Both schedules run in the new process while the killed job still waits for BullMQ's stalled check.
    await eventually(async () => {
      // The two schedules this worker has; firmware-timeouts needs DATABASE_URL, which it has not.
      for (const name of [HOUSEKEEPING_JOBS.staleTransactionSweep, HOUSEKEEPING_JOBS.registryPrune]) expect(await metric(worker, 'chargewatch_worker_jobs_total', { name, outcome: 'completed' })).toBeGreaterThan(0);
    }, 20_000);
    expect(await redis.zcard(`${bull}:failed`)).toBe(0);
  }, 60_000);

  it('a command submitted on one collector reaches stations of both OCPP versions on the other, once each', async () => {
    const placed: Array<[string, Protocol, CollectorChild, CollectorChild]> = [
      ['X-A16', 'ocpp1.6', a, b],
      ['X-A201', 'ocpp2.0.1', a, b],
      ['X-B16', 'ocpp1.6', b, a],
      ['X-B201', 'ocpp2.0.1', b, a],
    ];
    const stations = new Map<string, StationRecorder>();
    for (const [id, protocol, on] of placed) {
      const s = stationRecorder(id, protocol, clients);
      await s.connect(on.ocppUrl, accept);
      stations.set(id, s);
    }
    for (const [id, , on, via] of placed) {
      const res = await postJson(via, `/api/v1/stations/${id}/commands/DataTransfer`, { vendorId: 'V', messageId: id });
      expect({ id, status: res.status, body: res.body }).toMatchObject({ id, status: 200, body: { status: 'accepted', collectorId: on.name } });
    }
    for (const [id] of placed) expect({ id, received: stations.get(id)!.received }).toEqual({ id, received: [`DataTransfer ${id}`] });
  });

  it('a station that moves from A to B mid-command gets each command at most once, the queued one once on B', async () => {
    // A 1.6 station that loses its connection and comes back on B, and a 2.0.1 one that opens a new
    // connection on B while the old one still waits.
    for (const [id, protocol, drop] of [['MOVE-16', 'ocpp1.6', true], ['MOVE-201', 'ocpp2.0.1', false]] as const) {
      const s = stationRecorder(id, protocol, clients);
      const old = await s.connect(a.ocppUrl, holdReset);
      const reset = await submit(b, id, 'Reset', { type: 'hard' });
      await eventually(async () => expect(s.received).toEqual(['Reset']));
      const queued = await submit(b, id, 'DataTransfer', { vendorId: 'V', messageId: 'queued' });
      expect(await status(queued)).toMatchObject({ status: 'queued' });
      if (drop) await old.close({ force: true });
      await s.connect(b.ocppUrl, accept);
      await eventually(async () => expect(await status(queued)).toMatchObject({ status: 'accepted', collectorId: 'collector-b' }));
      expect(await status(reset)).toMatchObject({ status: 'interrupted', collectorId: 'collector-a' });
      expect({ id, received: s.received }).toEqual({ id, received: ['Reset', 'DataTransfer queued'] });
    }
  });

  it('kill -9 of collector A: its stations carry on on B, the commands queued for them are sent there once', async () => {
    const held: Array<{ s: StationRecorder; reset: string; queued: string[] }> = [];
    for (const [id, protocol] of [['CMD-A16', 'ocpp1.6'], ['CMD-A201', 'ocpp2.0.1']] as const) {
      const s = stationRecorder(id, protocol, clients);
      await s.connect(a.ocppUrl, holdReset);
      const reset = await submit(b, id, 'Reset', { type: 'soft' });
      await eventually(async () => expect(s.received).toEqual(['Reset']));
      held.push({ s, reset, queued: [await submit(b, id, 'DataTransfer', { vendorId: 'V', messageId: 'one' }), await submit(b, id, 'ClearCache', {})] });
    }
    const ackedBefore = fleetA.totals().acked;
    const killedAt = Date.now();
    await a.kill();
    // Behind a load balancer they would land on B by themselves; here they are pointed there.
    await Promise.all(fleetA.stations.map((s) => s.moveTo(b.ocppUrl)));
    expect(await fleetA.allAckedSince(killedAt, 30_000)).not.toBeNull();
    expect(await fleetB.allAckedSince(killedAt, 30_000)).not.toBeNull();
    expect(fleetA.totals().acked).toBeGreaterThan(ackedBefore);

    for (const { s } of held) await s.connect(b.ocppUrl, accept);
    for (const { s, reset, queued } of held) {
      for (const id of queued) await eventually(async () => expect(await status(id)).toMatchObject({ status: 'accepted', collectorId: 'collector-b' }));
      expect(await status(reset)).toMatchObject({ status: 'interrupted', collectorId: 'collector-a' });
      expect(s.received).toEqual(['Reset', 'DataTransfer one', 'ClearCache']);
    }
    // Back with the same COLLECTOR_ID: its journal consumer re-reads what it had taken but not written.
    await a.start();
  }, 60_000);

  it('the sweep the worker was killed in is recovered by BullMQ and completed; no job failed, no close lost', async () => {
    // About a minute after the kill (lock expiry, then two stalled checks), up to a check more.
    await eventually(async () => expect(await redis.zscore(`${bull}:completed`, killedJob)).not.toBeNull(), 120_000, 250);
    // Moved back to the queue once by the new process's stalled check, not re-created.
    expect(await redis.hget(`${bull}:${killedJob}`, 'stc')).toBe('1');
    expect(await metric(worker, 'chargewatch_worker_jobs_stalled_total')).toBe(1);
    // What it had not closed is closed by a later sweep, what it closed but had not journaled is journaled.
    await eventually(async () => expect({ open: await staleLeft(), closing: await redis.zcard(keys.txClosing()) }).toEqual({ open: 0, closing: 0 }), 60_000, 250);
    expect(await redis.zcard(`${bull}:failed`)).toBe(0);
    expect(await metric(worker, 'chargewatch_worker_jobs_total', { outcome: 'failed' })).toBe(0);
  }, 180_000);

  it('after the load stops, every acknowledged event is in InfluxDB exactly once, and every stale close', async () => {
    await Promise.all([fleetA.stop(10_000), fleetB.stop(10_000)]);
    await eventually(async () => expect(await redis.xlen(keys.journal())).toBe(0), 30_000, 250);
    const stations = [...fleetA.stations, ...fleetB.stations];
    const v = await verifyInInflux(process.env.TEST_INFLUX_URL!, database, stations);
    expect({ lost: v.samplesLost + v.txLost, duplicates: v.sampleDuplicates + v.txDuplicates, mismatches: v.valueMismatches, examples: v.examples }).toEqual({
      lost: 0,
      duplicates: 0,
      mismatches: 0,
      examples: [],
    });
    // The count is of what the stations had acknowledged: a dead fleet would pass the check above.
    expect(v.samplesAcked).toBeGreaterThan(stations.length * 20);
    expect(v.txAcked).toBeGreaterThan(stations.length);

    const closes = await influxQuery(process.env.TEST_INFLUX_URL!, database, `SELECT transaction_id, closed_by FROM "transaction" WHERE station_id =~ /^STALE-/ AND "event" = 'ended' GROUP BY *`);
    expect(closes.map((r) => r.transaction_id).sort()).toEqual([...staleTx].sort());
    expect(new Set(closes.map((r) => r.closed_by))).toEqual(new Set(['collector']));
  }, 60_000);
});
