import fc from 'fast-check';
import {
  FIRMWARE_STATUSES_16,
  FIRMWARE_STATUSES_SECURE,
  DEFAULT_FIRMWARE_TIMEOUTS,
  classifyFirmwareStatus,
  firmwareRequestId,
  firmwareTimeoutDue,
  firmwareVersionMatches,
  parseVersionMatch,
} from '../../src/firmware';
import { compareEventKeys } from '../../src/journal-entry';

describe('firmware statuses', () => {
  it('classifies every status of the three forms', () => {
    for (const s of [...FIRMWARE_STATUSES_16, ...FIRMWARE_STATUSES_SECURE]) expect(classifyFirmwareStatus(s)).toBeDefined();
    expect(FIRMWARE_STATUSES_16).toHaveLength(7);
    expect(FIRMWARE_STATUSES_SECURE).toHaveLength(14);
    expect(classifyFirmwareStatus('InstallRebooting')).toEqual({ stage: 'rebooting' });
    expect(classifyFirmwareStatus('SignatureVerified')).toEqual({ stage: 'verified-signature' });
    expect(classifyFirmwareStatus('InvalidSignature')).toEqual({ stage: 'failed', reason: 'InvalidSignature' });
    expect(classifyFirmwareStatus('DownloadScheduled')).toEqual({ stage: 'scheduled' });
    expect(classifyFirmwareStatus('Idle')).toEqual({ stage: 'idle' });
    expect(classifyFirmwareStatus('toString')).toBeUndefined();
    expect(classifyFirmwareStatus('VendorSpecific')).toBeUndefined();
  });
});

describe('version matching', () => {
  it('exact, prefix and before', () => {
    expect(firmwareVersionMatches('1.5.2', '1.5.2', { mode: 'exact' })).toBe(true);
    expect(firmwareVersionMatches(' 1.5.2 ', '1.5.2', { mode: 'exact' })).toBe(true);
    expect(firmwareVersionMatches('1.5.2-b7', '1.5.2', { mode: 'exact' })).toBe(false);
    expect(firmwareVersionMatches('1.5.2-b7', '1.5.2', { mode: 'prefix' })).toBe(true);
    expect(firmwareVersionMatches('1.20', '1.2', { mode: 'prefix' })).toBe(false);
    expect(firmwareVersionMatches('1.2 (EU)', '1.2', { mode: 'prefix' })).toBe(true);
    expect(firmwareVersionMatches('289/1.5.2.0', '289', { mode: 'before', separator: '/' })).toBe(true);
    expect(firmwareVersionMatches('289/1.5.2.0', '289/1.6.0.0', { mode: 'before', separator: '/' })).toBe(true);
    expect(firmwareVersionMatches('2890/1.5.2.0', '289', { mode: 'before', separator: '/' })).toBe(false);
    expect(firmwareVersionMatches(undefined, '289', { mode: 'exact' })).toBe(false);
    expect(firmwareVersionMatches('', '', { mode: 'exact' })).toBe(false);
    expect(firmwareVersionMatches('/x', '/y', { mode: 'before', separator: '/' })).toBe(false);
  });

  it('a version always matches itself; exact implies prefix; no input throws (property)', () => {
    const version = fc.string({ minLength: 1, maxLength: 50 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(version, fc.string({ maxLength: 60 }), fc.constantFrom('/', ' ', '-', '::'), (v, other, sep) => {
        expect(firmwareVersionMatches(v, v, { mode: 'exact' })).toBe(true);
        expect(firmwareVersionMatches(v, v, { mode: 'prefix' })).toBe(true);
        if (firmwareVersionMatches(other, v, { mode: 'exact' })) expect(firmwareVersionMatches(other, v, { mode: 'prefix' })).toBe(true);
        // before: symmetric, and equal to exact on what precedes the separator.
        const b = firmwareVersionMatches(other, v, { mode: 'before', separator: sep });
        expect(firmwareVersionMatches(v, other, { mode: 'before', separator: sep })).toBe(other.trim() === '' ? false : b);
        if (b) expect(firmwareVersionMatches(`${other.split(sep)[0]}`, `${v.split(sep)[0]}`, { mode: 'exact' })).toBe(true);
      }),
    );
  });

  it('parses version matches from untrusted JSON', () => {
    expect(parseVersionMatch(undefined)).toEqual({ ok: true, match: { mode: 'exact' } });
    expect(parseVersionMatch({ mode: 'prefix' })).toEqual({ ok: true, match: { mode: 'prefix' } });
    expect(parseVersionMatch({ mode: 'before', separator: '/' })).toEqual({ ok: true, match: { mode: 'before', separator: '/' } });
    for (const bad of [{ mode: 'regex', pattern: '(a+)+' }, { mode: 'before' }, { mode: 'before', separator: '' }, { mode: 'before', separator: '/////x' }, { mode: 'exact', separator: '/' }, [], 'exact', { mode: 'exact', x: 1 }]) {
      expect(parseVersionMatch(bad).ok).toBe(false);
    }
  });
});

describe('stage timeouts', () => {
  const t = DEFAULT_FIRMWARE_TIMEOUTS;
  it('counts each stage from its start, the download from the retrieve time, the install start from the install time', () => {
    const h = 3_600_000;
    expect(firmwareTimeoutDue({ state: 'accepted', stageAt: 0 }, h - 1, t)).toBeUndefined();
    expect(firmwareTimeoutDue({ state: 'accepted', stageAt: 0 }, h + 1, t)).toBe('stage_timeout');
    expect(firmwareTimeoutDue({ state: 'accepted', stageAt: 0, retrieveAt: 5 * h }, 5.5 * h, t)).toBeUndefined();
    expect(firmwareTimeoutDue({ state: 'downloaded', stageAt: 0, installAt: 10 * h }, 11 * h, t)).toBeUndefined();
    expect(firmwareTimeoutDue({ state: 'downloaded', stageAt: 0, installAt: 10 * h }, 12.1 * h, t)).toBe('stage_timeout');
    expect(firmwareTimeoutDue({ state: 'installing', stage: 'installing', stageAt: 0 }, 0.6 * h, t)).toBe('stage_timeout');
    expect(firmwareTimeoutDue({ state: 'installing', stage: 'rebooting', stageAt: 0 }, 0.3 * h, t)).toBe('no_return');
    expect(firmwareTimeoutDue({ state: 'installed', stage: 'installed', stageAt: 0 }, 0.2 * h, t)).toBeUndefined();
    expect(firmwareTimeoutDue({ state: 'installed', stage: 'installed', stageAt: 0 }, 0.3 * h, t)).toBe('no_return');
    for (const state of ['verified', 'failed', 'cancelled'] as const) expect(firmwareTimeoutDue({ state, stageAt: 0 }, 100 * h, t)).toBeUndefined();
  });
});

describe('request ids and event keys', () => {
  it('derives a positive int32 from an update id', () => {
    expect(firmwareRequestId(1)).toBe(1);
    expect(firmwareRequestId('42')).toBe(42);
    expect(firmwareRequestId(0x7fffffff + 1)).toBe(1);
    expect(() => firmwareRequestId('x')).toThrow();
    fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
      const r = firmwareRequestId(n);
      expect(r >= 1 && r <= 0x7fffffff).toBe(true);
    }));
  });

  it('orders event keys as the journal does', () => {
    expect(compareEventKeys('1700000000000-0/3', '1700000000000-0/10')).toBeLessThan(0);
    expect(compareEventKeys('1700000000000-2/0', '1700000000000-10/0')).toBeLessThan(0);
    expect(compareEventKeys('1700000000001-0/0', '1700000000000-9/9')).toBeGreaterThan(0);
    expect(compareEventKeys('5-1/2', '5-1/2')).toBe(0);
  });
});
