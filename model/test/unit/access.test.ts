import fc from 'fast-check';
import {
  AUTHORIZATION_STATUSES,
  AUTHORIZATION_STATUSES_16,
  OCPI_TOKEN_TYPES,
  OCPI_TYPE_OF,
  STATUS_16_OF,
  TOKEN_STATUSES,
  TOKEN_TYPES,
  decideAuthorization,
  maskIdToken,
  normaliseTokenId,
  toStatus16,
  type AccessToken,
  type AuthorizationContext,
} from '../../src/access';

const ctx = (over: Partial<AuthorizationContext> = {}): AuthorizationContext => ({ now: Date.UTC(2026, 11, 2, 12, 0), stationId: 'CP-1', siteId: 'S1', purpose: 'authorize', ...over });
const token = (over: Partial<AccessToken> = {}): AccessToken => ({ type: 'ISO14443', status: 'Accepted', ...over });

describe('token types and statuses', () => {
  it('gives every OCPP 2.0.1 token type an OCPI type', () => {
    expect(Object.keys(OCPI_TYPE_OF).sort()).toEqual([...TOKEN_TYPES].sort());
    for (const t of TOKEN_TYPES) expect(OCPI_TOKEN_TYPES).toContain(OCPI_TYPE_OF[t]);
    expect(OCPI_TYPE_OF.ISO14443).toBe('RFID');
  });

  it('maps every 2.0.1 status to a 1.6 status, keeping the five 1.6 has', () => {
    expect(Object.keys(STATUS_16_OF).sort()).toEqual([...AUTHORIZATION_STATUSES].sort());
    for (const s of AUTHORIZATION_STATUSES) expect(AUTHORIZATION_STATUSES_16).toContain(STATUS_16_OF[s]);
    for (const s of AUTHORIZATION_STATUSES_16) expect(STATUS_16_OF[s]).toBe(s);
    expect(toStatus16('NotAtThisTime')).toBe('Blocked');
    expect(toStatus16('Unknown')).toBe('Invalid');
    fc.assert(fc.property(fc.string(), (s) => expect(AUTHORIZATION_STATUSES_16).toContain(toStatus16(s))), { seed: 1 });
  });
});

describe('normaliseTokenId', () => {
  it('writes UIDs and MAC addresses as upper-case hex without separators', () => {
    expect(normaliseTokenId('ISO14443', '04a2b3c4')).toEqual({ ok: true, uid: '04A2B3C4' });
    expect(normaliseTokenId('ISO14443', '04:a2:b3:c4:d5:e6:f7')).toEqual({ ok: true, uid: '04A2B3C4D5E6F7' });
    expect(normaliseTokenId('ISO15693', 'E0-04-01-00-12-34-56-78')).toEqual({ ok: true, uid: 'E004010012345678' });
    expect(normaliseTokenId('MacAddress', '00:1a:2b:3c:4d:5e')).toEqual({ ok: true, uid: '001A2B3C4D5E' });
    expect(normaliseTokenId('MacAddress', '001a.2b3c.4d5e')).toEqual({ ok: true, uid: '001A2B3C4D5E' });
  });

  it('refuses wrong lengths, mixed separators, odd digits and padding with a reason', () => {
    for (const [type, raw] of [
      ['ISO14443', '04A2B3'],
      ['ISO14443', '04A2B3C4D'],
      ['ISO14443', '04:A2-B3:C4'],
      ['ISO14443', ' 04A2B3C4'],
      ['ISO14443', '04A2B3C4 '],
      ['ISO15693', '04A2B3C4'],
      ['MacAddress', '00:1A:2B:3C:4D'],
      ['MacAddress', 'zz1A2B3C4D5E'],
    ] as const) {
      const r = normaliseTokenId(type, raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });

  it('keeps other ids exactly, refusing whitespace, controls, non-ASCII and over-long ids', () => {
    expect(normaliseTokenId('eMAID', 'NL-TNM-C00122045-K')).toEqual({ ok: true, uid: 'NL-TNM-C00122045-K' });
    expect(normaliseTokenId('Central', 'abc')).toEqual({ ok: true, uid: 'abc' });
    expect(normaliseTokenId('NoAuthorization', '')).toEqual({ ok: true, uid: '' });
    for (const raw of ['', ' abc', 'abc ', 'a\u0000b', 'caf\u00e9', 'x'.repeat(37), 'a\u200bb']) expect(normaliseTokenId('Central', raw).ok).toBe(false);
    expect(normaliseTokenId('KeyCode', '123').ok).toBe(false);
    expect(normaliseTokenId('KeyCode', '1234')).toEqual({ ok: true, uid: '1234' });
  });

  it('is idempotent and never changes an id it accepts except by removing separators and upper-casing (property)', () => {
    const hexId = fc.tuple(fc.constantFrom(4, 7, 8, 10, 6), fc.constantFrom('', ':', '-', ' ')).chain(([n, sep]) =>
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: n, maxLength: n }).map((bs) => bs.map((b) => b.toString(16).padStart(2, '0')).join(sep)),
    );
    const anyId = fc.oneof(hexId, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
    fc.assert(
      fc.property(fc.constantFrom(...TOKEN_TYPES), anyId, (type, raw) => {
        const r = normaliseTokenId(type, raw);
        if (!r.ok) return;
        expect(normaliseTokenId(type, r.uid)).toEqual(r);
        if (['ISO14443', 'ISO15693', 'MacAddress'].includes(type)) expect(r.uid).toBe(raw.replace(/[:\-. ]/g, '').toUpperCase());
        else expect(r.uid).toBe(raw);
      }),
      { seed: 2, numRuns: 500 },
    );
  });
});

describe('maskIdToken', () => {
  it('hides PINs entirely and keeps the last four characters of long ids', () => {
    expect(maskIdToken({ id: '987654', type: 'KeyCode' })).toBe('****');
    expect(maskIdToken({ id: '04A2B3C4D5E6F7', type: 'ISO14443' })).toBe('****E6F7');
    expect(maskIdToken({ id: 'ABC', type: 'Central' })).toBe('****');
  });
});

describe('decideAuthorization', () => {
  it('refuses unknown tokens unless the site is free-vend', () => {
    expect(decideAuthorization(undefined, ctx()).status).toBe('Invalid');
    expect(decideAuthorization(undefined, ctx({ freeVend: true })).status).toBe('Accepted');
    // Free vend does not unblock a blocked card.
    expect(decideAuthorization(token({ status: 'Blocked' }), ctx({ freeVend: true })).status).toBe('Blocked');
  });

  it('answers Blocked, Expired and an expiry in the past, with the group id', () => {
    expect(decideAuthorization(token({ status: 'Blocked', groupId: 'G1' }), ctx())).toMatchObject({ status: 'Blocked', groupId: 'G1' });
    expect(decideAuthorization(token({ status: 'Expired' }), ctx()).status).toBe('Expired');
    const now = ctx().now;
    expect(decideAuthorization(token({ validUntil: now }), ctx()).status).toBe('Expired');
    expect(decideAuthorization(token({ validUntil: now + 1, groupId: 'G1' }), ctx())).toMatchObject({ status: 'Accepted', groupId: 'G1', expiryDate: new Date(now + 1).toISOString() });
  });

  it('answers NotAtThisLocation outside the allowed sites, stations and EVSEs', () => {
    expect(decideAuthorization(token({ allowedSites: ['S2'] }), ctx()).status).toBe('NotAtThisLocation');
    expect(decideAuthorization(token({ allowedSites: ['S1'] }), ctx()).status).toBe('Accepted');
    expect(decideAuthorization(token({ allowedSites: ['S2'], allowedStations: ['CP-1'] }), ctx()).status).toBe('Accepted');
    const evse = token({ allowedEvses: ['CP-1/2', 'CP-1/3', 'CP-2/1'] });
    // An Authorize names no EVSE: accepted, limited to the EVSEs of this station.
    expect(decideAuthorization(evse, ctx())).toMatchObject({ status: 'Accepted', evseIds: [2, 3] });
    expect(decideAuthorization(evse, ctx({ purpose: 'start', evseId: 1 })).status).toBe('NotAtThisLocation');
    expect(decideAuthorization(evse, ctx({ purpose: 'start', evseId: 2 })).status).toBe('Accepted');
    expect(decideAuthorization(evse, ctx({ stationId: 'CP-3' })).status).toBe('NotAtThisLocation');
  });

  it('answers NotAtThisTime outside the weekly windows, in the site time zone', () => {
    // 2026-12-02 is a Wednesday; 12:00 UTC is 13:00 in Berlin.
    const hours = token({ allowedHours: [{ days: [3], start: '12:30', end: '14:00' }] });
    expect(decideAuthorization(hours, ctx({ timeZone: 'Europe/Berlin' })).status).toBe('Accepted');
    expect(decideAuthorization(hours, ctx({ timeZone: 'UTC' })).status).toBe('NotAtThisTime');
    expect(decideAuthorization(token({ allowedHours: [{ start: '22:00', end: '06:00' }] }), ctx()).status).toBe('NotAtThisTime');
  });

  it('answers ConcurrentTx only for a transaction start', () => {
    const one = token({ maxConcurrentTx: 1 });
    expect(decideAuthorization(one, ctx({ purpose: 'start', openTransactions: 1 })).status).toBe('ConcurrentTx');
    expect(decideAuthorization(one, ctx({ purpose: 'start', openTransactions: 0 })).status).toBe('Accepted');
    expect(decideAuthorization(one, ctx({ purpose: 'authorize', openTransactions: 5 })).status).toBe('Accepted');
    expect(decideAuthorization(token({ maxConcurrentTx: 0 }), ctx({ purpose: 'start' })).status).toBe('ConcurrentTx');
  });

  it('is total: any token and context get a status of the 2.0.1 set (property)', () => {
    const window = fc.record({ start: fc.constantFrom('00:00', '06:30', '23:59', '25:00'), end: fc.constantFrom('00:00', '12:00', '05:00'), days: fc.option(fc.array(fc.integer({ min: -1, max: 7 })), { nil: undefined }) });
    const tok = fc.record(
      {
        type: fc.constantFrom(...TOKEN_TYPES),
        status: fc.constantFrom(...TOKEN_STATUSES),
        validUntil: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
        groupId: fc.option(fc.string(), { nil: undefined }),
        maxConcurrentTx: fc.option(fc.integer({ min: -1, max: 5 }), { nil: undefined }),
        allowedSites: fc.option(fc.array(fc.constantFrom('S1', 'S2')), { nil: undefined }),
        allowedStations: fc.option(fc.array(fc.constantFrom('CP-1', 'CP-2')), { nil: undefined }),
        allowedEvses: fc.option(fc.array(fc.string()), { nil: undefined }),
        allowedHours: fc.option(fc.array(window), { nil: undefined }),
      },
      { requiredKeys: ['type', 'status'] },
    );
    const context = fc.record({
      now: fc.integer({ min: 0, max: 4e12 }),
      stationId: fc.constantFrom('CP-1', 'CP-2'),
      siteId: fc.option(fc.constantFrom('S1', 'S2'), { nil: undefined }),
      timeZone: fc.option(fc.constantFrom('UTC', 'Europe/Berlin', 'Not/AZone'), { nil: undefined }),
      evseId: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      purpose: fc.constantFrom('authorize' as const, 'start' as const),
      openTransactions: fc.option(fc.nat(5), { nil: undefined }),
      freeVend: fc.option(fc.boolean(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.option(tok, { nil: undefined }), context, (t, c) => {
        const d = decideAuthorization(t as AccessToken | undefined, c);
        expect(AUTHORIZATION_STATUSES).toContain(d.status);
        if (t?.status === 'Blocked') expect(d.status).toBe('Blocked');
        if (c.purpose === 'authorize') expect(d.status).not.toBe('ConcurrentTx');
      }),
      { seed: 3, numRuns: 1000 },
    );
  });
});
