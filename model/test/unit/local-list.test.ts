import fc from 'fast-check';
import {
  FRAME_OVERHEAD_BYTES,
  LocalListChunkError,
  applyLocalListChunk,
  chunkLocalListUpdate,
  compareByListPriority,
  desiredLocalList,
  diffLocalList,
  requestBytes,
  sendLocalListRequest201,
  type LocalListItem,
  type LocalListProtocol,
  type LocalListSourceToken,
} from '../../src/local-list';
import { IDTAG_16_MAX_LENGTH } from '../../src/access';

const NOW = Date.UTC(2026, 11, 2, 12, 0);
const at = (protocol: LocalListProtocol, over: Partial<Parameters<typeof desiredLocalList>[1]> = {}) => ({ protocol, stationId: 'CP-1', siteId: 'S1', now: NOW, ...over });
const tok = (id: string, over: Partial<LocalListSourceToken> = {}): LocalListSourceToken => ({ id, type: 'ISO14443', uid: `04A1B2C3${id.padStart(6, '0')}`, status: 'Accepted', ...over });
const sorted = (l: readonly LocalListItem[]) => [...l].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

describe('desiredLocalList', () => {
  it('lists tokens allowed here with status, expiry and group; leaves out the rest and says why', () => {
    const d = desiredLocalList(
      [
        tok('1', { validUntil: '2027-01-01T00:00:00.000Z', groupId: 'FLEET-1' }),
        tok('2', { status: 'Blocked' }),
        tok('3', { status: 'Expired' }),
        tok('4', { validUntil: '2026-01-01T00:00:00.000Z' }),
        tok('5', { allowedSites: ['S2'] }),
        tok('6', { allowedStations: ['CP-1'] }),
        tok('7', { allowedHours: [{ start: '07:00', end: '19:00' }] }),
        tok('8', { type: 'KeyCode', uid: undefined }),
        tok('9', { type: 'KeyCode', uid: undefined, pin: '1234' }),
        tok('10', { type: 'NoAuthorization', uid: '' }),
        tok('11', { allowedEvses: ['CP-1/2'] }),
      ],
      at('ocpp2.0.1'),
    );
    expect(d.items.map((i) => [i.tokenId, i.status])).toEqual([
      ['1', 'Accepted'],
      ['6', 'Accepted'],
      ['9', 'Accepted'],
      ['11', 'Accepted'],
      ['2', 'Blocked'],
    ]);
    expect(d.items[0]).toMatchObject({ expiresAt: '2027-01-01T00:00:00.000Z', groupId: 'FLEET-1', idToken: { type: 'ISO14443' } });
    expect(d.items.find((i) => i.tokenId === '11')!.evseIds).toEqual([2]);
    expect(d.skipped).toEqual({ expired: 2, not_here: 1, allowed_hours: 1, no_id: 2 });
  });

  it('never lists an id over 20 characters for 1.6, nor a token 1.6 cannot limit to EVSEs', () => {
    const d = desiredLocalList([tok('1', { type: 'Central', uid: 'A'.repeat(21) }), tok('2', { type: 'Central', uid: 'B'.repeat(20) }), tok('3', { allowedEvses: ['CP-1/1'] }), tok('4', { groupId: 'G'.repeat(21) })], at('ocpp1.6'));
    expect(d.items.map((i) => i.tokenId)).toEqual(['2']);
    expect(d.skipped).toEqual({ id_too_long: 2, evse_limited_16: 1 });
    expect(desiredLocalList([tok('1', { type: 'Central', uid: 'A'.repeat(36) })], at('ocpp2.0.1')).items).toHaveLength(1);
  });

  it('keeps Accepted before Blocked, then the oldest tokens, when over capacity', () => {
    const tokens = [tok('30', { status: 'Blocked' }), tok('12'), tok('4'), tok('100', { status: 'Blocked' }), tok('7')];
    const d = desiredLocalList(tokens, at('ocpp1.6', { maxEntries: 4 }));
    expect(d.items.map((i) => i.tokenId)).toEqual(['4', '7', '12', '30']);
    expect(d.skipped).toEqual({ over_capacity: 1 });
  });

  it('lists one entry per 1.6 idTag whatever the case and type (first in priority)', () => {
    const d = desiredLocalList([tok('2', { type: 'Local', uid: 'abc123' }), tok('1', { type: 'Central', uid: 'ABC123' })], at('ocpp1.6'));
    expect(d.items.map((i) => i.tokenId)).toEqual(['1']);
    expect(desiredLocalList([tok('2', { type: 'Local', uid: 'abc123' }), tok('1', { type: 'Central', uid: 'ABC123' })], at('ocpp2.0.1')).items).toHaveLength(2);
  });
});

// Arbitrary tokens: ids of 1..36 characters (some over 20), statuses, expiries, restrictions.
const tokenArb = fc.record({
  n: fc.integer({ min: 1, max: 400 }),
  type: fc.constantFrom('ISO14443' as const, 'Central' as const, 'Local' as const, 'eMAID' as const),
  uid: fc.stringMatching(/^[A-Z0-9]{1,36}$/),
  status: fc.constantFrom('Accepted' as const, 'Blocked' as const, 'Expired' as const),
  validInDays: fc.option(fc.integer({ min: -5, max: 400 }), { nil: undefined }),
  groupId: fc.option(fc.stringMatching(/^[A-Z]{1,24}$/), { nil: undefined }),
  where: fc.constantFrom('any', 'site', 'station', 'other', 'evse'),
});
const tokensArb = fc.uniqueArray(tokenArb, { selector: (t) => t.n, maxLength: 120 }).map((ts) =>
  ts.map(
    (t): LocalListSourceToken => ({
      id: String(t.n),
      type: t.type,
      uid: t.uid,
      status: t.status,
      ...(t.validInDays === undefined ? {} : { validUntil: new Date(NOW + t.validInDays * 86_400_000).toISOString() }),
      ...(t.groupId === undefined ? {} : { groupId: t.groupId }),
      ...(t.where === 'site' ? { allowedSites: ['S1'] } : t.where === 'station' ? { allowedStations: ['CP-1'] } : t.where === 'other' ? { allowedStations: ['CP-2'] } : t.where === 'evse' ? { allowedEvses: ['CP-1/1', 'CP-1/3'] } : {}),
    }),
  ),
);
const protocolArb = fc.constantFrom<LocalListProtocol>('ocpp1.6', 'ocpp2.0.1');
const limitsArb = fc.record({ itemsPerMessage: fc.integer({ min: 1, max: 60 }), bytesPerMessage: fc.option(fc.integer({ min: 700, max: 8000 }), { nil: undefined }) });

describe('properties', () => {
  it('never a >20 character id (or group) to 1.6; capacity respected; priority order kept', () => {
    fc.assert(
      fc.property(tokensArb, protocolArb, fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }), (tokens, protocol, maxEntries) => {
        const d = desiredLocalList(tokens, at(protocol, maxEntries === undefined ? {} : { maxEntries }));
        if (protocol === 'ocpp1.6') for (const i of d.items) expect(i.idToken.id.length <= IDTAG_16_MAX_LENGTH && (i.groupId ?? '').length <= IDTAG_16_MAX_LENGTH).toBe(true);
        if (maxEntries !== undefined) expect(d.items.length).toBeLessThanOrEqual(maxEntries);
        for (let k = 1; k < d.items.length; k++) expect(compareByListPriority(d.items[k - 1]!, d.items[k]!)).toBeLessThan(0);
        expect(new Set(d.items.map((i) => i.key)).size).toBe(d.items.length);
      }),
    );
  });

  it('applying the chunks of a differential to the old list yields the new one; no chunk over the limits', () => {
    fc.assert(
      fc.property(tokensArb, tokensArb, protocolArb, limitsArb, fc.integer({ min: 0, max: 1000 }), (before, after, protocol, limits, base) => {
        const old = desiredLocalList(before, at(protocol)).items;
        const next = desiredLocalList(after, at(protocol)).items;
        const chunks = chunkLocalListUpdate(protocol, { full: false, changes: diffLocalList(old, next) }, base, limits);
        let list: LocalListItem[] = [...old];
        chunks.forEach((c, i) => {
          expect(c.params).toMatchObject({ updateType: 'differential', version: base + 1 + i });
          expect(c.params.entries!.length).toBeLessThanOrEqual(limits.itemsPerMessage);
          if (protocol === 'ocpp2.0.1' && limits.bytesPerMessage) expect(requestBytes(protocol, c.params)).toBeLessThanOrEqual(limits.bytesPerMessage);
          if (protocol === 'ocpp1.6') for (const e of c.params.entries!) expect(e.idToken.id.length).toBeLessThanOrEqual(IDTAG_16_MAX_LENGTH);
          // Deletes carry the id alone, adds and updates their info.
          c.changes.forEach((ch, j) => expect(c.params.entries![j]!.status === undefined).toBe(ch.op === 'delete'));
          list = applyLocalListChunk(list, c);
        });
        expect(sorted(list)).toEqual(sorted(next));
        // Nothing to change: nothing to send.
        if (chunks.length === 0) expect(sorted(old)).toEqual(sorted(next));
      }),
    );
  });

  it('a Full is one Full request then Differentials, and rebuilds the list from nothing', () => {
    fc.assert(
      fc.property(tokensArb, protocolArb, limitsArb, (tokens, protocol, limits) => {
        const want = desiredLocalList(tokens, at(protocol)).items;
        const chunks = chunkLocalListUpdate(protocol, { full: true, items: want }, 6, limits);
        expect(chunks[0]!.params).toMatchObject({ updateType: 'full', version: 7 });
        expect(chunks.slice(1).every((c) => c.params.updateType === 'differential' && c.changes.every((ch) => ch.op === 'upsert'))).toBe(true);
        const stale: LocalListItem[] = [{ key: 'X', tokenId: '999', idToken: { id: 'X', type: 'Local' }, status: 'Accepted' }];
        expect(sorted(chunks.reduce(applyLocalListChunk, stale))).toEqual(sorted(want));
      }),
    );
  });
});

describe('chunking', () => {
  it('sends an empty Full list as one Full without entries (2.0.1: without the array)', () => {
    const [only, ...rest] = chunkLocalListUpdate('ocpp2.0.1', { full: true, items: [] }, 0, {});
    expect(rest).toEqual([]);
    expect(sendLocalListRequest201(only!.params)).toEqual({ versionNumber: 1, updateType: 'Full' });
  });

  it('measures 2.0.1 requests on their JSON with the frame', () => {
    const items = desiredLocalList([tok('1'), tok('2'), tok('3')], at('ocpp2.0.1')).items;
    const one = chunkLocalListUpdate('ocpp2.0.1', { full: true, items: items.slice(0, 1) }, 0, {})[0]!;
    const bytes = JSON.stringify(sendLocalListRequest201(one.params)).length + FRAME_OVERHEAD_BYTES;
    expect(requestBytes('ocpp2.0.1', one.params)).toBe(bytes);
    // Room for exactly two entries per message: three entries make two requests.
    const two = requestBytes('ocpp2.0.1', chunkLocalListUpdate('ocpp2.0.1', { full: true, items: items.slice(0, 2) }, 0, {})[0]!.params);
    expect(chunkLocalListUpdate('ocpp2.0.1', { full: true, items }, 0, { bytesPerMessage: two }).map((c) => c.changes.length)).toEqual([2, 1]);
    expect(() => chunkLocalListUpdate('ocpp2.0.1', { full: true, items }, 0, { bytesPerMessage: bytes - 1 })).toThrow(LocalListChunkError);
  });
});
