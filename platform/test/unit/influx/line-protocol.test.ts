/**
 * The serialiser against two references: @influxdata/influxdb-client's Point (where the client's own
 * encoding is defined: any string field; tag values that need no %-encoding) and a hand-written reader
 * of 1.6's line protocol (every string: what goes in comes out after decodeTagValue).
 */
import fc from 'fast-check';
import { Point } from '@influxdata/influxdb-client';
import type { ChargeEvent } from '@chargewatch/model';
import { decodeTagValue, encodeTagValue } from '../../../src/sinks/influx/line-protocol';
import { toLines } from '../../../src/sinks/influx/points';
import { parseLine } from './line-parser';

const T0 = 1_700_000_000_000;
/** Strings full of what breaks line protocol: backslashes, whitespace, newlines, quotes, %, unicode. */
const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\\', ' ', '\t', '\n', '\r', '"', "'", ',', '=', '%', '%5C', 'é', '😀', '\u0000', '\u007f', 'a', 'Z', '0'),
    fc.string({ unit: 'grapheme', maxLength: 1 }),
  ),
  maxLength: 24,
});

/** A security event: station id, the event_type tag from `tag`, the string field tech_info from `field`. */
function event(stationId: string, tag: string, field: string): ChargeEvent {
  return { type: 'security.event', stationId, time: T0, receivedAt: T0, eventType: tag, source: 'station', techInfo: field };
}

describe('line protocol serialiser (property tests, seeded)', () => {
  it('string field values are escaped exactly as the client escapes them', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const [ours] = toLines(event('CP-1', 'x', s), undefined);
        const reference = new Point('security_event').tag('event_type', 'x').tag('source', 'station').tag('station_id', 'CP-1').stringField('tech_info', s).timestamp(String(T0)).toLineProtocol();
        expect(ours).toBe(reference);
      }),
      { numRuns: 3000, seed: 5 },
    );
  });

  it('tag values that need no encoding are escaped exactly as the client escapes them', () => {
    fc.assert(
      fc.property(nasty, nasty, (id, tag) => {
        fc.pre(id.length > 0 && tag.length > 0 && encodeTagValue(id) === id && encodeTagValue(tag) === tag);
        const [ours] = toLines(event(id, tag, 'f'), { site: tag });
        const reference = new Point('security_event').tag('event_type', tag).tag('site', tag).tag('source', 'station').tag('station_id', id).stringField('tech_info', 'f').timestamp(String(T0)).toLineProtocol();
        expect(ours).toBe(reference);
      }),
      { numRuns: 3000, seed: 6 },
    );
  });

  it('every string round-trips through a 1.6 reader: tags after decodeTagValue, fields as they are', () => {
    fc.assert(
      fc.property(nasty.filter((s) => s.length > 0), nasty.filter((s) => s.length > 0), nasty, (id, tag, field) => {
        const [line] = toLines(event(id, tag, field), { site: tag, tags: { zone: tag } });
        const parsed = parseLine(line!);
        expect(parsed.measurement).toBe('security_event');
        const tags = Object.fromEntries(Object.entries(parsed.tags).map(([k, v]) => [k, decodeTagValue(v)]));
        expect(tags).toEqual({ event_type: tag, source: 'station', site: tag, station_id: id, tag_zone: tag });
        expect(parsed.fields).toEqual({ tech_info: field });
        expect(parsed.time).toBe(String(T0));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('different station ids never share a series', () => {
    fc.assert(
      fc.property(nasty, nasty, (a, b) => {
        fc.pre(a !== b);
        expect(encodeTagValue(a)).not.toBe(encodeTagValue(b));
        expect(decodeTagValue(encodeTagValue(a))).toBe(a);
      }),
      { numRuns: 5000, seed: 8 },
    );
  });

  it('the reader refuses what 1.6 refuses, so it is a real check', () => {
    expect(() => parseLine('m,t=a\\ v=1 1')).toThrow();
    expect(() => parseLine('m,t= v=1 1')).toThrow();
    expect(() => parseLine('m,t=a\nb v=1 1')).toThrow();
    expect(parseLine('m,t=a\\\\ b v=1 1').tags.t).toBe('a\\ b');
  });
});
