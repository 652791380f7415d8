/**
 * The simulator's firmware engine against the fake CSMS: the spec's status sequences in 1.6 core,
 * 1.6 signed (Security Whitepaper) and 2.0.1, scheduled downloads and installs, and a new request
 * while one runs.
 */
import type { SimulatedStation } from '../../../src/simulator/station';
import { FakeCsms, makeStation, startStation, waitFor } from './fake-csms';
import { expectSequence, firmwareSequence, updateFirmware } from './firmware-helpers';

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
const inSec = (sec: number) => new Date(Date.now() + sec * 1000).toISOString();

describe('scheduled downloads and installs', () => {
  test('2.0.1: DownloadScheduled while retrieveDateTime is ahead, InstallScheduled while installDateTime is', async () => {
    await started(csms, { id: 'SC201', protocol: 'ocpp2.0.1', profile: 2 });
    const res = await updateFirmware(csms, 'SC201', 'ocpp2.0.1', { requestId: 5, location: 'https://fw.example.com/r/5.4.0-r7/image.swu', retrieveAt: inSec(30), installAt: inSec(600) });
    expect(res).toEqual({ status: 'Accepted' });
    await expectSequence(csms, 'SC201', [
      'DownloadScheduled',
      'Downloading',
      'Downloaded',
      'InstallScheduled',
      'Installing',
      'InstallRebooting',
      'Boot FirmwareUpdate 5.4.0-r7',
      'Installed',
      'Security FirmwareUpdated',
    ]);
    expect(csms.callsFor('SC201', 'FirmwareStatusNotification').every((c) => c.params.requestId === 5)).toBe(true);
  });

  test('1.6 signed: the same scheduling statuses in SignedFirmwareStatusNotification', async () => {
    await started(csms, { id: 'SC16S', protocol: 'ocpp1.6' });
    const res = await updateFirmware(csms, 'SC16S', 'signed', { requestId: 6, location: 'https://fw.example.com/vw22-3.6.2.bin', retrieveAt: inSec(30), installAt: inSec(600) });
    expect(res).toEqual({ status: 'Accepted' });
    await expectSequence(csms, 'SC16S', [
      'DownloadScheduled',
      'Downloading',
      'Downloaded',
      'SignatureVerified',
      'InstallScheduled',
      'Installing',
      'InstallRebooting',
      'Boot 3.6.2',
      'Installed',
      'Security FirmwareUpdated',
    ]);
    expect(csms.callsFor('SC16S', 'SignedFirmwareStatusNotification').every((c) => c.params.requestId === 6)).toBe(true);
    expect(csms.callsFor('SC16S', 'FirmwareStatusNotification')).toEqual([]);
  });

  test('1.6 core: a future retrieveDate delays the download without a status of its own', async () => {
    await started(csms, { id: 'SC16', protocol: 'ocpp1.6' });
    expect(await updateFirmware(csms, 'SC16', 'ocpp1.6', { location: 'https://fw.example.com/vw22-3.6.2.bin', retrieveAt: inSec(300) })).toEqual({});
    // 100 simulated seconds in: nothing yet.
    await new Promise((r) => setTimeout(r, 100));
    expect(firmwareSequence(csms, 'SC16')).toEqual([]);
    await waitFor(() => firmwareSequence(csms, 'SC16').length > 0, 5000, 'Downloading');
    expect(firmwareSequence(csms, 'SC16')).toEqual(['Downloading']);
  });
});

describe('a new request while one runs', () => {
  test.each([
    ['ocpp2.0.1', 'ocpp2.0.1-signed'],
    ['ocpp2.0.1', 'ocpp2.0.1'],
    ['ocpp1.6', 'signed'],
  ] as const)('%s (%s): AcceptedCanceled drops the pending update and runs the new one', async (protocol, kind) => {
    const id = `CX-${protocol}-${kind}`.replace(/\./g, '');
    const s = await started(csms, { id, protocol, profile: protocol === 'ocpp1.6' ? 0 : 2 });
    expect(await updateFirmware(csms, id, kind, { requestId: 41, location: 'https://fw.example.com/img.bin?version=7.0.0', retrieveAt: inSec(3600) })).toEqual({ status: 'Accepted' });
    await waitFor(() => firmwareSequence(csms, id).includes('DownloadScheduled'), 5000, 'DownloadScheduled');
    expect(await updateFirmware(csms, id, kind, { requestId: 42, location: 'https://fw.example.com/img.bin?version=7.1.0', retrieveAt: inSec(0) })).toEqual({ status: 'AcceptedCanceled' });
    await waitFor(() => firmwareSequence(csms, id).includes('Installed'), 5000, 'Installed');
    const calls = csms.callsFor(id, ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification']);
    expect(calls.map((c) => `${c.params.status} ${c.params.requestId}`)).toEqual([
      'DownloadScheduled 41',
      'Downloading 42',
      'Downloaded 42',
      ...(kind === 'ocpp2.0.1' ? [] : ['SignatureVerified 42']),
      'Installing 42',
      'InstallRebooting 42',
      'Installed 42',
    ]);
    expect(s.firmwareVersion).toBe('7.1.0');
  });

  test('1.6 core: a second UpdateFirmware replaces a pending one (its .conf cannot say so)', async () => {
    const s = await started(csms, { id: 'CX16', protocol: 'ocpp1.6' });
    await updateFirmware(csms, 'CX16', 'ocpp1.6', { location: 'https://fw.example.com/fw-3.5.0.bin', retrieveAt: inSec(3600) });
    await updateFirmware(csms, 'CX16', 'ocpp1.6', { location: 'https://fw.example.com/fw-3.6.2.bin', retrieveAt: inSec(0) });
    await expectSequence(csms, 'CX16', ['Downloading', 'Downloaded', 'Installing', 'Boot 3.6.2', 'Installed']);
    expect(s.firmwareVersion).toBe('3.6.2');
  });

  test.each(['ocpp2.0.1', 'signed'] as const)('%s: once Installing, a new request is Rejected and the running one completes', async (kind) => {
    const protocol = kind === 'signed' ? 'ocpp1.6' : 'ocpp2.0.1';
    const id = `RJ-${kind}`.replace(/\./g, '');
    // Slow enough for the second request to arrive while Installing (5–20 simulated seconds).
    const s = await started(csms, { id, protocol, profile: protocol === 'ocpp1.6' ? 0 : 2, speed: 20 });
    await updateFirmware(csms, id, kind, { requestId: 1, location: 'https://fw.example.com/img.bin?version=8.0', retrieveAt: inSec(0) });
    await waitFor(() => firmwareSequence(csms, id).includes('Installing'), 10000, 'Installing');
    const res = await updateFirmware(csms, id, kind, { requestId: 2, location: 'https://fw.example.com/img.bin?version=9.0', retrieveAt: inSec(0) });
    expect(res.status).toBe('Rejected');
    await waitFor(() => firmwareSequence(csms, id).includes('Installed'), 10000, 'Installed');
    expect(s.firmwareVersion).toBe('8.0');
  });
});

describe('charging during the window', () => {
  /** Firmware statuses, boots, connector statuses (`c<n> <status>`, connector 0 left out) and transaction ends, from `from` on. */
  const events = (id: string, from: number) =>
    csms.calls
      .filter((c) => c.identity === id && c.seq > from)
      .flatMap((c) => {
        const p = c.params;
        switch (c.action) {
          case 'FirmwareStatusNotification':
          case 'SignedFirmwareStatusNotification':
            return [p.status];
          case 'BootNotification':
            return ['Boot'];
          case 'StatusNotification':
            return p.connectorId === 0 && p.evseId === undefined ? [] : [`c${p.evseId ?? p.connectorId} ${p.status ?? p.connectorStatus}`];
          case 'StopTransaction':
            return ['Stop'];
          case 'TransactionEvent':
            return p.eventType === 'Ended' ? ['Stop'] : p.eventType === 'Started' ? [`Start c${p.evse.id}`] : [];
          default:
            return [];
        }
      });
  const before = (list: string[], a: string, b: string) => list.indexOf(a) >= 0 && list.indexOf(a) < list.indexOf(b);

  test.each([
    ['ocpp1.6', 'ocpp1.6'],
    ['ocpp1.6', 'signed'],
    ['ocpp2.0.1', 'ocpp2.0.1'],
  ] as const)('%s (%s): a session in progress delays the install; the idle connector is Unavailable meanwhile', async (protocol, kind) => {
    const id = `CW-${kind}`.replace(/\./g, '');
    const s = await started(csms, { id, protocol, profile: protocol === 'ocpp1.6' ? 0 : 2 });
    const session = s.forceSession(1, { ticks: 30, endReason: 'EVDisconnected' });
    await waitFor(() => s.connectors[0]!.tx !== undefined, 5000, 'session');
    const from = csms.mark();
    await updateFirmware(csms, id, kind, { requestId: 3, location: 'https://fw.example.com/img.bin?version=9.1' });
    await waitFor(() => s.actionLog.includes('firmware-wait: sessions running, others Unavailable'), 5000, 'waiting');
    // No new session while the install waits, neither local nor remote.
    await expect(s.forceSession(2, { ticks: 1 })).rejects.toThrow('firmware update pending');
    if (protocol === 'ocpp1.6') expect(await csms.command(id, 'RemoteStartTransaction', { connectorId: 2, idTag: 'TAG' })).toEqual({ status: 'Rejected' });
    else expect(await csms.command(id, 'RequestStartTransaction', { evseId: 2, remoteStartId: 1, idToken: { idToken: 'TAG', type: 'Central' } })).toEqual({ status: 'Rejected' });
    expect((await session).reason).toBe('EVDisconnected');
    await waitFor(() => firmwareSequence(csms, id).includes('Installed'), 5000, 'Installed');
    await waitFor(() => events(id, from).filter((e) => e === 'c2 Available').length === 1, 2000, 'c2 Available');
    const ev = events(id, from);
    expect(before(ev, 'Downloaded', 'c2 Unavailable')).toBe(true);
    expect(before(ev, 'c2 Unavailable', 'Stop')).toBe(true);
    expect(before(ev, 'Stop', 'Installing')).toBe(true);
    // Connector 2 stays Unavailable until the station is back from its reboot.
    expect(ev.slice(ev.indexOf('c2 Unavailable'), ev.indexOf('Boot'))).not.toContain('c2 Available');
    expect(before(ev, 'Boot', 'c2 Available')).toBe(true);
    expect(s.connectors.map((c) => c.status)).toEqual(['Available', 'Available']);
    expect(s.firmwareVersion).toBe('9.1');
  });

  test('2.0.1 with AllowNewSessionsPendingFirmwareUpdate: EVSEs stay Available, new sessions run, the install waits for them', async () => {
    const s = await started(csms, { id: 'CWA', protocol: 'ocpp2.0.1', profile: 2 });
    const set = await csms.command('CWA', 'SetVariables', {
      setVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'AllowNewSessionsPendingFirmwareUpdate' }, attributeValue: 'true' }],
    });
    expect(set.setVariableResult[0].attributeStatus).toBe('Accepted');
    const first = s.forceSession(1, { ticks: 20 });
    await waitFor(() => s.connectors[0]!.tx !== undefined, 5000, 'session');
    const from = csms.mark();
    await updateFirmware(csms, 'CWA', 'ocpp2.0.1', { requestId: 4, location: 'https://fw.example.com/img.bin?version=9.2' });
    await waitFor(() => s.actionLog.includes('firmware-wait: sessions running'), 5000, 'waiting');
    // A new session starts on the other EVSE while the install waits, and outlasts the first.
    const second = s.forceSession(2, { ticks: 40 });
    await first;
    await second;
    await waitFor(() => firmwareSequence(csms, 'CWA').includes('Installed'), 5000, 'Installed');
    const ev = events('CWA', from);
    expect(ev).not.toContain('c2 Unavailable');
    expect(ev).not.toContain('c1 Unavailable');
    expect(ev.filter((e) => e === 'Stop')).toHaveLength(2);
    expect(ev.lastIndexOf('Stop')).toBeLessThan(ev.indexOf('Installing'));
  });
});
