/**
 * withoutUndefined copies only what holds an undefined field: the result must still equal a full copy
 * without undefined fields (what events and replies carried before), and the input must stay as it was.
 */
import fc from 'fast-check';
import { withoutUndefined } from '../../../src/ocpp/adapters/common';

/** The earlier implementation, a full copy: the reference the lazy one must agree with. */
function fullCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fullCopy);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = fullCopy(item);
  return out;
}

const hasUndefinedField = (v: unknown): boolean =>
  Array.isArray(v) ? v.some(hasUndefinedField) : v !== null && typeof v === 'object' ? Object.values(v).some((x) => x === undefined || hasUndefinedField(x)) : false;

describe('withoutUndefined', () => {
  it('drops undefined fields at every depth and keeps key order', () => {
    const input = { a: 1, b: undefined, c: [{ d: undefined, e: 'x' }, { f: 2 }], g: { h: { i: undefined } } };
    const out = withoutUndefined(input);
    expect(out).toEqual({ a: 1, c: [{ e: 'x' }, { f: 2 }], g: { h: {} } });
    expect(Object.keys(out)).toEqual(['a', 'c', 'g']);
    expect('b' in out).toBe(false);
    expect('d' in out.c[0]!).toBe(false);
  });

  it('returns what is clean as it is and leaves the input alone', () => {
    const clean = { s: [{ v: 1 }, { v: 2 }] };
    const input = { a: undefined, clean };
    const out = withoutUndefined(input);
    expect(out.clean).toBe(clean);
    expect(withoutUndefined(clean)).toBe(clean);
    expect(Object.keys(input)).toEqual(['a', 'clean']);
  });

  it('agrees with a full copy for any JSON-like value with undefined fields', () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 3 }), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const before = JSON.stringify(v);
        const out = withoutUndefined(v);
        // Same content and key order (toEqual alone would overlook both an undefined field and order);
        // prototypes differ only for fast-check's null-prototype dictionaries, never from JSON.parse.
        expect(out).toEqual(fullCopy(v));
        expect(JSON.stringify(out)).toBe(JSON.stringify(fullCopy(v)));
        expect(hasUndefinedField(out)).toBe(false);
        expect(JSON.stringify(v)).toBe(before);
      }),
    );
  });
});
