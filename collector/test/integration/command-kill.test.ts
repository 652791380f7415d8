/**
 * kill -9 of a collector with commands in flight and queued (a real child process, running the
 * collector from source, beside an in-process collector on the same Redis): the command on the wire
 * ends interrupted and is never sent again; the queued ones wait for the station's next collector and
 * are sent there once each, in order.
 */
import { randomBytes } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';
import { ManagedProcess, eventually, freePort } from '@chargewatch/tools';
import { TEST_TOKEN, startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';
import { stationRecorder } from '../harness/station-recorder';
import { spawnCollectorChild } from '../harness/collector-child';

const prefix = `cwkill${randomBytes(4).toString('hex')}:`;
let survivor: TestCollector;
let child: ManagedProcess;
let childOcppUrl: string;
const clients: RPCClient[] = [];

beforeAll(async () => {
  survivor = await startTestCollector({ REDIS_PREFIX: prefix, COLLECTOR_ID: 'survivor', OCPP_CALL_TIMEOUT_SEC: '5' });
  const [ocppPort, apiPort] = [await freePort(), await freePort()];
  childOcppUrl = `ws://127.0.0.1:${ocppPort}/ocpp`;
  child = spawnCollectorChild('collector-killed', { ocpp: ocppPort, api: apiPort }, {
    API_TOKEN: TEST_TOKEN,
    REDIS_PREFIX: prefix,
    INFLUX_DATABASE: survivor.database,
    COLLECTOR_ID: 'doomed',
    OCPP_CALL_TIMEOUT_SEC: '30',
    LOG_LEVEL: 'warn',
  });
  await eventually(async () => {
    if (!child.running) throw new Error(`collector exited; see ${child.logFile}`);
    expect((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).ok).toBe(true);
  }, 60_000);
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  await child?.kill();
  await survivor?.stop();
});

it('kill -9 mid-command: the in-flight command ends interrupted, the queued ones are sent once each on the next collector', async () => {
  const station = stationRecorder('KILL-1', 'ocpp1.6', clients);
  const first = await station.connect(childOcppUrl, (action) => (action === 'Reset' ? new Promise<Json>(() => undefined) : { status: 'Accepted' }));
  const submit = async (name: string, body: unknown) => (await postJson(survivor, `/api/v1/stations/KILL-1/commands/${name}?wait=0`, body)).body.id as string;
  const reset = await submit('Reset', { type: 'soft' });
  await eventually(async () => expect(station.received).toEqual(['Reset']));
  const queued = [await submit('DataTransfer', { vendorId: 'V', messageId: 'one' }), await submit('DataTransfer', { vendorId: 'V', messageId: 'two' }), await submit('ClearCache', {})];
  expect((await getJson(survivor, `/api/v1/commands/${reset}`)).body).toMatchObject({ status: 'sending', collectorId: 'doomed' });

  child.signal('SIGKILL');
  await child.waitExit();
  await eventually(async () => expect(first.state).toBe(3 /* CLOSED */));

  // The station comes back, to the other collector; everything queued is sent there.
  await station.connect(survivor.ocppUrl, () => ({ status: 'Accepted' }));
  for (const id of queued) await eventually(async () => expect((await getJson(survivor, `/api/v1/commands/${id}`)).body).toMatchObject({ status: 'accepted', collectorId: 'survivor' }));
  expect((await getJson(survivor, `/api/v1/commands/${reset}`)).body).toMatchObject({ status: 'interrupted', collectorId: 'doomed' });
  expect(station.received).toEqual(['Reset', 'DataTransfer one', 'DataTransfer two', 'ClearCache']);
  const history = (await getJson(survivor, '/api/v1/stations/KILL-1/commands')).body;
  expect(history.total).toBe(4);
});
