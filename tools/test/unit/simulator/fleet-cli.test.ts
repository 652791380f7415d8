import { parseSimulateArgs, simulateCommand, SIMULATE_HELP } from '../../../src/simulator/cli';
import { FIRMWARE_FAILURE_MODES } from '../../../src/simulator/firmware';
import { Fleet, formatSummary } from '../../../src/simulator/fleet';
import { FakeCsms, waitFor } from './fake-csms';

let csms: FakeCsms;
beforeEach(async () => {
  csms = await FakeCsms.start();
});
afterEach(async () => {
  jest.restoreAllMocks();
  await csms.close();
});

test('Fleet runs a mixed fleet and reports stats', async () => {
  const fleet = new Fleet({
    count: 6,
    ocpp201Share: 0.5,
    connectors: 2,
    url: csms.url,
    seed: 3,
    speed: 2000,
    meterIntervalSec: 30,
    idleMeanSec: 60,
    prefix: 'FL-',
    faultProbability: 0,
    disconnectProbability: 0,
  });
  try {
    expect(fleet.stations.map((s) => s.id)).toEqual(['FL-0001', 'FL-0002', 'FL-0003', 'FL-0004', 'FL-0005', 'FL-0006']);
    await fleet.start();
    await fleet.whenAllAccepted(5000);
    await waitFor(() => fleet.stats().sessionsCompleted >= 6, 20000, 'sessions');
    const st = fleet.stats();
    expect(st.stations).toBe(6);
    expect(st.byVersion).toEqual({ 'ocpp1.6': 3, 'ocpp2.0.1': 3 });
    expect(st.accepted).toBe(6);
    expect(st.errors).toBe(0);
    expect(st.messagesSent).toBeGreaterThan(50);
    expect(st.energyDeliveredWh).toBeGreaterThan(0);
    expect(Object.keys(st.firmware)).toHaveLength(6);
    for (const s of fleet.stations) expect(st.firmware[s.id]).toBe(s.firmwareVersion);
    // every station connected with its own protocol
    const protocols = new Set([...csms.clients.values()].map((c) => c.protocol));
    expect(protocols).toEqual(new Set(['ocpp1.6', 'ocpp2.0.1']));
    expect(formatSummary(st)).toContain('stations 6 (1.6: 3, 2.0.1: 3)');
    expect(csms.validationFailures).toEqual([]);
  } finally {
    await fleet.stop();
  }
  expect(fleet.stats().connected).toBe(0);
});

test('random faults and disconnects happen and recover', async () => {
  const fleet = new Fleet({
    count: 4,
    url: csms.url,
    seed: 8,
    speed: 5000,
    meterIntervalSec: 60,
    idleMeanSec: 300,
    faultProbability: 0.9,
    disconnectProbability: 0.9,
  });
  try {
    await fleet.start();
    await waitFor(() => {
      const st = fleet.stats();
      return st.faults >= 2 && st.disconnects >= 2 && st.connects > 4 + 1;
    }, 20000, 'faults and reconnects');
    const st = fleet.stats();
    expect(st.errors).toBe(0);
    expect(csms.validationFailures).toEqual([]);
  } finally {
    await fleet.stop();
  }
});

describe('CLI', () => {
  test('parses flags with defaults and validation', () => {
    const a = parseSimulateArgs([]);
    expect(a.fleet).toMatchObject({ count: 10, ocpp201Share: 0.5, connectors: 2, meterIntervalSec: 60, seed: 1, speed: 1, url: 'ws://127.0.0.1:9000/ocpp' });
    expect(a.durationSec).toBe(0);
    const b = parseSimulateArgs('--count 50 --ocpp201-share 0.2 --connectors 1 --meter-interval 10 --seed 9 --url ws://h:1/ocpp --duration 30 --speed 60 --prefix X- --heartbeat-interval 15 --fault-probability 0.1'.split(' '));
    expect(b.fleet).toMatchObject({ count: 50, ocpp201Share: 0.2, connectors: 1, meterIntervalSec: 10, seed: 9, url: 'ws://h:1/ocpp', speed: 60, prefix: 'X-', heartbeatIntervalSec: 15, faultProbability: 0.1 });
    expect(b.durationSec).toBe(30);
    expect(() => parseSimulateArgs(['--count', 'lots'])).toThrow('--count');
    expect(() => parseSimulateArgs(['--ocpp201-share', '2'])).toThrow('--ocpp201-share');
    expect(() => parseSimulateArgs(['--url', 'http://x'])).toThrow('--url');
    expect(() => parseSimulateArgs(['--nope'])).toThrow();
    expect(parseSimulateArgs(['-h']).help).toBe(true);
    expect(a.fleet.firmwareFailures).toBeUndefined();
    expect(parseSimulateArgs(['--firmware-failures', 'installFailed=0.05, neverReturns=0.01']).fleet.firmwareFailures).toEqual({ installFailed: 0.05, neverReturns: 0.01 });
    expect(() => parseSimulateArgs(['--firmware-failures', 'installFailed'])).toThrow('--firmware-failures: expected mode=probability');
    expect(() => parseSimulateArgs(['--firmware-failures', 'bricked=0.1'])).toThrow('--firmware-failures: firmware failure mode "bricked"');
    expect(() => parseSimulateArgs(['--firmware-failures', 'installFailed=0.7,downloadFailed=0.7'])).toThrow('at most 1');
    for (const mode of FIRMWARE_FAILURE_MODES) expect(SIMULATE_HELP).toContain(mode);
    expect(SIMULATE_HELP).toContain('?version=3.6.2');
    for (const flag of ['--count', '--ocpp201-share', '--connectors', '--meter-interval', '--seed', '--url', '--duration', '--speed']) {
      expect(SIMULATE_HELP).toContain(flag);
    }
  });

  test('simulateCommand runs for --duration and stops cleanly', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await simulateCommand(['--count', '3', '--url', csms.url, '--duration', '0.6', '--speed', '1000', '--summary-interval', '0.2', '--seed', '4']);
    const lines = log.mock.calls.map((c) => String(c[0]));
    expect(lines[0]).toMatch(/^simulate: 3 stations/);
    expect(lines.some((l) => l.includes('online 3/3'))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^simulate: stopped\./);
    await waitFor(() => csms.clients.size === 0, 2000, 'stations disconnected');
  });

  test('simulateCommand stops on SIGTERM', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const before = process.listenerCount('SIGTERM');
    const run = simulateCommand(['--count', '2', '--url', csms.url, '--quiet', '--speed', '100']);
    await waitFor(() => csms.clients.size === 2, 3000, 'connected');
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM', 'SIGTERM');
    await run;
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(log.mock.calls.some((c) => String(c[0]).includes('SIGTERM, stopping'))).toBe(true);
  });

  test('--help prints the help text', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await simulateCommand(['--help']);
    expect(write).toHaveBeenCalledWith(SIMULATE_HELP);
  });
});
