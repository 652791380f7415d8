import type { SimulatedStation } from '../../../src/simulator/station';
import { FakeCsms, makeStation, startStation, waitFor } from './fake-csms';

let csms: FakeCsms;
const stations: SimulatedStation[] = [];

beforeEach(async () => {
  csms = await FakeCsms.start();
});

afterEach(async () => {
  await Promise.all(stations.splice(0).map((s) => s.stop()));
  await csms.close();
});

const started = (...args: Parameters<typeof makeStation>) => startStation(...args, stations);

function expectClean(s: SimulatedStation): void {
  expect(s.lastError).toBeUndefined();
  expect(s.stats.errors).toBe(0);
  expect(csms.validationFailures).toEqual([]);
}

const statusesOf = (id: string, connector: number) =>
  csms
    .callsFor(id, 'StatusNotification')
    .filter((c) => (c.params.connectorId === connector && c.params.evseId === undefined) || c.params.evseId === connector)
    .map((c) => c.params.status ?? c.params.connectorStatus);

describe('UpdateFirmware', () => {
  test('1.6: Downloading, Downloaded, Installing, reboot with the new version, Installed', async () => {
    const s = await started(csms, { id: 'FW16', protocol: 'ocpp1.6', profile: 0 });
    expect(s.firmwareVersion).toBe('3.4.1');
    const res = await csms.command('FW16', 'UpdateFirmware', {
      location: 'https://fw.example.com/voltaro/vw22-3.6.2.bin',
      retrieveDate: new Date().toISOString(),
    });
    expect(res).toEqual({});
    await waitFor(() => csms.callsFor('FW16', 'FirmwareStatusNotification').some((c) => c.params.status === 'Installed'), 5000, 'Installed');
    const seq = csms
      .callsFor('FW16', ['FirmwareStatusNotification', 'BootNotification'])
      .map((c) => (c.action === 'BootNotification' ? `Boot ${c.params.firmwareVersion}` : c.params.status));
    expect(seq).toEqual(['Boot 3.4.1', 'Downloading', 'Downloaded', 'Installing', 'Boot 3.6.2', 'Installed']);
    expect(s.firmwareVersion).toBe('3.6.2');
    expect(s.stats.reboots).toBe(1);
    // after the install the station reports Idle when asked
    await csms.command('FW16', 'TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' });
    await waitFor(() => csms.callsFor('FW16', 'FirmwareStatusNotification').length === 5);
    expect(csms.callsFor('FW16', 'FirmwareStatusNotification')[4].params.status).toBe('Idle');
    expectClean(s);
  });

  test('2.0.1: statuses carry the requestId, InstallRebooting, reboot reason FirmwareUpdate reports the new version', async () => {
    const s = await started(csms, { id: 'FW201', protocol: 'ocpp2.0.1', profile: 2 });
    const res = await csms.command('FW201', 'UpdateFirmware', {
      requestId: 42,
      firmware: { location: 'https://fw.example.com/amperon/hyperdc-5.4.0-r7.swu', retrieveDateTime: new Date().toISOString() },
    });
    expect(res).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('FW201', 'FirmwareStatusNotification').some((c) => c.params.status === 'Installed'), 5000, 'Installed');
    const calls = csms.callsFor('FW201', ['FirmwareStatusNotification', 'BootNotification']);
    expect(calls.map((c) => (c.action === 'BootNotification' ? `Boot ${c.params.reason} ${c.params.chargingStation.firmwareVersion}` : c.params.status))).toEqual([
      'Boot PowerUp 5.2.0-r14',
      'Downloading',
      'Downloaded',
      'Installing',
      'InstallRebooting',
      'Boot FirmwareUpdate 5.4.0-r7',
      'Installed',
    ]);
    expect(calls.filter((c) => c.action === 'FirmwareStatusNotification').every((c) => c.params.requestId === 42)).toBe(true);
    expect(s.firmwareVersion).toBe('5.4.0-r7');
    expectClean(s);
  });

  test('a download from a failing location reports DownloadFailed and keeps the version', async () => {
    const s = await started(csms, { id: 'FWX', protocol: 'ocpp1.6', profile: 1 });
    await csms.command('FWX', 'UpdateFirmware', { location: 'https://fw.example.com/fail/fw.bin', retrieveDate: new Date().toISOString() });
    await waitFor(() => csms.callsFor('FWX', 'FirmwareStatusNotification').length === 2);
    expect(csms.callsFor('FWX', 'FirmwareStatusNotification').map((c) => c.params.status)).toEqual(['Downloading', 'DownloadFailed']);
    expect(s.firmwareVersion).toBe('1.9.8');
  });
});

describe('local authorization list', () => {
  test('1.6 SendLocalList / GetLocalListVersion with full and differential updates', async () => {
    const s = await started(csms, { id: 'LL16', protocol: 'ocpp1.6' });
    expect(await csms.command('LL16', 'GetLocalListVersion', {})).toEqual({ listVersion: 0 });
    const full = {
      listVersion: 3,
      updateType: 'Full',
      localAuthorizationList: [
        { idTag: 'TAG-A', idTagInfo: { status: 'Accepted' } },
        { idTag: 'TAG-B', idTagInfo: { status: 'Blocked' } },
      ],
    };
    expect(await csms.command('LL16', 'SendLocalList', full)).toEqual({ status: 'Accepted' });
    expect(await csms.command('LL16', 'GetLocalListVersion', {})).toEqual({ listVersion: 3 });
    expect(
      await csms.command('LL16', 'SendLocalList', { listVersion: 3, updateType: 'Differential', localAuthorizationList: [{ idTag: 'TAG-C', idTagInfo: { status: 'Accepted' } }] }),
    ).toEqual({ status: 'VersionMismatch' });
    expect(
      await csms.command('LL16', 'SendLocalList', {
        listVersion: 4,
        updateType: 'Differential',
        localAuthorizationList: [{ idTag: 'TAG-C', idTagInfo: { status: 'Accepted' } }, { idTag: 'TAG-A' }],
      }),
    ).toEqual({ status: 'Accepted' });
    expect(await csms.command('LL16', 'GetLocalListVersion', {})).toEqual({ listVersion: 4 });
    expect([...s.localList.entries]).toEqual([
      ['TAG-B', 'Blocked'],
      ['TAG-C', 'Accepted'],
    ]);
    // offline, the local list decides: a Blocked tag cannot start
    await s.forceDisconnect(1e6);
    await expect(s.forceSession(1, { idTag: 'TAG-B', ticks: 1 })).rejects.toThrow('authorization Blocked');
    // disabling the list
    await s.reconnectNow();
    expect(await csms.command('LL16', 'ChangeConfiguration', { key: 'LocalAuthListEnabled', value: 'false' })).toEqual({ status: 'Accepted' });
    expect(await csms.command('LL16', 'GetLocalListVersion', {})).toEqual({ listVersion: -1 });
    expect(await csms.command('LL16', 'SendLocalList', full)).toEqual({ status: 'NotSupported' });
    expectClean(s);
  });

  test('2.0.1 SendLocalList / GetLocalListVersion', async () => {
    const s = await started(csms, { id: 'LL201', protocol: 'ocpp2.0.1' });
    expect(await csms.command('LL201', 'GetLocalListVersion', {})).toEqual({ versionNumber: 0 });
    const tok = (id: string) => ({ idToken: id, type: 'ISO14443' });
    expect(
      await csms.command('LL201', 'SendLocalList', {
        versionNumber: 7,
        updateType: 'Full',
        localAuthorizationList: [{ idToken: tok('T1'), idTokenInfo: { status: 'Accepted' } }],
      }),
    ).toEqual({ status: 'Accepted' });
    expect(await csms.command('LL201', 'SendLocalList', { versionNumber: 6, updateType: 'Differential', localAuthorizationList: [{ idToken: tok('T2') }] })).toEqual({
      status: 'VersionMismatch',
    });
    expect(
      await csms.command('LL201', 'SendLocalList', {
        versionNumber: 8,
        updateType: 'Differential',
        localAuthorizationList: [{ idToken: tok('T2'), idTokenInfo: { status: 'Blocked' } }],
      }),
    ).toEqual({ status: 'Accepted' });
    expect(await csms.command('LL201', 'GetLocalListVersion', {})).toEqual({ versionNumber: 8 });
    expect(s.localList.entries.get('T2')).toBe('Blocked');
    const entries = await csms.command('LL201', 'GetVariables', {
      getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Entries' } }],
    });
    expect(entries.getVariableResult[0].attributeValue).toBe('2');
    expectClean(s);
  });

  test('limits per station, answers on demand, no list at all', async () => {
    const limits = { maxLength: 3, itemsPerMessage: 2, bytesPerMessage: 400 };
    const s16 = await started(csms, { id: 'LIM16', protocol: 'ocpp1.6', localList: limits });
    const s201 = await started(csms, { id: 'LIM201', protocol: 'ocpp2.0.1', localList: { ...limits, bytesPerMessage: 300 } });
    const conf = await csms.command('LIM16', 'GetConfiguration', { key: ['LocalAuthListMaxLength', 'SendLocalListMaxLength'] });
    expect(conf.configurationKey.map((k: { value: string }) => k.value)).toEqual(['3', '2']);
    const tags = (...ids: string[]) => ids.map((idTag) => ({ idTag, idTagInfo: { status: 'Accepted' } }));
    expect(await csms.command('LIM16', 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: tags('A', 'B', 'C') })).toEqual({ status: 'Failed' });
    expect(await csms.command('LIM16', 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList: tags('A', 'B') })).toEqual({ status: 'Accepted' });
    expect(await csms.command('LIM16', 'SendLocalList', { listVersion: 2, updateType: 'Differential', localAuthorizationList: tags('C', 'D') })).toEqual({ status: 'Failed' });
    s16.localList.answerNext.push('VersionMismatch');
    expect(await csms.command('LIM16', 'SendLocalList', { listVersion: 2, updateType: 'Differential', localAuthorizationList: tags('C') })).toEqual({ status: 'VersionMismatch' });
    expect(s16.localList.received.map((r) => r.status)).toEqual(['Failed', 'Accepted', 'Failed', 'VersionMismatch']);
    expect([...s16.localList.entries.keys()]).toEqual(['A', 'B']);

    const dm = await csms.command('LIM201', 'GetVariables', {
      getVariableData: ['ItemsPerMessage', 'BytesPerMessage'].map((name) => ({ component: { name: 'LocalAuthListCtrlr' }, variable: { name } })).concat([{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Entries' }, attributeType: 'MaxSet' } as never]),
    });
    expect(dm.getVariableResult.map((r: { attributeValue: string }) => r.attributeValue)).toEqual(['2', '300', '3']);
    const tok = (id: string) => ({ idToken: { idToken: id.repeat(36), type: 'Central' }, idTokenInfo: { status: 'Accepted' } });
    // Two entries of 36-character ids are over 300 bytes with the frame; one is not.
    expect(await csms.command('LIM201', 'SendLocalList', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [tok('A'), tok('B')] })).toEqual({ status: 'Failed' });
    expect(s201.localList.received[0]!.bytes).toBeGreaterThan(300);
    expect(await csms.command('LIM201', 'SendLocalList', { versionNumber: 1, updateType: 'Full', localAuthorizationList: [tok('A')] })).toEqual({ status: 'Accepted' });

    const none16 = await started(csms, { id: 'NONE16', protocol: 'ocpp1.6', localList: { supported: false } });
    await started(csms, { id: 'NONE201', protocol: 'ocpp2.0.1', localList: { supported: false } });
    expect(await csms.command('NONE16', 'GetLocalListVersion', {})).toEqual({ listVersion: -1 });
    expect((await csms.command('NONE16', 'GetConfiguration', { key: ['LocalAuthListEnabled'] })).unknownKey).toEqual(['LocalAuthListEnabled']);
    const unknown = await csms.command('NONE201', 'GetVariables', { getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Enabled' } }] });
    expect(unknown.getVariableResult[0].attributeStatus).toBe('UnknownComponent');
    expectClean(none16);
  });
});

describe('TriggerMessage', () => {
  test('1.6: answers first, then sends the requested message', async () => {
    const s = await started(csms, { id: 'TR16', protocol: 'ocpp1.6' });
    // frames as the station writes them to the socket
    let out: any[] = [];
    s.client.on('message', (e: { message: string; outbound: boolean }) => {
      if (e.outbound) out.push(JSON.parse(e.message));
    });
    const ask = async (params: Record<string, unknown>, action: string) => {
      out = [];
      const res = await csms.command('TR16', 'TriggerMessage', params);
      await waitFor(() => out.some((f) => f[0] === 2 && f[2] === action), 2000, action);
      const replyAt = out.findIndex((f) => f[0] === 3 && f[2]?.status === 'Accepted');
      const callAt = out.findIndex((f) => f[0] === 2 && f[2] === action);
      expect(replyAt).toBeGreaterThanOrEqual(0);
      expect(callAt).toBeGreaterThan(replyAt);
      return { res, call: out[callAt][3] };
    };
    expect((await ask({ requestedMessage: 'Heartbeat' }, 'Heartbeat')).res).toEqual({ status: 'Accepted' });

    const st = await ask({ requestedMessage: 'StatusNotification', connectorId: 2 }, 'StatusNotification');
    expect(st.res).toEqual({ status: 'Accepted' });
    expect(st.call).toMatchObject({ connectorId: 2, status: 'Available', errorCode: 'NoError' });

    const mv = await ask({ requestedMessage: 'MeterValues', connectorId: 1 }, 'MeterValues');
    expect(mv.call.connectorId).toBe(1);
    expect(mv.call.transactionId).toBeUndefined();
    expect(mv.call.meterValue[0].sampledValue[0].context).toBe('Trigger');

    const boot = await ask({ requestedMessage: 'BootNotification' }, 'BootNotification');
    expect(boot.call.firmwareVersion).toBe(s.firmwareVersion);

    const fw = await ask({ requestedMessage: 'FirmwareStatusNotification' }, 'FirmwareStatusNotification');
    expect(fw.call).toEqual({ status: 'Idle' });

    expect(await csms.command('TR16', 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 9 })).toEqual({ status: 'Rejected' });
    expectClean(s);
  });

  test('2.0.1: StatusNotification per EVSE, TransactionEvent only with a transaction', async () => {
    const s = await started(csms, { id: 'TR201', protocol: 'ocpp2.0.1' });
    expect(await csms.command('TR201', 'TriggerMessage', { requestedMessage: 'TransactionEvent' })).toEqual({ status: 'Rejected' });
    const mark = csms.calls.length;
    expect(await csms.command('TR201', 'TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.calls.slice(mark).some((c) => c.action === 'StatusNotification'));
    expect(csms.calls.slice(mark).find((c) => c.action === 'StatusNotification')!.params).toMatchObject({ evseId: 2, connectorStatus: 'Available' });
    const session = s.forceSession(1, { ticks: 200 });
    await waitFor(() => csms.callsFor('TR201', 'TransactionEvent').length >= 1);
    expect(await csms.command('TR201', 'TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('TR201', 'TransactionEvent').some((c) => c.params.triggerReason === 'Trigger'));
    expect(await csms.command('TR201', 'TriggerMessage', { requestedMessage: 'MeterValues', evse: { id: 2 } })).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('TR201', 'MeterValues').length === 1);
    expect(csms.callsFor('TR201', 'MeterValues')[0].params.evseId).toBe(2);
    expect(await csms.command('TR201', 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).toEqual({ status: 'NotImplemented' });
    const txId = csms.callsFor('TR201', 'TransactionEvent')[0].params.transactionInfo.transactionId;
    expect(await csms.command('TR201', 'RequestStopTransaction', { transactionId: txId })).toEqual({ status: 'Accepted' });
    const sum = await session;
    expect(sum.reason).toBe('Remote');
    expectClean(s);
  });
});

describe('Reset', () => {
  test('1.6 Soft reset stops the transaction with SoftReset and boots again', async () => {
    const s = await started(csms, { id: 'RS16', protocol: 'ocpp1.6' });
    const session = s.forceSession(1, { ticks: 500 });
    await waitFor(() => csms.callsFor('RS16', 'MeterValues').length >= 1);
    expect(await csms.command('RS16', 'Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    const sum = await session;
    expect(sum.reason).toBe('SoftReset');
    await waitFor(() => csms.callsFor('RS16', 'BootNotification').length === 2);
    await s.whenAccepted();
    await waitFor(() => statusesOf('RS16', 1).slice(-1)[0] === 'Available');
    const stop = csms.callsFor('RS16', 'StopTransaction')[0];
    expect(stop.params.reason).toBe('SoftReset');
    expect(stop.seq).toBeLessThan(csms.callsFor('RS16', 'BootNotification')[1].seq);
    expect(s.stats.reboots).toBe(1);
    expectClean(s);
  });

  test('2.0.1 OnIdle is Scheduled during a transaction and runs when it ends; Immediate stops it', async () => {
    const s = await started(csms, { id: 'RS201', protocol: 'ocpp2.0.1' });
    const session = s.forceSession(1, { ticks: 5, suspendTicks: 0 });
    await waitFor(() => csms.callsFor('RS201', 'TransactionEvent').length >= 1);
    expect(await csms.command('RS201', 'Reset', { type: 'OnIdle' })).toEqual({ status: 'Scheduled' });
    await session;
    await waitFor(() => csms.callsFor('RS201', 'BootNotification').length === 2, 5000, 'reboot after idle');
    expect(csms.callsFor('RS201', 'BootNotification')[1].params.reason).toBe('RemoteReset');
    await s.whenAccepted();

    const again = s.forceSession(2, { ticks: 500 });
    await waitFor(() => csms.callsFor('RS201', 'TransactionEvent').filter((c) => c.params.evse.id === 2).length >= 1);
    expect(await csms.command('RS201', 'Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });
    expect((await again).reason).toBe('ImmediateReset');
    await waitFor(() => csms.callsFor('RS201', 'BootNotification').length === 3);
    const ended = csms.callsFor('RS201', 'TransactionEvent').filter((c) => c.params.eventType === 'Ended').map((c) => c.params);
    expect(ended[1]).toMatchObject({ triggerReason: 'ResetCommand', transactionInfo: { stoppedReason: 'ImmediateReset' } });
    expect(await csms.command('RS201', 'Reset', { type: 'Immediate', evseId: 1 })).toMatchObject({ status: 'Rejected' });
    expectClean(s);
  });
});

describe('ChangeAvailability', () => {
  test('1.6: idle connector goes Unavailable, busy one is Scheduled until its session ends', async () => {
    const s = await started(csms, { id: 'CA16', protocol: 'ocpp1.6' });
    expect(await csms.command('CA16', 'ChangeAvailability', { connectorId: 2, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statusesOf('CA16', 2).slice(-1)[0] === 'Unavailable');
    await expect(s.forceSession(2, { ticks: 1 })).rejects.toThrow('busy');

    const session = s.forceSession(1, { ticks: 4, suspendTicks: 0 });
    await waitFor(() => csms.callsFor('CA16', 'StartTransaction').length === 1);
    expect(await csms.command('CA16', 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    await session;
    await waitFor(() => statusesOf('CA16', 1).slice(-1)[0] === 'Unavailable');
    expect(statusesOf('CA16', 1).slice(-3)).toEqual(['Charging', 'Finishing', 'Unavailable']);

    expect(await csms.command('CA16', 'ChangeAvailability', { connectorId: 0, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statusesOf('CA16', 1).slice(-1)[0] === 'Available' && statusesOf('CA16', 2).slice(-1)[0] === 'Available');
    expect(await csms.command('CA16', 'ChangeAvailability', { connectorId: 9, type: 'Operative' })).toEqual({ status: 'Rejected' });
    expectClean(s);
  });

  test('2.0.1: operationalStatus per EVSE and for the whole station', async () => {
    const s = await started(csms, { id: 'CA201', protocol: 'ocpp2.0.1' });
    expect(await csms.command('CA201', 'ChangeAvailability', { evse: { id: 1 }, operationalStatus: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statusesOf('CA201', 1).slice(-1)[0] === 'Unavailable');
    expect(statusesOf('CA201', 2)).toEqual(['Available']);
    expect(await csms.command('CA201', 'ChangeAvailability', { operationalStatus: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statusesOf('CA201', 2).slice(-1)[0] === 'Unavailable');
    const v = await csms.command('CA201', 'GetVariables', {
      getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'AvailabilityState' } }],
    });
    expect(v.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: 'Unavailable' });
    expectClean(s);
  });
});

describe('configuration', () => {
  test('1.6 GetConfiguration / ChangeConfiguration', async () => {
    const s = await started(csms, { id: 'CFG16', protocol: 'ocpp1.6' });
    const all = await csms.command('CFG16', 'GetConfiguration', {});
    const map = new Map(all.configurationKey.map((k: any) => [k.key, k]));
    for (const k of ['HeartbeatInterval', 'LocalAuthListEnabled', 'LocalAuthListMaxLength', 'SendLocalListMaxLength', 'MeterValueSampleInterval', 'NumberOfConnectors']) {
      expect(map.has(k)).toBe(true);
    }
    expect(map.get('HeartbeatInterval')).toEqual({ key: 'HeartbeatInterval', readonly: false, value: '300' });
    expect(map.get('MeterValueSampleInterval')).toMatchObject({ value: '10' });
    expect(map.get('NumberOfConnectors')).toEqual({ key: 'NumberOfConnectors', readonly: true, value: '2' });
    expect(all.unknownKey).toBeUndefined();

    const some = await csms.command('CFG16', 'GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    expect(some).toEqual({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }], unknownKey: ['NoSuchKey'] });

    expect(await csms.command('CFG16', 'ChangeConfiguration', { key: 'HeartbeatInterval', value: '30' })).toEqual({ status: 'Accepted' });
    expect(s.heartbeatIntervalSec).toBe(30);
    await waitFor(() => csms.callsFor('CFG16', 'Heartbeat').length >= 2, 2000, 'faster heartbeats');
    expect(await csms.command('CFG16', 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: 'abc' })).toEqual({ status: 'Rejected' });
    expect(await csms.command('CFG16', 'ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' })).toEqual({ status: 'Rejected' });
    expect(await csms.command('CFG16', 'ChangeConfiguration', { key: 'Bogus', value: '1' })).toEqual({ status: 'NotSupported' });
    expect(await csms.command('CFG16', 'GetConfiguration', { key: ['HeartbeatInterval'] })).toEqual({
      configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '30' }],
    });
    expectClean(s);
  });

  test('2.0.1 GetVariables / SetVariables', async () => {
    const s = await started(csms, { id: 'VAR201', protocol: 'ocpp2.0.1', profile: 2 });
    const res = await csms.command('VAR201', 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' } },
        { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'AvailabilityState' } },
        { component: { name: 'Connector', evse: { id: 2, connectorId: 1 } }, variable: { name: 'ConnectorType' } },
        { component: { name: 'FluxCapacitor' }, variable: { name: 'Power' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'Nope' } },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeType: 'MaxSet' },
      ],
    });
    expect(res.getVariableResult.map((r: any) => [r.attributeStatus, r.attributeValue])).toEqual([
      ['Accepted', '300'],
      ['Accepted', '10'],
      ['Accepted', 'Available'],
      ['Accepted', 'cCCS2'],
      ['UnknownComponent', undefined],
      ['UnknownVariable', undefined],
      ['NotSupportedAttributeType', undefined],
    ]);
    const set = await csms.command('VAR201', 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '45' },
        { component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: 'x' },
        { component: { name: 'SecurityCtrlr' }, variable: { name: 'Identity' }, attributeValue: 'other' },
        { component: { name: 'AuthCtrlr' }, variable: { name: 'LocalPreAuthorize' }, attributeValue: 'true' },
      ],
    });
    expect(set.setVariableResult.map((r: any) => r.attributeStatus)).toEqual(['Accepted', 'Rejected', 'Rejected', 'Accepted']);
    expect(s.heartbeatIntervalSec).toBe(45);
    const after = await csms.command('VAR201', 'GetVariables', {
      getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    expect(after.getVariableResult[0].attributeValue).toBe('45');
    expectClean(s);
  });
});

describe('remote start/stop and DataTransfer', () => {
  test('1.6 RemoteStartTransaction / RemoteStopTransaction', async () => {
    const s = await started(csms, { id: 'RM16', protocol: 'ocpp1.6' });
    expect(await csms.command('RM16', 'RemoteStartTransaction', { connectorId: 2, idTag: 'APP-USER-1' })).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('RM16', 'StartTransaction').length === 1);
    const start = csms.callsFor('RM16', 'StartTransaction')[0].params;
    expect(start).toMatchObject({ connectorId: 2, idTag: 'APP-USER-1' });
    expect(csms.callsFor('RM16', 'Authorize')[0].params).toEqual({ idTag: 'APP-USER-1' });
    expect(await csms.command('RM16', 'RemoteStartTransaction', { connectorId: 2, idTag: 'APP-USER-2' })).toEqual({ status: 'Rejected' });
    await waitFor(() => csms.callsFor('RM16', 'MeterValues').length >= 1);
    const txId = csms.callsFor('RM16', 'MeterValues')[0].params.transactionId;
    expect(await csms.command('RM16', 'RemoteStopTransaction', { transactionId: txId })).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('RM16', 'StopTransaction').length === 1);
    expect(csms.callsFor('RM16', 'StopTransaction')[0].params).toMatchObject({ transactionId: txId, reason: 'Remote' });
    expect(await csms.command('RM16', 'RemoteStopTransaction', { transactionId: 999999 })).toEqual({ status: 'Rejected' });
    expect(await csms.command('RM16', 'DataTransfer', { vendorId: 'Voltaro', messageId: 'Echo', data: 'ping' })).toEqual({ status: 'Accepted', data: 'ping' });
    expect(await csms.command('RM16', 'DataTransfer', { vendorId: 'Other' })).toEqual({ status: 'UnknownVendorId' });
    expectClean(s);
  });

  test('2.0.1 RequestStartTransaction carries remoteStartId; a refused token ends the transaction', async () => {
    const s = await started(csms, { id: 'RM201', protocol: 'ocpp2.0.1' });
    expect(
      await csms.command('RM201', 'RequestStartTransaction', { evseId: 1, remoteStartId: 77, idToken: { idToken: 'APP-9', type: 'Central' } }),
    ).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('RM201', 'TransactionEvent').length >= 1);
    expect(csms.callsFor('RM201', 'TransactionEvent')[0].params).toMatchObject({
      eventType: 'Started',
      triggerReason: 'RemoteStart',
      transactionInfo: { remoteStartId: 77 },
      idToken: { idToken: 'APP-9', type: 'Central' },
    });
    // the CSMS refuses the token in its TransactionEvent reply -> station stops with DeAuthorized
    csms.handlers.TransactionEvent = (_id, p) => (p.idToken ? { idTokenInfo: { status: 'Blocked' } } : undefined);
    expect(
      await csms.command('RM201', 'RequestStartTransaction', { evseId: 2, remoteStartId: 78, idToken: { idToken: 'APP-10', type: 'Central' } }),
    ).toEqual({ status: 'Accepted' });
    await waitFor(() => csms.callsFor('RM201', 'TransactionEvent').some((c) => c.params.evse.id === 2 && c.params.eventType === 'Ended'));
    const ended = csms.callsFor('RM201', 'TransactionEvent').find((c) => c.params.evse.id === 2 && c.params.eventType === 'Ended')!;
    expect(ended.params).toMatchObject({ triggerReason: 'Deauthorized', transactionInfo: { stoppedReason: 'DeAuthorized' } });
    expectClean(s);
  });
});
