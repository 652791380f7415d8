import fc from 'fast-check';
import { influxString } from '../../../src/api/influx-reader';

/** InfluxQL's string literal rules (influxql scanner): \\ \' \n are escapes; a raw newline ends it. */
function readInfluxQLString(literal: string): string {
  expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
  let out = '';
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal[i]!;
    expect(c === '\n' || c === "'").toBe(false);
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = literal[++i]!;
    out += next === 'n' ? '\n' : next;
  }
  return out;
}

describe('influxString', () => {
  it('reads back exactly for any string without CR or NUL (property)', () => {
    const unit = fc.oneof(fc.constantFrom('\\', "'", '"', '\n', 'n', ' ', 'é'), fc.string({ unit: 'grapheme', maxLength: 1 }));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }).filter((s) => !/[\r\0]/.test(s)), (s) => expect(readInfluxQLString(influxString(s))).toBe(s)),
      { seed: 5, numRuns: 2000 },
    );
  });

  it('refuses carriage return and NUL, which InfluxQL cannot express', () => {
    expect(() => influxString('a\rb')).toThrow(RangeError);
    expect(() => influxString('a\0b')).toThrow(RangeError);
  });
});
