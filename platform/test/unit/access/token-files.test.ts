import fc from 'fast-check';
import { CsvError, csvCell, parseCsv, tokensFromCsv, tokensFromJson, tokensToCsv } from '../../../src/access/token-csv';
import { validateNewToken, validateTokenPatch } from '../../../src/access/token-validation';
import type { TokenRecord } from '../../../src/access/token-types';

/** A tiny independent writer of RFC 4180 files, to check the parser against. */
const writeCsv = (rows: string[][], eol: string) => rows.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join(eol) + eol;

describe('parseCsv', () => {
  it('reads quotes, doubled quotes, line breaks inside quotes, CRLF and a BOM', () => {
    const text = '\ufefftype,uid,note\r\nISO14443,04A2B3C4,"a ""quoted"", multi\r\nline note"\r\nCentral,abc,\n';
    expect(parseCsv(text).map((r) => r.fields)).toEqual([
      ['type', 'uid', 'note'],
      ['ISO14443', '04A2B3C4', 'a "quoted", multi\r\nline note'],
      ['Central', 'abc', ''],
    ]);
    expect(parseCsv(text).map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('refuses an unclosed quote, text after a closing quote and a stray quote, naming the line', () => {
    expect(() => parseCsv('a,b\n"x,y\n')).toThrow(new CsvError(2, 'a quoted field is not closed'));
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: text after a closing quote/);
    expect(() => parseCsv('a\nx"y\n')).toThrow(/line 2: a quote inside an unquoted field/);
  });

  it('reads back whatever an RFC 4180 writer wrote (property)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ',', '"', '\r', '\n', ' ', '=', 'é', '\u0000'), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.constantFrom('\r\n', '\n'), (rows, eol) => {
        expect(parseCsv(writeCsv(rows, eol)).map((r) => r.fields)).toEqual(rows);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('never throws anything but CsvError on any input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        try {
          tokensFromCsv(s);
        } catch (err) {
          expect(err).toBeInstanceOf(CsvError);
        }
      }),
      { seed: 6, numRuns: 500 },
    );
  });
});

describe('CSV export', () => {
  it('neutralises formula starts and quotes what needs it', () => {
    for (const v of ['=HYPERLINK("x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(v).replace(/^"|"$/g, '').startsWith("'")).toBe(true);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(' x')).toBe('" x"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('imports back what it exported, hostile notes and ids included (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '"', ',', '\n', 'a', ';', "'", '[', ' '), minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(text, fc.array(text.filter((s) => !s.includes('\n')), { maxLength: 3 }), (note, sites) => {
        const rec: TokenRecord = {
          id: '1',
          type: 'Central',
          uid: '=cmd|x',
          ocpiType: 'APP_USER',
          status: 'Accepted',
          allowedSites: sites,
          allowedStations: [],
          allowedEvses: [],
          allowedHours: [{ start: '07:00', end: '19:00' }],
          note,
          createdAt: '',
          createdBy: '',
          updatedAt: '',
          updatedBy: '',
        };
        const csv = tokensToCsv([rec]);
        for (const line of csv.split('\r\n').slice(1)) expect(line).not.toMatch(/^[=+\-@]/);
        const [row] = tokensFromCsv(csv);
        expect(row!.input.note).toBe(note);
        expect(row!.input.uid).toBe('=cmd|x');
        if (sites.length) expect(row!.input.allowedSites).toEqual(sites);
        expect(row!.input.allowedHours).toEqual([{ start: '07:00', end: '19:00' }]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('token validation', () => {
  it('normalises the uid, defaults OCPI type and status, and needs a PIN only for KeyCode', () => {
    const ok = validateNewToken({ type: 'ISO14443', uid: '04:a2:b3:c4' });
    expect(ok).toEqual({ ok: true, value: expect.objectContaining({ uid: '04A2B3C4', ocpiType: 'RFID', status: 'Accepted', allowedSites: [] }) });
    expect(validateNewToken({ type: 'KeyCode', pin: '4711' })).toMatchObject({ ok: true, value: { pin: '4711' } });
    expect(validateNewToken({ type: 'KeyCode', uid: '4711' }).ok).toBe(false);
    expect(validateNewToken({ type: 'Central', uid: 'x', pin: '1234' }).ok).toBe(false);
  });

  it('names every bad field', () => {
    const r = validateNewToken({ type: 'ISO14443', uid: '04A2', status: 'Maybe', validUntil: 'tomorrow', maxConcurrentTx: -1, allowedEvses: ['CP-1'], allowedHours: [{ start: '25:00', end: '01:00' }], extra: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const all = r.errors.join('\n');
      for (const f of ['uid', 'status', 'validUntil', 'maxConcurrentTx', 'allowedEvses', 'allowedHours', 'extra']) expect(all).toContain(f);
    }
  });

  it('lets a patch clear optional fields but never change the type or uid', () => {
    expect(validateTokenPatch({ groupId: null, note: null, validUntil: null }, 'Central')).toEqual({ ok: true, value: { groupId: null, note: null, validUntil: null } });
    expect(validateTokenPatch({ uid: 'other' }, 'Central').ok).toBe(false);
    expect(validateTokenPatch({ pin: '1234' }, 'Central').ok).toBe(false);
    expect(validateTokenPatch({ pin: '98765' }, 'KeyCode')).toEqual({ ok: true, value: { pin: '98765' } });
  });

  it('takes JSON imports as an array or {tokens}, ignoring read-only fields of an export', () => {
    expect(tokensFromJson([{ id: '5', type: 'Central', uid: 'a', createdAt: 'x' }])).toEqual([{ row: 1, input: { type: 'Central', uid: 'a' } }]);
    expect(tokensFromJson({ tokens: [{ type: 'Central', uid: 'a' }] })).toHaveLength(1);
    expect(() => tokensFromJson({ nope: 1 })).toThrow();
    // Hostile JSON rows become errors of the validator, never exceptions (property).
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 5 }), (rows) => {
        for (const r of tokensFromJson(rows)) expect(typeof validateNewToken(r.input).ok).toBe('boolean');
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});
