import fc from 'fast-check';
import { JOURNAL_FORMAT_VERSION, decodeJournalEntry, encodeJournalEntry, eventKey, type ChargeEvent } from '../../src';

const meter = (stationId: string, value: number): ChargeEvent => ({
  type: 'meter.sample',
  stationId,
  time: 1_700_000_000_000,
  receivedAt: 1_700_000_000_123,
  evseId: 1,
  connectorId: 1,
  transactionId: 'tx-1',
  context: 'Sample.Periodic',
  values: [{ measurand: 'Energy.Active.Import.Register', value, unit: 'Wh' }],
}) as ChargeEvent;

describe('journal entry format', () => {
  it('round-trips a batch: events and station context, whatever the text in them', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme' }), fc.double({ noNaN: true, noDefaultInfinity: true }))), fc.dictionary(fc.string(), fc.record({ site: fc.string(), tags: fc.dictionary(fc.string(), fc.string()) })), (pairs, stations) => {
        const events = pairs.map(([id, v]) => meter(id, v));
        const decoded = decodeJournalEntry(encodeJournalEntry({ events, stations }));
        // JSON writes -0 as 0: the only value that does not survive, and an equal one in every sink.
        expect(decoded).toEqual({ kind: 'events', version: JOURNAL_FORMAT_VERSION, events: JSON.parse(JSON.stringify(events)), stations: JSON.parse(JSON.stringify(stations)) });
      }),
    );
  });

  it('stores the version beside the batch, so a reader knows the format before parsing it', () => {
    const fields = encodeJournalEntry({ events: [meter('CP-1', 1)], stations: {} });
    expect(fields.slice(0, 3)).toEqual(['v', '1', 'b']);
  });

  it('reads entries of the earlier line-protocol format, both spellings', () => {
    expect(decodeJournalEntry(['l', 'm v=1 1\nm v=2 2'])).toEqual({ kind: 'lines', lines: ['m v=1 1', 'm v=2 2'] });
    expect(decodeJournalEntry(['j', JSON.stringify(['m v="a\nb" 1'])])).toEqual({ kind: 'lines', lines: ['m v="a\nb" 1'] });
    expect(decodeJournalEntry(['l', ''])).toEqual({ kind: 'lines', lines: [] });
  });

  it('calls a pending entry deleted from the stream deleted, with nothing to handle', () => {
    expect(decodeJournalEntry(null)).toEqual({ kind: 'deleted' });
    expect(decodeJournalEntry([])).toEqual({ kind: 'deleted' });
  });

  it.each([
    [['v', '2', 'b', '{}'], /version 2 is not known/],
    [['v', '1', 'b', '{not json'], /not JSON/],
    [['v', '1', 'b', '{"e":{}}'], /lacks its events/],
    [['v', '1'], /not JSON/],
    [['j', '{"a":1}'], /not a JSON array of strings/],
    [['x', 'y'], /without a format version/],
  ])('refuses %j as unreadable with the reason, never as an empty batch', (fields, reason) => {
    const decoded = decodeJournalEntry(fields);
    expect(decoded.kind).toBe('unreadable');
    expect(decoded.kind === 'unreadable' && decoded.reason).toMatch(reason);
  });

  it('names each event by entry id and position, the same on every read', () => {
    expect(eventKey('1700000000000-3', 7)).toBe('1700000000000-3/7');
    expect(eventKey('1700000000000-3', 7)).not.toBe(eventKey('1700000000000-37', 0));
  });
});
