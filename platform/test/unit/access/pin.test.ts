import fc from 'fast-check';
import { openPin, parseKey, pinHash, pinMatches, sealPin } from '../../../src/access/pin';

const secret = Buffer.alloc(32, 7);
const key = Buffer.alloc(32, 9);

describe('PIN helpers', () => {
  it('hashes with the secret: checkable, different under another secret, never the PIN', () => {
    const h = pinHash('1234', secret);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain('1234');
    expect(pinMatches('1234', h, secret)).toBe(true);
    expect(pinMatches('1235', h, secret)).toBe(false);
    expect(pinMatches('1234', h, Buffer.alloc(32, 8))).toBe(false);
    expect(pinMatches('1234', 'zz', secret)).toBe(false);
  });

  it('seals and opens any PIN; a fresh IV each time; tampering or another key fails (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 36 }), (pin) => {
        const a = sealPin(pin, key);
        expect(a).not.toContain(pin.length > 3 ? pin : '\u0000');
        expect(sealPin(pin, key)).not.toBe(a);
        expect(openPin(a, key)).toBe(pin);
        expect(() => openPin(a, Buffer.alloc(32, 1))).toThrow();
        const parts = a.split('.');
        const ct = Buffer.from(parts[3]!, 'base64url');
        ct[0] = ct[0]! ^ 1;
        expect(() => openPin([parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), key)).toThrow();
      }),
      { seed: 4, numRuns: 100 },
    );
  });

  it('reads keys as hex or base64 and refuses short ones naming the setting', () => {
    expect(parseKey('ab'.repeat(32), 'X', 32)).toHaveLength(32);
    expect(parseKey(Buffer.alloc(32, 3).toString('base64'), 'X', 32)).toHaveLength(32);
    expect(() => parseKey('short', 'ACCESS_PIN_SECRET')).toThrow(/ACCESS_PIN_SECRET/);
    expect(() => parseKey('ab'.repeat(40), 'ACCESS_PIN_KEY', 32)).toThrow(/ACCESS_PIN_KEY must be 32 bytes/);
  });
});
