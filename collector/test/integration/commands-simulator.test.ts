/**
 * Every command of the model, through the API, to a simulated station of each OCPP version: the
 * result, and what the station then does that can be seen — in the collector's state (API), in the
 * messages the station sends back, or in the station itself.
 */
import { PROFILES, SimulatedStation, eventually } from '@chargewatch/tools';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { getJson, postJson, type Json } from '../harness/api';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
let collector: TestCollector;
const stations: SimulatedStation[] = [];

beforeAll(async () => {
  collector = await startTestCollector({ OCPP_CALL_TIMEOUT_SEC: '5' });
});

afterAll(async () => {
  await Promise.all(stations.map((s) => s.stop()));
  await collector.stop();
});

async function simulated(id: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', extra: Partial<ConstructorParameters<typeof SimulatedStation>[0]> = {}) {
  const profile = PROFILES[protocol === 'ocpp1.6' ? 0 : 2]!;
  const s = new SimulatedStation({
    identity: { stationId: id, protocol, profile, firmwareVersion: profile.firmwareVersions[0]!, serialNumber: 'SN00000001', meterSerialNumber: 'M1', connectors: 2, seed: 7 },
    url: collector.ocppUrl,
    speed: 50,
    meterIntervalSec: 600,
    autoSessions: false,
    faultProbability: 0,
    disconnectProbability: 0,
    ...extra,
  });
  stations.push(s);
  // What the station put on the wire, answered or not (1.6 LogStatusNotification is a whitepaper
  // message the collector may not implement; the station sent it all the same).
  const sent: Array<{ action: string; params: Json }> = [];
  s.client.on('call', ({ outbound, payload }: { outbound: boolean; payload: [number, string, string, Json] }) => {
    if (outbound) sent.push({ action: payload[2], params: payload[3] });
  });
  await s.start();
  await s.whenAccepted();
  await s.flush();
  return { s, sent, vendor: profile.vendor };
}

const command = async (id: string, name: string, body: unknown) => {
  const res = await postJson(collector, `/api/v1/stations/${id}/commands/${name}?wait=10`, body);
  expect(res.status).toBe(200);
  return res.body;
};
const stationState = async (id: string) => (await getJson(collector, `/api/v1/stations/${id}`)).body;
const connector = async (id: string, evseId: number) => ((await stationState(id)).connectors as Json[]).find((c) => c.evseId === evseId && c.connectorId === 1)!;

describe.each([
  ['ocpp1.6', 'SIM16'],
  ['ocpp2.0.1', 'SIM201'],
] as const)('%s station', (protocol, id) => {
  const v16 = protocol === 'ocpp1.6';
  let sim: Awaited<ReturnType<typeof simulated>>;
  const sentSince = (from: number, action: string) => sim.sent.slice(from).filter((m) => m.action === action);

  beforeAll(async () => {
    sim = await simulated(id, protocol);
  });

  it.each([
    ['boot', 'BootNotification', 'accepted'],
    ['heartbeat', 'Heartbeat', 'accepted'],
    ['status', 'StatusNotification', 'accepted'],
    ['meterValues', 'MeterValues', 'accepted'],
    ['firmwareStatus', 'FirmwareStatusNotification', 'accepted'],
    ['diagnosticsStatus', v16 ? 'DiagnosticsStatusNotification' : 'LogStatusNotification', 'accepted'],
    ['logStatus', 'LogStatusNotification', 'accepted'],
  ] as const)('TriggerMessage %s: the station sends %s', async (message, action, status) => {
    const from = sim.sent.length;
    expect(await command(id, 'TriggerMessage', { message, evseId: message === 'status' || message === 'meterValues' ? 1 : undefined })).toMatchObject({ status });
    await eventually(async () => expect(sentSince(from, action).length).toBeGreaterThanOrEqual(1));
  });

  it('TriggerMessage for what the station cannot send: not_supported or rejected, with the reason', async () => {
    expect(await command(id, 'TriggerMessage', { message: 'signCertificate' })).toMatchObject({ status: 'not_supported', result: { reason: 'station answered NotImplemented' } });
    const tx = await command(id, 'TriggerMessage', { message: 'transaction' });
    // 1.6 has no TransactionEvent (refused before sending); a 2.0.1 station without a transaction refuses.
    expect(tx).toMatchObject({ status: v16 ? 'not_supported' : 'rejected' });
    expect(tx.action).toBe(v16 ? undefined : 'TriggerMessage');
  });

  it('ChangeAvailability takes an EVSE out of service and back', async () => {
    expect(await command(id, 'ChangeAvailability', { availability: 'inoperative', evseId: 1 })).toMatchObject({ status: 'accepted' });
    await eventually(async () => expect((await connector(id, 1)).status).toBe('Unavailable'));
    expect(await command(id, 'ChangeAvailability', { availability: 'operative', evseId: 1 })).toMatchObject({ status: 'accepted' });
    await eventually(async () => expect((await connector(id, 1)).status).toBe('Available'));
  });

  it('RemoteStart opens a transaction, RemoteStop ends it', async () => {
    const started = await command(id, 'RemoteStart', { idToken: { id: 'APP-USER-1' }, evseId: 1 });
    expect(started).toMatchObject({ status: 'accepted', action: v16 ? 'RemoteStartTransaction' : 'RequestStartTransaction' });
    if (!v16) expect(started.result.data.remoteStartId).toEqual(expect.any(Number));
    const tx = await eventually(async () => {
      const open = (await stationState(id)).transactions as Json[];
      expect(open).toHaveLength(1);
      return open[0]!;
    });
    expect(tx).toMatchObject({ evseId: 1 });
    expect(await command(id, 'RemoteStop', { transactionId: tx.transactionId })).toMatchObject({ status: 'accepted' });
    await eventually(async () => expect((await stationState(id)).transactions).toEqual([]));
    expect(await command(id, 'RemoteStop', { transactionId: v16 ? '999999' : 'no-such-tx' })).toMatchObject({ status: 'rejected' });
  });

  it('UnlockConnector unlocks an idle connector', async () => {
    expect(await command(id, 'UnlockConnector', { evseId: 2 })).toMatchObject({ status: 'accepted', action: 'UnlockConnector' });
    expect(sim.s.actionLog).toContain('command: UnlockConnector');
  });

  it('GetSettings reads and SetSettings changes the heartbeat interval', async () => {
    const ref = v16 ? { key: 'HeartbeatInterval' } : { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } };
    const before = await command(id, 'GetSettings', { settings: [ref] });
    expect(before).toMatchObject({ status: 'accepted', action: v16 ? 'GetConfiguration' : 'GetVariables', result: { data: { settings: [{ ...ref, value: String(sim.s.heartbeatIntervalSec), status: 'accepted' }] } } });
    expect(await command(id, 'SetSettings', { settings: [{ ...ref, value: '77' }] })).toMatchObject({ status: 'accepted', result: { data: { settings: [{ status: 'accepted' }] } } });
    expect(sim.s.heartbeatIntervalSec).toBe(77);
    expect((await command(id, 'GetSettings', { settings: [ref] })).result.data.settings[0].value).toBe('77');
    // The other version's form is refused without a call.
    const other = v16 ? { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } } : { key: 'HeartbeatInterval' };
    expect(await command(id, 'GetSettings', { settings: [other] })).toMatchObject({ status: 'not_supported' });
  });

  it('ClearCache is carried out', async () => {
    expect(await command(id, 'ClearCache', {})).toMatchObject({ status: 'accepted' });
    expect(sim.s.actionLog).toContain('command: ClearCache');
  });

  it('SendLocalList replaces the list and GetLocalListVersion reads its version', async () => {
    const entries = [{ idToken: { id: 'CARD-0001' }, status: 'Accepted' }, { idToken: { id: 'CARD-0002' }, status: 'Blocked' }];
    expect(await command(id, 'SendLocalList', { updateType: 'full', version: 3, entries })).toMatchObject({ status: 'accepted', result: { data: { version: 3 } } });
    expect([...sim.s.localList.entries]).toEqual([['CARD-0001', 'Accepted'], ['CARD-0002', 'Blocked']]);
    expect(await command(id, 'GetLocalListVersion', {})).toMatchObject({ status: 'accepted', result: { data: { version: 3 } } });
    expect(await command(id, 'SendLocalList', { updateType: 'differential', version: 2, entries: [] })).toMatchObject({ status: 'rejected', result: { reason: 'station answered VersionMismatch' } });
  });

  it('GetLog uploads diagnostics and the security log, reporting their progress', async () => {
    const from = sim.sent.length;
    const diag = await command(id, 'GetLog', { location: 'https://logs.example.com/up' });
    expect(diag).toMatchObject({ status: 'accepted', action: v16 ? 'GetDiagnostics' : 'GetLog', result: { data: { fileName: expect.stringMatching(/^diagnostics-/) } } });
    const statusAction = v16 ? 'DiagnosticsStatusNotification' : 'LogStatusNotification';
    await eventually(async () => expect(sentSince(from, statusAction).map((m) => m.params.status)).toEqual(['Uploading', 'Uploaded']));
    const security = await command(id, 'GetLog', { location: 'https://logs.example.com/up', logType: 'security', requestId: 21 });
    expect(security).toMatchObject({ status: 'accepted', action: 'GetLog', result: { data: { requestId: 21, fileName: expect.stringMatching(/^security-/) } } });
    await eventually(async () => expect(sim.s.logUpload).toMatchObject({ kind: 'security', requestId: 21, status: 'Uploaded' }));
  });

  it('DataTransfer reaches the vendor extension', async () => {
    expect(await command(id, 'DataTransfer', { vendorId: sim.vendor, messageId: 'Echo', data: 'ping' })).toMatchObject({ status: 'accepted', result: { data: { data: 'ping' } } });
    expect(await command(id, 'DataTransfer', { vendorId: 'someone.else' })).toMatchObject({ status: 'rejected', result: { reason: 'station answered UnknownVendorId' } });
  });

  it('UpdateFirmware, plain and secure: the station installs and boots with the new version', async () => {
    const [, , target] = PROFILES[v16 ? 0 : 2]!.firmwareVersions;
    const plain = await command(id, 'UpdateFirmware', { location: `https://fw.example.com/fw-${target}.bin`, retrieveAt: new Date().toISOString() });
    expect(plain).toMatchObject({ status: 'accepted', action: 'UpdateFirmware', result: { data: { secure: false } } });
    await eventually(async () => expect((await stationState(id)).firmwareVersion).toBe(target), 20_000);
    const secure = await command(id, 'UpdateFirmware', { location: 'https://fw.example.com/fw-9.9.9.bin', retrieveAt: new Date().toISOString(), signingCertificate: PEM, signature: 'c2ln' });
    expect(secure).toMatchObject({ status: 'accepted', action: v16 ? 'SignedUpdateFirmware' : 'UpdateFirmware', result: { data: { secure: true, requestId: expect.any(Number) } } });
    await eventually(async () => expect((await stationState(id)).firmwareVersion).toBe('9.9.9'), 20_000);
  });

  it('Reset makes the station boot again', async () => {
    const { lastBoot } = await stationState(id);
    expect(await command(id, 'Reset', { type: 'hard' })).toMatchObject({ status: 'accepted' });
    await eventually(async () => expect(Date.parse((await stationState(id)).lastBoot)).toBeGreaterThan(Date.parse(lastBoot)));
    if (!v16) expect((await stationState(id)).bootReason).toBe('RemoteReset');
  });
});

it('a Security Whitepaper station refusing plain UpdateFirmware: not_supported, saying it wants a secure update', async () => {
  await simulated('WP16', 'ocpp1.6', { signedFirmwareOnly: true });
  const res = await command('WP16', 'UpdateFirmware', { location: 'https://fw.example.com/a.bin', retrieveAt: new Date().toISOString() });
  expect(res).toMatchObject({ status: 'not_supported', action: 'UpdateFirmware', result: { data: { code: 'NotSupported', secureUpdateRequired: true } } });
});
