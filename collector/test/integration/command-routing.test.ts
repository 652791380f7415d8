/**
 * Commands across two collectors on one Redis (real Redis and InfluxDB, both collectors in-process):
 * a command submitted through either API reaches the station on whichever collector holds it, one call
 * at a time, once; an offline station gets it when it reconnects anywhere; a station that moves
 * mid-command gets the next one once and the one it had ends interrupted.
 */
import { randomBytes } from 'node:crypto';
import type { RPCClient } from 'ocpp-rpc';
import { LogAuditLog, silentLogger } from '@chargewatch/platform';
import { PROFILES, SimulatedStation, eventually } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson as get, postJson as post, type Json } from '../harness/api';
import { metric } from '../harness/metrics';
import { stationClient } from '../harness/station-client';

let a: TestCollector;
let b: TestCollector;
const auditA = new LogAuditLog(silentLogger);
const clients: RPCClient[] = [];
const simulated: SimulatedStation[] = [];

/** A station that records every command it receives; `answer` decides each reply. */
async function station(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', on: TestCollector, answer?: (action: string, params: Json) => Promise<Json> | Json) {
  const received: Array<{ action: string; params: Json }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = stationClient(on.ocppUrl, id, protocol);
  clients.push(client);
  client.handle(async ({ method = '', params = {} }: { method?: string; params?: Json }) => {
    received.push({ action: method, params });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return answer ? await answer(method, params) : { status: 'Accepted' };
    } finally {
      inFlight--;
    }
  });
  await client.connect();
  const boot = protocol === 'ocpp1.6' ? { chargePointVendor: 'V', chargePointModel: 'M' } : { reason: 'PowerUp', chargingStation: { vendorName: 'V', model: 'M' } };
  await client.call('BootNotification', boot);
  return { client, received, maxInFlight: () => maxInFlight };
}

beforeAll(async () => {
  const shared = { REDIS_PREFIX: `cwcmd${randomBytes(4).toString('hex')}:`, OCPP_CALL_TIMEOUT_SEC: '3' };
  a = await startTestCollector({ ...shared, COLLECTOR_ID: 'collector-a' }, { audit: auditA });
  b = await startTestCollector({ ...shared, COLLECTOR_ID: 'collector-b' });
});

afterAll(async () => {
  await Promise.all(simulated.map((s) => s.stop()));
  await Promise.all(clients.map((c) => c.close({ force: true }).catch(() => undefined)));
  await Promise.all([a.stop(), b.stop()]);
});

describe('command routing across collectors', () => {
  it('a command submitted on one collector reaches a 1.6 station on the other, and the answer comes back', async () => {
    const s = await station('R16', 'ocpp1.6', a);
    const res = await post(b, '/api/v1/stations/R16/commands/Reset', { type: 'hard' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stationId: 'R16', name: 'Reset', status: 'accepted', collectorId: 'collector-a', protocol: 'ocpp1.6', action: 'Reset', result: { status: 'accepted' } });
    expect(s.received).toEqual([{ action: 'Reset', params: { type: 'Hard' } }]);
    expect((await get(a, `/api/v1/commands/${res.body.id}`)).body).toMatchObject({ id: res.body.id, status: 'accepted' });
  });

  it('and a 2.0.1 station on the first collector the other way round', async () => {
    const s = await station('R201', 'ocpp2.0.1', b, () => ({ status: 'Rejected', statusInfo: { reasonCode: 'TxInProgress' } }));
    const res = await post(a, '/api/v1/stations/R201/commands/ChangeAvailability', { availability: 'inoperative', evseId: 1 });
    expect(res.body).toMatchObject({ status: 'rejected', collectorId: 'collector-b', result: { reason: 'station answered Rejected (TxInProgress)' } });
    expect(s.received).toEqual([{ action: 'ChangeAvailability', params: { operationalStatus: 'Inoperative', evse: { id: 1 } } }]);
  });

  it('simulated stations of both versions, one on each collector, carry out commands submitted on the other', async () => {
    const start = async (id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', on: TestCollector) => {
      const profile = PROFILES[0]!;
      const s = new SimulatedStation({
        identity: { stationId: id, protocol, profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: 'SN1', meterSerialNumber: 'M1', connectors: 2, seed: 1 },
        url: on.ocppUrl,
        speed: 50,
        autoSessions: false,
        faultProbability: 0,
        disconnectProbability: 0,
      });
      simulated.push(s);
      await s.start();
      await s.whenAccepted();
      return s;
    };
    const [s16, s201] = [await start('SIMA16', 'ocpp1.6', a), await start('SIMB201', 'ocpp2.0.1', b)];
    for (const [sim, id, via, owner] of [[s16, 'SIMA16', b, 'collector-a'], [s201, 'SIMB201', a, 'collector-b']] as const) {
      const res = await post(via, `/api/v1/stations/${id}/commands/SetSettings`, {
        settings: [sim === s16 ? { key: 'HeartbeatInterval', value: '42' } : { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, value: '42' }],
      });
      expect(res.body).toMatchObject({ status: 'accepted', collectorId: owner });
      expect(sim.heartbeatIntervalSec).toBe(42);
      expect((await post(via, `/api/v1/stations/${id}/commands/ChangeAvailability`, { availability: 'inoperative', evseId: 2 })).body.status).toBe('accepted');
      await eventually(async () => expect(sim.connectors[1]!.status).toBe('Unavailable'));
    }
  });

  it('a command for an offline station waits and is sent once it reconnects, to the other collector', async () => {
    const first = await station('OFF1', 'ocpp1.6', a);
    await first.client.close();
    await offline(a, 'OFF1');
    // A parameterless command may come without a body.
    const res = await b.api('/api/v1/stations/OFF1/commands/ClearCache?wait=0', { method: 'POST' });
    expect(res.status).toBe(202);
    const queued = (await res.json()) as Json;
    expect(queued).toMatchObject({ status: 'queued', waitForConnection: true });
    expect(res.headers.get('location')).toBe(`/api/v1/commands/${queued.id}`);
    const again = await station('OFF1', 'ocpp1.6', b);
    await eventually(async () => expect((await get(a, `/api/v1/commands/${queued.id}`)).body).toMatchObject({ status: 'accepted', collectorId: 'collector-b' }));
    expect(again.received).toEqual([{ action: 'ClearCache', params: {} }]);
    expect(first.received).toEqual([]);
  });

  it('fails fast as offline when asked not to wait, and ends offline at the deadline otherwise', async () => {
    const s = await station('OFF2', 'ocpp2.0.1', a);
    await s.client.close();
    await offline(a, 'OFF2');
    const fast = await post(a, '/api/v1/stations/OFF2/commands/Reset?waitForConnection=false', { type: 'soft' });
    expect(fast.status).toBe(200);
    expect(fast.body).toMatchObject({ status: 'offline', result: { status: 'offline', reason: 'the station is not connected' } });
    const t0 = Date.now();
    const late = await post(b, '/api/v1/stations/OFF2/commands/Reset?deadline=1&wait=10', { type: 'soft' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ status: 'offline', result: { reason: 'the station did not connect before the deadline' } });
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('sends one call at a time per station, every command once', async () => {
    const s = await station('SEQ', 'ocpp1.6', b, async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { status: 'Accepted' };
    });
    const submitted = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? a : b, '/api/v1/stations/SEQ/commands/TriggerMessage?wait=0', { message: 'heartbeat' })));
    const ids = submitted.map((r) => r.body.id as string);
    await eventually(async () => {
      const done = await Promise.all(ids.map((id) => get(a, `/api/v1/commands/${id}`)));
      expect(done.map((r) => r.body.status)).toEqual(ids.map(() => 'accepted'));
    });
    expect(s.received).toHaveLength(12);
    expect(s.maxInFlight()).toBe(1);
  });

  it('a station that moves collectors mid-command: the one on the wire ends interrupted, the next is sent once on the new collector', async () => {
    let answerReset!: () => void;
    const old = await station('MOVE', 'ocpp2.0.1', a, (action) => (action === 'Reset' ? new Promise((r) => (answerReset = () => r({ status: 'Accepted' }))) : { status: 'Accepted' }));
    const reset = (await post(b, '/api/v1/stations/MOVE/commands/Reset?wait=0', { type: 'hard' })).body;
    const transfer = (await post(b, '/api/v1/stations/MOVE/commands/DataTransfer?wait=0', { vendorId: 'V', messageId: 'Echo', data: 'x' })).body;
    await eventually(async () => expect(old.received.map((r) => r.action)).toEqual(['Reset']));
    // The station opens a new connection to the other collector while the old one still waits.
    const moved = await station('MOVE', 'ocpp2.0.1', b);
    await eventually(async () => expect((await get(a, `/api/v1/commands/${transfer.id}`)).body).toMatchObject({ status: 'accepted', collectorId: 'collector-b' }));
    expect((await get(a, `/api/v1/commands/${reset.id}`)).body).toMatchObject({ status: 'interrupted', collectorId: 'collector-a' });
    // The late answer on the old connection changes nothing; nothing was sent twice.
    answerReset();
    await new Promise((r) => setTimeout(r, 300));
    expect((await get(b, `/api/v1/commands/${reset.id}`)).body.status).toBe('interrupted');
    expect(old.received.map((r) => r.action)).toEqual(['Reset']);
    expect(moved.received.map((r) => r.action)).toEqual(['DataTransfer']);
  });

  it('a station that does not answer ends timeout after the call timeout; its connection stays usable', async () => {
    const s = await station('SLOW', 'ocpp1.6', a, (action) => (action === 'Reset' ? new Promise(() => undefined) : { status: 'Accepted' }));
    const res = await post(b, '/api/v1/stations/SLOW/commands/Reset?wait=10', { type: 'soft' });
    expect(res.body).toMatchObject({ status: 'timeout', result: { reason: 'no answer within 3 s' } });
    const next = await post(b, '/api/v1/stations/SLOW/commands/ClearCache', {});
    expect(next.body.status).toBe('accepted');
    expect(s.received.map((r) => r.action)).toEqual(['Reset', 'ClearCache']);
  });
});

describe('command API', () => {
  it('refuses unknown stations, unknown fields and unknown commands with a clear answer', async () => {
    await station('API1', 'ocpp1.6', a);
    expect((await post(a, '/api/v1/stations/NOPE/commands/Reset', { type: 'soft' })).status).toBe(404);
    const typo = await post(a, '/api/v1/stations/API1/commands/Reset', { type: 'soft', evse: 1 });
    expect(typo.status).toBe(400);
    expect(typo.body.message).toMatch(/must NOT have additional properties/);
    expect((await post(a, '/api/v1/stations/API1/commands/Reset', { type: 'warm' })).status).toBe(400);
    expect((await post(a, '/api/v1/stations/API1/commands/SelfDestruct', {})).status).toBe(404);
    expect((await post(a, '/api/v1/stations/API1/commands/Reset?wait=9999', { type: 'soft' })).status).toBe(400);
    expect((await get(a, '/api/v1/commands/no-such-command')).status).toBe(404);
    expect((await get(a, '/api/v1/stations/NOPE/commands')).status).toBe(404);
    expect((await a.api('/api/v1/stations/API1/commands/Reset', { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('keeps each station\'s history, newest first, with secrets masked', async () => {
    await station('HIST', 'ocpp2.0.1', b);
    await post(a, '/api/v1/stations/HIST/commands/RemoteStart', { idToken: { id: '04A1B2C3D4E5F6' } });
    await post(a, '/api/v1/stations/HIST/commands/SetSettings', { settings: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, value: 'hunter2hunter2' }] });
    const page = await get(b, '/api/v1/stations/HIST/commands?limit=1');
    expect(page.body.total).toBe(2);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({ name: 'SetSettings', params: { settings: [{ value: '[redacted]' }] } });
    const older = await get(b, '/api/v1/stations/HIST/commands?limit=1&offset=1');
    expect(older.body.items[0]).toMatchObject({ name: 'RemoteStart', params: { idToken: { id: '****E5F6' } } });
    expect(JSON.stringify(page.body) + JSON.stringify(older.body)).not.toMatch(/hunter2|04A1B2C3D4E5F6/);
  });

  it('audits each command when submitted and when it ends, without secrets', async () => {
    await station('AUD', 'ocpp1.6', a);
    const res = await post(a, '/api/v1/stations/AUD/commands/RemoteStart', { idToken: { id: 'TAG-1234567' } });
    await eventually(async () => {
      const { items } = await auditA.list({ target: 'AUD' });
      expect(items.map((e) => e.result).sort()).toEqual(['accepted', 'submitted']);
    });
    const { items } = await auditA.list({ target: 'AUD' });
    const ended = items.find((e) => e.result === 'accepted')!;
    expect(ended).toMatchObject({ action: 'command.RemoteStart', actor: { kind: 'api-token', name: 'default' }, details: { commandId: res.body.id, ocppAction: 'RemoteStartTransaction' } });
    expect(ended.latencyMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(items)).not.toContain('TAG-1234567');
  });

  it('counts commands by name and outcome, and lists every route in the OpenAPI document', async () => {
    expect(await metric(a, 'chargewatch_commands_total', { command: 'Reset', outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(await metric(b, 'chargewatch_command_duration_seconds_count', { command: 'TriggerMessage' })).toBeGreaterThanOrEqual(12);
    expect((await (await fetch(`${a.apiUrl}/metrics`)).text()).includes('chargewatch_commands_pending ')).toBe(true);
    const doc = (await (await fetch(`${a.apiUrl}/openapi.json`)).json()) as { paths: Record<string, Json> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/stations/{id}/commands/Reset', '/api/v1/stations/{id}/commands/GetLog', '/api/v1/commands/{id}', '/api/v1/stations/{id}/commands']));
    expect(doc.paths['/api/v1/stations/{id}/commands/UpdateFirmware']!.post.requestBody.content['application/json'].schema.required).toEqual(['location', 'retrieveAt']);
  });
});

async function offline(via: TestCollector, id: string) {
  await eventually(async () => expect((await get(via, `/api/v1/stations/${id}`)).body.online).toBe(false));
}
