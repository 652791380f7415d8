/**
 * The simulator's answers to the commands added for the command model: diagnostics and log uploads,
 * secure firmware updates (1.6 Security Whitepaper and 2.0.1), a whitepaper station refusing plain
 * UpdateFirmware, ExtendedTriggerMessage, and 2.0.1 UnlockConnector.
 */
import type { SimulatedStation } from '../../../src/simulator/station';
import { FakeCsms, makeStation, startStation, waitFor } from './fake-csms';

let csms: FakeCsms;
const stations: SimulatedStation[] = [];
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

beforeEach(async () => {
  csms = await FakeCsms.start();
});

afterEach(async () => {
  await Promise.all(stations.splice(0).map((s) => s.stop()));
  await csms.close();
});

const started = (...args: Parameters<typeof makeStation>) => startStation(...args, stations);

const statuses = (id: string, action: string) => csms.callsFor(id, action).map((c) => c.params);

describe('diagnostics and logs', () => {
  test('1.6 GetDiagnostics names the file, then reports Uploading and Uploaded', async () => {
    await started(csms, { id: 'DG16', protocol: 'ocpp1.6' });
    const res = await csms.command('DG16', 'GetDiagnostics', { location: 'ftp://logs.example.com/in' });
    expect(res.fileName).toMatch(/^diagnostics-DG16-\d+T\d+Z\.tar\.gz$/);
    await waitFor(() => statuses('DG16', 'DiagnosticsStatusNotification').length === 2, 5000, 'upload statuses');
    expect(statuses('DG16', 'DiagnosticsStatusNotification')).toEqual([{ status: 'Uploading' }, { status: 'Uploaded' }]);
    // Triggered afterwards: nothing is uploading.
    expect(await csms.command('DG16', 'TriggerMessage', { requestedMessage: 'DiagnosticsStatusNotification' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statuses('DG16', 'DiagnosticsStatusNotification').length === 3);
    expect(statuses('DG16', 'DiagnosticsStatusNotification')[2]).toEqual({ status: 'Idle' });
  });

  test('1.6 GetLog (security) reports LogStatusNotification with its requestId; a failing location fails', async () => {
    // Slow enough that the upload is still running when the second request arrives.
    await started(csms, { id: 'LG16', protocol: 'ocpp1.6', speed: 10 });
    const res = await csms.command('LG16', 'GetLog', { logType: 'SecurityLog', requestId: 11, log: { remoteLocation: 'https://fail.example.com/up' } });
    expect(res).toEqual({ status: 'Accepted', filename: expect.stringMatching(/^security-LG16-/) });
    // A second request while one runs is refused.
    expect(await csms.command('LG16', 'GetLog', { logType: 'SecurityLog', requestId: 12, log: { remoteLocation: 'https://x/' } })).toEqual({ status: 'Rejected' });
    await waitFor(() => statuses('LG16', 'LogStatusNotification').length === 2, 5000, 'log statuses');
    expect(statuses('LG16', 'LogStatusNotification')).toEqual([
      { status: 'Uploading', requestId: 11 },
      { status: 'UploadFailure', requestId: 11 },
    ]);
    expect(await csms.command('LG16', 'ExtendedTriggerMessage', { requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statuses('LG16', 'LogStatusNotification').length === 3);
    expect(await csms.command('LG16', 'ExtendedTriggerMessage', { requestedMessage: 'SignChargePointCertificate' })).toEqual({ status: 'NotImplemented' });
  });

  test('2.0.1 GetLog reports LogStatusNotification with its requestId; TriggerMessage asks for it', async () => {
    await started(csms, { id: 'LG201', protocol: 'ocpp2.0.1' });
    const res = await csms.command('LG201', 'GetLog', { logType: 'DiagnosticsLog', requestId: 5, log: { remoteLocation: 'https://logs.example.com/up' } });
    expect(res).toEqual({ status: 'Accepted', filename: expect.stringMatching(/^diagnostics-LG201-/) });
    await waitFor(() => statuses('LG201', 'LogStatusNotification').length === 2, 5000, 'log statuses');
    expect(statuses('LG201', 'LogStatusNotification')).toEqual([
      { status: 'Uploading', requestId: 5 },
      { status: 'Uploaded', requestId: 5 },
    ]);
    expect(await csms.command('LG201', 'TriggerMessage', { requestedMessage: 'LogStatusNotification' })).toEqual({ status: 'Accepted' });
    await waitFor(() => statuses('LG201', 'LogStatusNotification').length === 3);
    expect(statuses('LG201', 'LogStatusNotification')[2]).toEqual({ status: 'Idle' });
  });
});

describe('secure firmware updates', () => {
  test('1.6 SignedUpdateFirmware: signed statuses with requestId, SignatureVerified, the new version after the reboot', async () => {
    const s = await started(csms, { id: 'SF16', protocol: 'ocpp1.6' });
    const firmware = { location: 'https://fw.example.com/vw22-3.6.2.bin', retrieveDateTime: new Date().toISOString(), signature: 'c2ln' };
    expect(await csms.command('SF16', 'SignedUpdateFirmware', { requestId: 3, firmware: { ...firmware, signingCertificate: 'not a certificate' } })).toEqual({ status: 'InvalidCertificate' });
    expect(await csms.command('SF16', 'SignedUpdateFirmware', { requestId: 4, firmware: { ...firmware, signingCertificate: PEM } })).toEqual({ status: 'Accepted' });
    await waitFor(() => statuses('SF16', 'SignedFirmwareStatusNotification').some((p) => p.status === 'Installed'), 5000, 'Installed');
    expect(statuses('SF16', 'SignedFirmwareStatusNotification')).toEqual(
      ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting', 'Installed'].map((status) => ({ status, requestId: 4 })),
    );
    expect(csms.callsFor('SF16', 'FirmwareStatusNotification')).toEqual([]);
    expect(s.firmwareVersion).toBe('3.6.2');
  });

  test('1.6 whitepaper station: plain UpdateFirmware is a CALLERROR NotSupported', async () => {
    await started(csms, { id: 'WP16', protocol: 'ocpp1.6', signedFirmwareOnly: true });
    await expect(csms.command('WP16', 'UpdateFirmware', { location: 'https://fw.example.com/a.bin', retrieveDate: new Date().toISOString() })).rejects.toMatchObject({
      rpcErrorCode: 'NotSupported',
    });
  });

  test('2.0.1 UpdateFirmware with a signature verifies it; a bad certificate is refused', async () => {
    await started(csms, { id: 'SF201', protocol: 'ocpp2.0.1', profile: 2 });
    const firmware = { location: 'https://fw.example.com/amperon/hyperdc-5.4.0-r7.swu', retrieveDateTime: new Date().toISOString(), signature: 'c2ln' };
    expect(await csms.command('SF201', 'UpdateFirmware', { requestId: 8, firmware: { ...firmware, signingCertificate: 'nope' } })).toEqual({ status: 'InvalidCertificate' });
    expect(await csms.command('SF201', 'UpdateFirmware', { requestId: 9, firmware: { ...firmware, signingCertificate: PEM } })).toEqual({ status: 'Accepted' });
    await waitFor(() => statuses('SF201', 'FirmwareStatusNotification').some((p) => p.status === 'Installed'), 5000, 'Installed');
    expect(statuses('SF201', 'FirmwareStatusNotification').map((p) => p.status)).toEqual(['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting', 'Installed']);
  });
});

describe('2.0.1 UnlockConnector', () => {
  test('unlocks an idle connector, keeps one with a transaction locked, knows its connectors', async () => {
    const s = await started(csms, { id: 'UL201', protocol: 'ocpp2.0.1' });
    expect(await csms.command('UL201', 'UnlockConnector', { evseId: 1, connectorId: 1 })).toEqual({ status: 'Unlocked' });
    expect(await csms.command('UL201', 'UnlockConnector', { evseId: 9, connectorId: 1 })).toEqual({ status: 'UnknownConnector' });
    expect(await csms.command('UL201', 'UnlockConnector', { evseId: 1, connectorId: 2 })).toEqual({ status: 'UnknownConnector' });
    void s.forceSession(2, { ticks: 1000 }).catch(() => undefined);
    await waitFor(() => s.connectors[1]!.tx !== undefined, 5000, 'session');
    expect(await csms.command('UL201', 'UnlockConnector', { evseId: 2, connectorId: 1 })).toEqual({ status: 'OngoingAuthorizedTransaction' });
  });
});
