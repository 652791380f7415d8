/**
 * Drivers with tokens: the population is seeded and has the mix asked for, PIN drivers mistype before
 * the right PIN (each an Authorize, 2.0.1 type KeyCode), a cloned card starts sessions at two stations
 * at once, refused tokens start nothing, and a fleet without drivers is unchanged. The CLI flags.
 */
import { buildDriverPopulation, parseDriverMix } from '../../../src/simulator/drivers';
import { Fleet } from '../../../src/simulator/fleet';
import { parseSimulateArgs } from '../../../src/simulator/cli';
import { FakeCsms, makeStation, waitFor } from './fake-csms';

let csms: FakeCsms;
const running: Array<{ stop(): Promise<void> }> = [];
beforeAll(async () => {
  csms = await FakeCsms.start();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  for (const k of Object.keys(csms.handlers)) delete csms.handlers[k];
  csms.calls.length = 0;
});
afterAll(() => csms.close());

describe('buildDriverPopulation', () => {
  test('is seeded, has the mix and decides as a registry holding it would', () => {
    const a = buildDriverPopulation({ seed: 7, size: 400, clonedCards: 2 });
    expect(buildDriverPopulation({ seed: 7, size: 400, clonedCards: 2 }).drivers).toEqual(a.drivers);
    expect(buildDriverPopulation({ seed: 8, size: 400 }).drivers).not.toEqual(a.drivers);
    const count = (k: string) => a.drivers.filter((d) => d.kind === k).length;
    expect(count('valid')).toBeGreaterThan(220);
    for (const k of ['blocked', 'expired', 'unknown', 'pin']) expect(count(k)).toBeGreaterThan(5);
    for (const d of a.drivers) {
      const want = { valid: 'Accepted', pin: 'Accepted', blocked: 'Blocked', expired: 'Expired', unknown: 'Invalid' }[d.kind as 'valid'];
      expect(a.decide(d.id, d.type)).toBe(want);
      if (d.kind === 'pin') {
        expect(d.typos.length).toBeGreaterThanOrEqual(1);
        expect(d.typos).not.toContain(d.id);
        for (const t of d.typos) expect(a.decide(t, 'KeyCode')).toBe(a.drivers.some((x) => x.type === 'KeyCode' && x.id === t) ? 'Accepted' : 'Invalid');
      } else expect(d.id).toMatch(/^[0-9A-F]{8}([0-9A-F]{6})?$/);
    }
    expect(a.cloned).toHaveLength(2);
    for (const id of a.cloned) expect(a.decide(id)).toBe('Accepted');
    expect(a.decide('NEVERSEEN')).toBe('Invalid');
  });

  test('parseDriverMix', () => {
    expect(parseDriverMix('valid=60, pin=40')).toEqual({ valid: 60, blocked: 0, expired: 0, unknown: 0, pin: 40 });
    expect(() => parseDriverMix('valid=x')).toThrow(/kind=share/);
    expect(() => parseDriverMix('stolen=1')).toThrow(/kind=share/);
    expect(() => parseDriverMix('valid=0')).toThrow(/positive/);
  });
});

describe('stations with drivers', () => {
  test('a PIN driver mistypes first: wrong PINs, then the right one, all KeyCode (2.0.1)', async () => {
    const drivers = buildDriverPopulation({ seed: 3, size: 8, mix: { valid: 0, blocked: 0, expired: 0, unknown: 0, pin: 1 } });
    const right = new Set(drivers.drivers.map((d) => d.id));
    csms.handlers.Authorize = (_id, p) => ({ idTokenInfo: { status: right.has(p.idToken.idToken) ? 'Accepted' : 'Invalid' } });
    const s = makeStation(csms, { id: 'PIN-1', protocol: 'ocpp2.0.1', profile: 2, drivers });
    running.push(s);
    await s.start();
    await s.whenAccepted();
    const done = s.forceSession(1, { ticks: 1 });
    await done;
    const auths = csms.callsFor('PIN-1', 'Authorize').map((c) => c.params.idToken);
    expect(auths.length).toBeGreaterThanOrEqual(2);
    for (const t of auths) expect(t.type).toBe('KeyCode');
    expect(right.has(auths[auths.length - 1].idToken)).toBe(true);
    for (const t of auths.slice(0, -1)) expect(right.has(t.idToken)).toBe(false);
    const started = csms.callsFor('PIN-1', 'TransactionEvent').find((c) => c.params.eventType === 'Started' || c.params.idToken);
    expect(started?.params.idToken).toEqual({ idToken: auths[auths.length - 1].idToken, type: 'KeyCode' });
  });

  test('a blocked card is refused and starts no transaction (1.6)', async () => {
    const drivers = buildDriverPopulation({ seed: 4, size: 4, mix: { valid: 0, blocked: 1, expired: 0, unknown: 0, pin: 0 } });
    csms.handlers.Authorize = (_id, p) => ({ idTagInfo: { status: drivers.decide(p.idTag) } });
    const s = makeStation(csms, { id: 'BLK-1', protocol: 'ocpp1.6', drivers });
    running.push(s);
    await s.start();
    await s.whenAccepted();
    await expect(s.forceSession(1)).rejects.toThrow(/Blocked/);
    expect(csms.callsFor('BLK-1', 'StartTransaction')).toEqual([]);
    expect(drivers.drivers.map((d) => d.id)).toContain(csms.callsFor('BLK-1', 'Authorize')[0]!.params.idTag);
  });

  test('a cloned card: the same UID in overlapping sessions at the first and the last station', async () => {
    const fleet = new Fleet({ url: csms.url, count: 4, seed: 5, speed: 1000, meterIntervalSec: 10, autoSessions: false, faultProbability: 0, disconnectProbability: 0, drivers: { clonedCards: 1, clonedEverySec: 0 } });
    running.push(fleet);
    await fleet.start();
    await fleet.whenAllAccepted();
    const [a, b] = fleet.clonedCardStations(0)!;
    expect([a.id, b.id]).toEqual([fleet.stations[0]!.id, fleet.stations[3]!.id]);
    const uid = fleet.drivers!.cloned[0]!;
    const run = fleet.runClonedCard(0, 30);
    await waitFor(() => a.connectors.some((c) => c.tx?.idTag === uid) && b.connectors.some((c) => c.tx?.idTag === uid), 5000, 'both sessions open');
    await run;
    expect(fleet.clonedCardStations(1)).toBeUndefined();
  });

  test('without drivers a fleet draws the same tags as before', () => {
    const plain = new Fleet({ url: csms.url, count: 2, seed: 9 });
    const again = new Fleet({ url: csms.url, count: 2, seed: 9 });
    expect(plain.drivers).toBeUndefined();
    expect(plain.identities).toEqual(again.identities);
  });
});

describe('CLI', () => {
  test('--drivers and --cloned-cards', () => {
    expect(parseSimulateArgs(['--drivers', 'valid=70,pin=30', '--cloned-cards', '2']).fleet.drivers).toEqual({ mix: { valid: 70, blocked: 0, expired: 0, unknown: 0, pin: 30 }, clonedCards: 2 });
    expect(parseSimulateArgs([]).fleet.drivers).toBeUndefined();
    expect(() => parseSimulateArgs(['--cloned-cards', '1'])).toThrow(/needs --drivers/);
    expect(() => parseSimulateArgs(['--drivers', 'nope=1'])).toThrow(/^--drivers: /);
  });
});
