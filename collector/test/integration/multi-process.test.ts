/**
 * COLLECTOR_PROCESSES=2 (collector/src/cluster.ts): one `chargewatch collector` runs two collector
 * processes behind one OCPP port. Stations land on both; each process has its own collector id and API
 * port; a command submitted on either API reaches a station held by the other; SIGTERM stops all of it.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { RPCClient } from 'ocpp-rpc';
import { StationStore } from '@chargewatch/platform';
import { eventually, freePort, type ManagedProcess } from '@chargewatch/tools';
import { postJson, type ApiTarget } from '../harness/api';
import { TEST_TOKEN } from '../harness/collector';
import { spawnCollectorChild } from '../harness/collector-child';
import { metric } from '../harness/metrics';
import { stationRecorder, type Protocol, type StationRecorder } from '../harness/station-recorder';

const suffix = randomBytes(4).toString('hex');
const prefix = `cwmulti${suffix}:`;
const collectorId = `multi-${suffix}`;
const STATIONS = 8;

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** A free port whose successor is free too: the API ports of processes 0 and 1. */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p < 65535 && (await canListen(p + 1))) return p;
  }
}

interface Proc extends ApiTarget {
  apiUrl: string;
  id: string;
}

let redis: Redis;
let child: ManagedProcess;
let procs: Proc[];
let ocppUrl: string;
const clients: RPCClient[] = [];

beforeAll(async () => {
  redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 2 });
  const ports = { ocpp: await freePort(), api: await twoFreePorts() };
  ocppUrl = `ws://127.0.0.1:${ports.ocpp}/ocpp`;
  child = spawnCollectorChild('multi-process', ports, {
    COLLECTOR_PROCESSES: '2',
    // Eight stations connecting one after another to idle processes are not spread by the kernel's
    // accept (SCHED_NONE, the default); round robin puts stations on both, which the routing tests need.
    NODE_CLUSTER_SCHED_POLICY: 'rr',
    COLLECTOR_ID: collectorId,
    API_TOKEN: TEST_TOKEN,
    REDIS_PREFIX: prefix,
    INFLUX_API: 'v1',
    INFLUX_DATABASE: `cw_multi_${suffix}`,
    LOG_LEVEL: 'warn',
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: '0',
    OCPP_CONNECT_RATE_PER_ADDRESS: '0',
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: '0',
  });
  procs = [0, 1].map((i) => {
    const apiUrl = `http://127.0.0.1:${ports.api + i}`;
    return { id: `${collectorId}-${i}`, apiUrl, api: (path: string, init: RequestInit = {}) => fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers ?? {}) } }) };
  });
  await eventually(async () => {
    if (!child.running) throw new Error(`collector exited; see ${child.logFile}`);
    for (const p of procs) expect((await fetch(`${p.apiUrl}/healthz`)).ok).toBe(true);
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  if (child?.running) await child.kill();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (found.length) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
  await redis?.quit();
}, 30_000);

describe('COLLECTOR_PROCESSES=2: two collector processes behind one OCPP port', () => {
  const stations = new Map<string, StationRecorder>();
  const owner = new Map<string, string>();

  it('stations connect to one port and land on both processes, each recorded as its owner', async () => {
    for (let i = 0; i < STATIONS; i++) {
      const id = `MP-${i}`;
      const protocol: Protocol = i % 2 ? 'ocpp2.0.1' : 'ocpp1.6';
      const s = stationRecorder(id, protocol, clients);
      await s.connect(ocppUrl, () => ({ status: 'Accepted' }));
      stations.set(id, s);
    }
    const store = new StationStore(redis, prefix);
    await eventually(async () => {
      for (const s of await store.getMany([...stations.keys()])) {
        expect(procs.map((p) => p.id)).toContain(s.collectorId);
        owner.set(s.id, s.collectorId!);
      }
      expect(owner.size).toBe(STATIONS);
    });
    // Round robin over two processes: both hold stations, and each process's /metrics counts its own.
    const held = procs.map((p) => [...owner.values()].filter((o) => o === p.id).length);
    expect(held.every((n) => n > 0)).toBe(true);
    for (const [i, p] of procs.entries()) expect(await metric(p, 'chargewatch_connections_opened_total')).toBe(held[i]);
  });

  it('a command submitted on either process reaches a station held by the other, once', async () => {
    for (const [id, holder] of owner) {
      const via = procs.find((p) => p.id !== holder)!;
      const res = await postJson(via, `/api/v1/stations/${id}/commands/DataTransfer`, { vendorId: 'V', messageId: id });
      expect({ id, status: res.status, body: res.body }).toMatchObject({ id, status: 200, body: { status: 'accepted', collectorId: holder } });
    }
    for (const [id, s] of stations) expect({ id, received: s.received }).toEqual({ id, received: [`DataTransfer ${id}`] });
  });

  it('SIGTERM to the supervising process stops every collector process gracefully', async () => {
    await child.stop(30_000);
    expect(child.child.exitCode).toBe(0);
    const store = new StationStore(redis, prefix);
    // A graceful stop closes every station (1001) and records it offline.
    await eventually(async () => {
      for (const s of await store.getMany([...stations.keys()])) expect(s.online).toBe(false);
    });
    for (const p of procs) await expect(fetch(`${p.apiUrl}/healthz`)).rejects.toThrow();
  }, 60_000);
});
