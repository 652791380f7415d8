/**
 * Each firmware outcome in each flavour of update — 1.6 core, 1.6 signed (SignedUpdateFirmware), 2.0.1
 * unsigned and 2.0.1 signed — with the exact sequence the station reports and the version it boots
 * with afterwards; plus the seeded choice of outcomes.
 */
import { Fleet } from '../../../src/simulator/fleet';
import { checkFirmwareFailureRates, pickFirmwareOutcome, type FirmwareOutcome } from '../../../src/simulator/firmware';
import type { SimulatedStation } from '../../../src/simulator/station';
import { FakeCsms, makeStation, startStation, waitFor } from './fake-csms';
import { expectSequence, firmwareSequence, updateFirmware, type UpdateKind } from './firmware-helpers';

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

const KINDS: UpdateKind[] = ['ocpp1.6', 'signed', 'ocpp2.0.1', 'ocpp2.0.1-signed'];
/** `T` is the target version, `V` the one the station ran before; `B` stands for the boot's 2.0.1 reason. */
const SEQUENCES: Record<FirmwareOutcome, Record<UpdateKind, string>> = {
  success: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, Boot T, Installed',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot T, Installed, Security FirmwareUpdated',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallRebooting, Boot B T, Installed, Security FirmwareUpdated',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot B T, Installed, Security FirmwareUpdated',
  },
  slowDownload: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, Boot T, Installed',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot T, Installed, Security FirmwareUpdated',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallRebooting, Boot B T, Installed, Security FirmwareUpdated',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot B T, Installed, Security FirmwareUpdated',
  },
  downloadFailed: {
    'ocpp1.6': 'Downloading, DownloadFailed',
    signed: 'Downloading, DownloadFailed',
    'ocpp2.0.1': 'Downloading, DownloadFailed',
    'ocpp2.0.1-signed': 'Downloading, DownloadFailed',
  },
  // Only a signed image has a signature to fail: unsigned updates succeed.
  invalidSignature: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, Boot T, Installed',
    signed: 'Downloading, Downloaded, InvalidSignature, Security InvalidFirmwareSignature',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallRebooting, Boot B T, Installed, Security FirmwareUpdated',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, InvalidSignature, Security InvalidFirmwareSignature',
  },
  installFailed: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, InstallationFailed',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing, InstallationFailed',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallationFailed',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing, InstallationFailed',
  },
  // 1.6 core has no InstallVerificationFailed status.
  installVerificationFailed: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, InstallationFailed',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing, InstallVerificationFailed',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallVerificationFailed',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing, InstallVerificationFailed',
  },
  // The station believes it installed; only the version at boot tells.
  oldVersionAfterReboot: {
    'ocpp1.6': 'Downloading, Downloaded, Installing, Installed, Boot V',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot V, Installed, Security FirmwareUpdated',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing, InstallRebooting, Boot B V, Installed, Security FirmwareUpdated',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing, InstallRebooting, Boot B V, Installed, Security FirmwareUpdated',
  },
  // Installing, then the connection drops for good.
  neverReturns: {
    'ocpp1.6': 'Downloading, Downloaded, Installing',
    signed: 'Downloading, Downloaded, SignatureVerified, Installing',
    'ocpp2.0.1': 'Downloading, Downloaded, Installing',
    'ocpp2.0.1-signed': 'Downloading, Downloaded, SignatureVerified, Installing',
  },
};

const TARGET = '9.9.9';
const cases = (Object.keys(SEQUENCES) as FirmwareOutcome[]).flatMap((outcome) => KINDS.map((kind) => [outcome, kind] as const));

describe.each(cases)('%s, %s', (outcome, kind) => {
  test('reports the exact sequence, then boots with the version it runs', async () => {
    const protocol = kind.startsWith('ocpp2.0.1') ? 'ocpp2.0.1' : 'ocpp1.6';
    const id = `M-${outcome}-${kind}`.replace(/\./g, '');
    const s = await started(csms, { id, protocol, profile: protocol === 'ocpp1.6' ? 0 : 2, firmwareOutcome: outcome });
    const before = s.firmwareVersion;
    const res = await updateFirmware(csms, id, kind, { requestId: 17, location: `https://fw.example.com/catalogue/img.bin?version=${TARGET}` });
    expect(res).toEqual(kind === 'ocpp1.6' ? {} : { status: 'Accepted' });
    const expected = SEQUENCES[outcome][kind]
      .split(', ')
      .map((e) => e.replace(/^Boot B/, 'Boot FirmwareUpdate').replace(/ T$/, ` ${TARGET}`).replace(/ V$/, ` ${before}`));
    await expectSequence(csms, id, expected, 8000, outcome === 'neverReturns' ? 300 : 100);

    const installed = expected.some((e) => e === `Boot ${TARGET}` || e === `Boot FirmwareUpdate ${TARGET}`);
    expect(s.firmwareVersion).toBe(installed ? TARGET : before);
    // Every firmware message carries the request id, except in 1.6 core, which has none.
    const fwCalls = csms.callsFor(id, ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification']);
    expect(fwCalls.every((c) => c.params.requestId === (kind === 'ocpp1.6' ? undefined : 17))).toBe(true);
    expect(csms.callsFor(id, kind === 'signed' ? 'FirmwareStatusNotification' : 'SignedFirmwareStatusNotification')).toEqual([]);
    expect(csms.validationFailures).toEqual([]);

    if (outcome === 'neverReturns') {
      expect(s.isConnected).toBe(false);
      expect(csms.clients.has(id)).toBe(false);
      expect(csms.callsFor(id, 'BootNotification')).toHaveLength(1);
      return;
    }
    if (expected.every((e) => !e.startsWith('Boot'))) {
      // No reboot came with the outcome: the next boot (a reset) still reports the old version.
      await csms.command(id, 'Reset', { type: protocol === 'ocpp1.6' ? 'Soft' : 'Immediate' });
      await waitFor(() => csms.callsFor(id, 'BootNotification').length === 2, 5000, 'boot after reset');
      const boot = csms.callsFor(id, 'BootNotification')[1]!.params;
      expect(boot.firmwareVersion ?? boot.chargingStation.firmwareVersion).toBe(before);
    }
    // Asked afterwards, the station repeats its last status, or Idle after Installed (1.6 core: Idle once over).
    const last = expected.filter((e) => !e.startsWith('Boot') && !e.startsWith('Security')).pop();
    const mark = csms.mark();
    await csms.command(id, 'TriggerMessage', { requestedMessage: 'FirmwareStatusNotification' });
    const triggered = () => csms.callsFor(id, ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification']).filter((c) => c.seq > mark);
    await waitFor(() => triggered().length === 1, 2000, 'triggered status');
    expect(triggered()[0]!.params.status).toBe(kind === 'ocpp1.6' || last === 'Installed' ? 'Idle' : last);
    // Every connector Available.
    await s.whenAccepted();
    expect(s.connectors.map((c) => c.status)).toEqual(['Available', 'Available']);
    if (outcome === 'slowDownload') {
      const seconds = s.actionLog.filter((l) => l.startsWith('firmware-download: ')).map((l) => Number.parseInt(l.slice(19), 10));
      expect(seconds[0]).toBeGreaterThanOrEqual(100);
    }
  });
});

describe('seeded outcomes', () => {
  const rates = { downloadFailed: 0.1, installFailed: 0.1, invalidSignature: 0.05, oldVersionAfterReboot: 0.05, neverReturns: 0.02, slowDownload: 0.1 };

  test('the same seed and rates give every station the same outcomes; another seed others', () => {
    const outcomes = (seed: number) => {
      const fleet = new Fleet({ count: 60, seed, url: csms.url, firmwareFailures: rates });
      return fleet.stations.map((s) => [1, 2, 3].map((n) => s.firmwareOutcome(n)).join(' '));
    };
    const a = outcomes(11);
    expect(outcomes(11)).toEqual(a);
    expect(outcomes(12)).not.toEqual(a);
    // Different updates of one station are drawn independently.
    expect(a.some((line) => new Set(line.split(' ')).size > 1)).toBe(true);
  });

  test('frequencies follow the rates; install failures split between the two statuses', () => {
    const counts: Record<string, number> = {};
    const n = 20_000;
    for (let seed = 1; seed <= n; seed++) {
      const o = pickFirmwareOutcome(seed, 1, rates);
      counts[o] = (counts[o] ?? 0) + 1;
    }
    expect(counts.downloadFailed! / n).toBeCloseTo(0.1, 1);
    expect((counts.installFailed! + counts.installVerificationFailed!) / n).toBeCloseTo(0.1, 1);
    expect(counts.installVerificationFailed! / counts.installFailed!).toBeGreaterThan(0.8);
    expect(counts.installVerificationFailed! / counts.installFailed!).toBeLessThan(1.25);
    expect(counts.neverReturns! / n).toBeGreaterThan(0.01);
    expect(counts.neverReturns! / n).toBeLessThan(0.03);
    expect(counts.success! / n).toBeCloseTo(0.58, 1);
    // No rates: everything succeeds.
    expect(pickFirmwareOutcome(7, 1, {})).toBe('success');
  });

  test('firmwareFailureFor names the exact stations; undefined leaves the seeded draw', () => {
    const fleet = new Fleet({
      count: 5,
      seed: 3,
      url: csms.url,
      firmwareFailures: { installFailed: 1 },
      firmwareFailureFor: (id, request) => (id === 'SIM-0002' ? 'neverReturns' : id === 'SIM-0004' && request === 1 ? 'success' : undefined),
    });
    const first = fleet.stations.map((s) => s.firmwareOutcome(1));
    expect(first[1]).toBe('neverReturns');
    expect(first[3]).toBe('success');
    for (const i of [0, 2, 4]) expect(['installFailed', 'installVerificationFailed']).toContain(first[i]);
    expect(['installFailed', 'installVerificationFailed']).toContain(fleet.stations[3]!.firmwareOutcome(2));
  });

  test('rates are checked', () => {
    expect(() => checkFirmwareFailureRates({ installFailed: 1.5 })).toThrow('installFailed');
    expect(() => checkFirmwareFailureRates({ installFailed: 0.6, downloadFailed: 0.6 })).toThrow('at most 1');
    expect(() => checkFirmwareFailureRates({ bricked: 0.1 } as never)).toThrow('"bricked"');
    expect(() => new Fleet({ count: 1, firmwareFailures: { neverReturns: -1 } })).toThrow('neverReturns');
  });

  test('a fleet with rates fails the drawn stations on their first update', async () => {
    const fleet = new Fleet({ count: 8, seed: 5, url: csms.url, speed: 1000, meterIntervalSec: 10, autoSessions: false, faultProbability: 0, disconnectProbability: 0, ocpp201Share: 0.5, firmwareFailures: { downloadFailed: 0.5 } });
    try {
      await fleet.start();
      await fleet.whenAllAccepted(5000);
      const expected = fleet.stations.map((s) => (s.firmwareOutcome(1) === 'downloadFailed' ? 'DownloadFailed' : 'Installed'));
      expect(new Set(expected)).toEqual(new Set(['DownloadFailed', 'Installed']));
      for (const s of fleet.stations) await updateFirmware(csms, s.id, s.version === 'ocpp1.6' ? 'ocpp1.6' : 'ocpp2.0.1', { location: 'https://fw.example.com/img.bin?version=10.0' });
      const terminal = (id: string) => firmwareSequence(csms, id).find((e) => e === 'DownloadFailed' || e === 'Installed');
      await waitFor(() => fleet.stations.every((s) => terminal(s.id) !== undefined), 8000, 'every update over');
      expect(fleet.stations.map((s) => terminal(s.id))).toEqual(expected);
      expect(fleet.stations.map((s) => s.firmwareVersion === '10.0')).toEqual(expected.map((e) => e === 'Installed'));
    } finally {
      await fleet.stop();
    }
  });
});
