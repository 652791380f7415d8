import fc from 'fast-check';
import { identityProblem } from '../../src/identity';

const ALLOWED = 'abcxyzABCXYZ0189*-_=:+|@.';
const strict = { name: 'identifierString' as const, maxLength: 48 };
const printable = { name: 'printable' as const, maxLength: 48 };

describe('station identity policy', () => {
  it('accepts every identifierString of 1 to 48 characters (property)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...ALLOWED), minLength: 1, maxLength: 48 }), (id) => expect(identityProblem(id, strict)).toBeUndefined()), { seed: 6 });
  });

  it('refuses any other character, wherever it is (property)', () => {
    const other = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !ALLOWED.includes(c) && !/[a-zA-Z0-9]/.test(c));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALLOWED), maxLength: 20 }), other, fc.string({ unit: fc.constantFrom(...ALLOWED), maxLength: 20 }), (a, c, b) => {
        expect(identityProblem(a + c + b, strict)).toMatch(/identifierString/);
      }),
      { seed: 7 },
    );
  });

  it('keeps ids that differ only by trailing whitespace or backslash out under both policies', () => {
    for (const suffix of [' ', '\t', '\n', '\r', '\\', '\u00a0', '\u2028']) {
      expect(identityProblem(`CP-1${suffix}`, strict)).toBeDefined();
      if (suffix !== '\\') expect(identityProblem(`CP-1${suffix}`, printable)).toBeDefined();
    }
    // A backslash is printable: under that policy `CP-1\` is its own station, never CP-1 (no cleaning).
    expect(identityProblem('CP-1\\', printable)).toBeUndefined();
  });

  it('counts length in code points and refuses the empty id', () => {
    expect(identityProblem('a'.repeat(48), strict)).toBeUndefined();
    expect(identityProblem('a'.repeat(49), strict)).toMatch(/49 characters/);
    expect(identityProblem('😀'.repeat(48), printable)).toBeUndefined();
    expect(identityProblem('😀'.repeat(49), printable)).toMatch(/49 characters/);
    expect(identityProblem('', printable)).toMatch(/empty/);
  });

  it('printable refuses controls, format characters, lone surrogates, / and U+FFFD', () => {
    for (const bad of ['a\u0000', 'a\u007f', 'a\u0085', 'a\u202e', 'a\u200b', 'a\ud800', 'a\udfff', 'a/b', 'a\ufffd', 'a\ue000']) expect(identityProblem(bad, printable)).toBeDefined();
    for (const good of ['Ladesäule-7', '充电桩#1', 'CP{1}', 'a%b', "o'brien"]) expect(identityProblem(good, printable)).toBeUndefined();
  });
});
