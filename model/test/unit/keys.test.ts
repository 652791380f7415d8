import fc from 'fast-check';
import { RedisKeys, escapeId, unescapeId } from '../../src/keys';

describe('Redis keys', () => {
  const keys = new RedisKeys('cw:');

  it('escapes every character that could join or split a key', () => {
    expect(escapeId('CP-1_a.b*c=d+e|f@g')).toBe('CP-1_a.b*c=d+e|f@g');
    expect(escapeId('a:b')).toBe('a%3Ab');
    expect(escapeId('{x}')).toBe('%7Bx%7D');
    expect(escapeId('100%')).toBe('100%25');
    expect(escapeId("!'()~ ")).toBe('%21%27%28%29%7E%20');
    expect(escapeId('é')).toBe('%C3%A9');
    expect(escapeId('\uD800')).toBe('%uD800');
  });

  it('keeps a station out of another station\'s keys', () => {
    expect(keys.connectors('A:connectors')).not.toBe(keys.connectors('A'));
    expect(keys.station('A:connectors')).not.toBe(keys.connectors('A'));
    expect(keys.security('A')).toBe('cw:st:{A}:security');
    expect(keys.station('A}:x{B')).toBe('cw:st:{A%7D%3Ax%7BB}');
  });

  it('is injective and reversible for any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(unescapeId(escapeId(a))).toBe(a);
        if (a !== b) expect(escapeId(a)).not.toBe(escapeId(b));
        // One hash tag per key, and it is the station's: nothing in an escaped id can open or close another.
        expect(escapeId(a)).not.toMatch(/[:{}]/);
      }),
      { numRuns: 2000, seed: 9 },
    );
  });

  it('gives every station key of one station the same cluster hash tag', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (id) => {
        const tags = [keys.station(id), keys.connectors(id), keys.transactions(id), keys.transactionActivity(id), keys.metadata(id), keys.security(id), keys.commandQueue(id)].map(
          (k) => /\{([^}]*)\}/.exec(k)![1],
        );
        expect(new Set(tags).size).toBe(1);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('refuses a prefix that would become everyone\'s hash tag', () => {
    expect(() => new RedisKeys('{cw}:')).toThrow(/must not contain/);
  });
});
