import { buildIdTags, buildStationIdentities, firmwareFromLocation, PROFILES } from '../../../src/simulator/profiles';
import { hashSeed, mulberry32, Rng } from '../../../src/simulator/random';

describe('seeded random', () => {
  test('mulberry32 repeats for a seed and differs across seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const sa = Array.from({ length: 50 }, a);
    expect(Array.from({ length: 50 }, b)).toEqual(sa);
    expect(Array.from({ length: 50 }, c)).not.toEqual(sa);
    for (const v of sa) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
  });

  test('Rng helpers stay in range and forks are independent of draws', () => {
    const r = new Rng(123);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      expect([3, 4, 5]).toContain(n);
      const e = r.exp(10, 1, 40);
      expect(e).toBeGreaterThanOrEqual(1);
      expect(e).toBeLessThanOrEqual(40);
    }
    const f1 = new Rng(123).fork('x').next();
    const used = new Rng(123);
    used.next();
    used.next();
    expect(used.fork('x').next()).toBe(f1);
    expect(new Rng(123).fork('y').next()).not.toBe(f1);
    expect(hashSeed(1, 'a')).not.toBe(hashSeed(1, 'b'));
    expect(Rng.perTick(0, 10)).toBe(0);
    expect(Rng.perTick(0.5, 3600)).toBeCloseTo(0.5);
  });

  test('same seed gives the same fleet identities; another seed a different one', () => {
    const opts = { count: 40, ocpp201Share: 0.25, connectors: 2, seed: 99, prefix: 'T-' };
    const a = buildStationIdentities(opts);
    const b = buildStationIdentities(opts);
    expect(b).toEqual(a);
    expect(buildStationIdentities({ ...opts, seed: 100 })).not.toEqual(a);
    expect(a.filter((s) => s.protocol === 'ocpp2.0.1')).toHaveLength(10);
    expect(a[0].stationId).toBe('T-0001');
    // several vendors/models and firmware versions appear
    expect(new Set(a.map((s) => s.profile.model)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(a.map((s) => s.firmwareVersion)).size).toBeGreaterThanOrEqual(4);
    for (const s of a) {
      expect(s.profile.firmwareVersions).toContain(s.firmwareVersion);
      expect(s.serialNumber.startsWith(s.profile.serialPrefix)).toBe(true);
      expect(s.serialNumber.length).toBeLessThanOrEqual(25);
    }
    expect(buildIdTags(99)).toEqual(buildIdTags(99));
    expect(buildIdTags(99)[0]).toMatch(/^04[0-9A-F]{12}$/);
  });

  test('profiles fit OCPP field limits', () => {
    expect(PROFILES.length).toBeGreaterThanOrEqual(4);
    for (const p of PROFILES) {
      expect(p.vendor.length).toBeLessThanOrEqual(20);
      expect(p.model.length).toBeLessThanOrEqual(20);
      expect(p.firmwareVersions.length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(PROFILES.map((p) => p.kind))).toEqual(new Set(['AC', 'DC']));
    expect(new Set(PROFILES.map((p) => p.energyUnit))).toEqual(new Set(['Wh', 'kWh']));
  });

  test('firmware target comes from the file name, else the next release', () => {
    const p = PROFILES[0];
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/vw22/vw22-3.6.2.bin')).toBe('3.6.2');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/latest')).toBe('3.5.0');
    expect(firmwareFromLocation(p, '3.6.2', 'ftp://fw.example.com/latest')).toBe('3.6.3');
  });

  test('firmware target convention: a version query parameter, then the path from its end, never the host', () => {
    const p = PROFILES[0];
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/catalogue/release/42?version=3.6.2')).toBe('3.6.2');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/img-1.0.bin?sig=x&version=5.4.0-r7')).toBe('5.4.0-r7');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/img.bin?version=1.0%2Bb7')).toBe('1.0+b7');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/releases/3.6.2/image.bin')).toBe('3.6.2');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/amperon/hyperdc-5.4.0-r7.swu')).toBe('5.4.0-r7');
    expect(firmwareFromLocation(p, '3.4.1', 'https://fw.example.com/x/fw-1.5.2.0.tar.gz')).toBe('1.5.2.0');
    expect(firmwareFromLocation(p, '3.4.1', 'ftp://user@fw2.0.example.com:21/latest')).toBe('3.5.0');
    expect(firmwareFromLocation(p, '3.4.1', `https://fw.example.com/img.bin?version=${'9'.repeat(60)}`)).toHaveLength(50);
  });
});
