import fc from 'fast-check';
import { checkFirmwareLocation, validateFirmwareRelease } from '../../../src/firmware/firmware-validation';
import { chooseForm, commandParams } from '../../../src/firmware/firmware-command';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const good = { vendor: 'Alfen', model: 'Eve Single', version: '5.4.0-r7', location: 'https://fw.example.com/eve/5.4.0.bin' };

describe('firmware release validation', () => {
  it('accepts a minimal and a full release, normalising the checksum', () => {
    expect(validateFirmwareRelease(good)).toEqual({ ok: true, release: { ...good, versionMatch: { mode: 'exact' } } });
    const full = validateFirmwareRelease({ ...good, checksum: 'AB'.repeat(32), signingCertificate: CERT, signature: 'c2lnbmF0dXJl', releaseNotes: 'fixes', minPriorVersion: '5.0', versionMatch: { mode: 'before', separator: '/' } });
    expect(full.ok && full.release).toMatchObject({ checksum: 'ab'.repeat(32), signature: 'c2lnbmF0dXJl', versionMatch: { mode: 'before', separator: '/' } });
  });

  it('refuses what OCPP cannot carry, naming each field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...good, vendor: 'V'.repeat(21) }, /vendor must be at most 20/],
      [{ ...good, model: '' }, /model must not be empty/],
      [{ ...good, version: 'v'.repeat(51) }, /version must be at most 50/],
      [{ ...good, location: `https://x.example/${'a'.repeat(500)}` }, /location must be at most 512/],
      [{ ...good, location: 'file:///etc/passwd' }, /location must be a http, https, ftp, ftps, sftp URL/],
      [{ ...good, location: 'javascript:alert(1)' }, /location must be a/],
      [{ ...good, location: 'fw.bin' }, /absolute URL/],
      [{ ...good, location: 'https://x.example/a b' }, /white space/],
      [{ ...good, checksum: 'abc' }, /sha256/],
      [{ ...good, signingCertificate: CERT }, /both or neither/],
      [{ ...good, signature: 'c2ln' }, /both or neither/],
      [{ ...good, signingCertificate: 'x'.repeat(5501), signature: 'c2ln' }, /at most 5500/],
      [{ ...good, signingCertificate: 'not a pem', signature: 'c2ln' }, /PEM/],
      [{ ...good, signingCertificate: CERT, signature: 'not base64!' }, /base64/],
      [{ ...good, signingCertificate: CERT, signature: 'A'.repeat(804) }, /at most 800/],
      [{ ...good, versionMatch: { mode: 'regex', pattern: '^(a+)+$' } }, /versionMatch/],
      [{ ...good, extra: 1 }, /unknown field extra/],
      [{ ...good, vendor: ' Alfen' }, /white space/],
    ];
    for (const [body, error] of cases) {
      const r = validateFirmwareRelease(body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join('; ')).toMatch(error);
    }
    expect(validateFirmwareRelease(null).ok).toBe(false);
    expect(validateFirmwareRelease([]).ok).toBe(false);
  });

  it('takes every scheme stations download from', () => {
    for (const s of ['http', 'https', 'ftp', 'ftps', 'sftp']) expect(checkFirmwareLocation(`${s}://host.example/fw.bin`)).toBeUndefined();
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(fc.property(fc.anything(), (x) => {
      expect(() => validateFirmwareRelease(x)).not.toThrow();
      expect(() => validateFirmwareRelease({ ...good, location: x })).not.toThrow();
    }));
  });
});

describe('the update form and command', () => {
  const release = { id: '1', vendor: 'V', model: 'M', version: '2.0', location: 'https://x/fw.bin', versionMatch: { mode: 'exact' as const }, signed: true, signingCertificate: CERT, signature: 'c2ln', createdAt: new Date(0), createdBy: 'ann' };
  it('chooses the form per protocol, release and what the station taught us', () => {
    expect(chooseForm('ocpp1.6', release, undefined)).toBe('plain');
    expect(chooseForm('ocpp1.6', release, 'signed')).toBe('signed');
    expect(chooseForm('ocpp1.6', release, 'plain')).toBe('plain');
    expect(chooseForm('ocpp1.6', { signed: false }, 'signed')).toBe('plain');
    expect(chooseForm('ocpp2.0.1', release, 'plain')).toBe('signed');
    expect(chooseForm('ocpp2.0.1', { signed: false }, undefined)).toBe('plain');
  });

  it('builds UpdateFirmware: no requestId or install time for 1.6 plain; certificate and signature only when signed', () => {
    const u = { id: '42', requestedAt: Date.parse('2026-01-01T00:00:00Z'), installAt: Date.parse('2026-01-02T00:00:00Z') };
    expect(commandParams({ ...u, protocol: 'ocpp1.6' }, release, 'plain')).toEqual({ location: 'https://x/fw.bin', retrieveAt: '2026-01-01T00:00:00.000Z' });
    expect(commandParams({ ...u, protocol: 'ocpp1.6' }, release, 'signed')).toEqual({
      location: 'https://x/fw.bin',
      retrieveAt: '2026-01-01T00:00:00.000Z',
      installAt: '2026-01-02T00:00:00.000Z',
      requestId: 42,
      signingCertificate: CERT,
      signature: 'c2ln',
    });
    expect(commandParams({ ...u, protocol: 'ocpp2.0.1' }, release, 'plain')).toMatchObject({ requestId: 42, installAt: '2026-01-02T00:00:00.000Z' });
    expect(commandParams({ ...u, protocol: 'ocpp2.0.1' }, release, 'plain').signature).toBeUndefined();
  });
});
