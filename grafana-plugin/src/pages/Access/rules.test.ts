import { ApiError } from '../../api/client';
import type { AccessToken } from '../../api/accessTypes';
import { accountPatchBody, EMPTY_ACCOUNT, newAccountBody, validateAccount } from './accountRules';
import { importProblems, readImport } from './importRules';
import { EMPTY_TOKEN, formatWindows, newTokenBody, tokenForm, tokenPatchBody, validateToken } from './tokenRules';

const TOKEN: AccessToken = {
  id: '7',
  type: 'ISO14443',
  uid: '04A2B3C4D5E6F7',
  ocpiType: 'RFID',
  status: 'Accepted',
  groupId: 'FLEET-1',
  accountId: '3',
  allowedSites: ['harbour'],
  allowedHours: [{ days: [1, 2], start: '07:00', end: '19:00' }],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('token form rules (as platform token-validation.ts)', () => {
  it('checks ISO 14443 and 15693 UIDs as hex bytes of the allowed lengths', () => {
    expect(validateToken({ ...EMPTY_TOKEN, uid: '04:a2:b3:c4' })).toEqual({});
    expect(validateToken({ ...EMPTY_TOKEN, uid: '04A2B3' }).uid).toMatch(/4, 7, 10 bytes/);
    expect(validateToken({ ...EMPTY_TOKEN, uid: '04A2B3C4D5E6G7' }).uid).toMatch(/hexadecimal/);
    expect(validateToken({ ...EMPTY_TOKEN, uid: '' }).uid).toMatch(/hexadecimal/);
    expect(validateToken({ ...EMPTY_TOKEN, type: 'ISO15693', uid: 'E004010012345678' })).toEqual({});
    expect(validateToken({ ...EMPTY_TOKEN, type: 'ISO15693', uid: '04A2B3C4' }).uid).toMatch(/8 bytes/);
    expect(validateToken({ ...EMPTY_TOKEN, type: 'eMAID', uid: 'NL TNM' }).uid).toMatch(/printable/);
    expect(validateToken({ ...EMPTY_TOKEN, type: 'NoAuthorization', uid: '' })).toEqual({});
  });

  it('needs a PIN for a new KeyCode and sends it, never a uid; an edit may leave it empty', () => {
    const keycode = { ...EMPTY_TOKEN, type: 'KeyCode' as const, uid: 'ignored' };
    expect(validateToken(keycode).pin).toMatch(/Required/);
    expect(validateToken({ ...keycode, pin: '12' }).pin).toMatch(/at least 4/);
    expect(newTokenBody({ ...keycode, pin: '4711' })).toEqual({ type: 'KeyCode', status: 'Accepted', pin: '4711' });
    const stored: AccessToken = { ...TOKEN, type: 'KeyCode', uid: undefined, hasPin: true, ocpiType: 'OTHER' };
    expect(validateToken(tokenForm(stored), stored)).toEqual({});
    expect(tokenForm(stored).pin).toBe('');
    expect(tokenPatchBody(tokenForm(stored), stored)).toEqual({});
    expect(tokenPatchBody({ ...tokenForm(stored), pin: '9876' }, stored)).toEqual({ pin: '9876' });
  });

  it('checks the other fields as the registry does', () => {
    const e = validateToken({
      ...EMPTY_TOKEN,
      uid: '04A2B3C4',
      validUntil: '2027-01-31 23:59',
      groupId: ' G',
      maxConcurrentTx: '1001',
      allowedStations: 'CP-1, a/b',
      allowedEvses: 'CP-1/1, CP-2',
      allowedHours: 'Mon 25:00-26:00',
      accountId: 'x',
    });
    expect(Object.keys(e).sort()).toEqual(
      [
        'accountId',
        'allowedEvses',
        'allowedHours',
        'allowedStations',
        'groupId',
        'maxConcurrentTx',
        'validUntil',
      ].sort()
    );
    expect(validateToken({ ...EMPTY_TOKEN, uid: '04A2B3C4', validUntil: '2027-01-31T23:59:59Z' })).toEqual({});
  });

  it('sends what is set for a new token and only the changes for an edit', () => {
    expect(
      newTokenBody({ ...EMPTY_TOKEN, uid: '04a2b3c4', groupId: 'G1', allowedSites: 'a, b', maxConcurrentTx: '0' })
    ).toEqual({
      type: 'ISO14443',
      status: 'Accepted',
      uid: '04a2b3c4',
      groupId: 'G1',
      allowedSites: ['a', 'b'],
      maxConcurrentTx: 0,
    });
    const form = tokenForm(TOKEN);
    expect(form.allowedHours).toBe('Mon,Tue 07:00-19:00');
    expect(tokenPatchBody(form, TOKEN)).toEqual({});
    expect(tokenPatchBody({ ...form, groupId: '', note: 'lost once', allowedSites: '' }, TOKEN)).toEqual({
      groupId: null,
      note: 'lost once',
      allowedSites: [],
    });
    expect(formatWindows([{ start: '22:00', end: '02:00' }])).toBe('22:00-02:00');
  });
});

describe('account form rules (as platform account-store.ts)', () => {
  it('needs a name, checks lengths and the currency', () => {
    expect(validateAccount(EMPTY_ACCOUNT).name).toBe('Required');
    expect(validateAccount({ ...EMPTY_ACCOUNT, name: 'Acme', currency: 'eur' }).currency).toMatch(/ISO 4217/);
    expect(validateAccount({ ...EMPTY_ACCOUNT, name: 'x'.repeat(201) }).name).toMatch(/200/);
    expect(validateAccount({ ...EMPTY_ACCOUNT, name: 'Acme', currency: 'EUR' })).toEqual({});
  });

  it('builds create and change bodies', () => {
    expect(newAccountBody({ ...EMPTY_ACCOUNT, kind: 'fleet', name: 'Acme', currency: 'EUR' })).toEqual({
      kind: 'fleet',
      name: 'Acme',
      currency: 'EUR',
    });
    const a = { id: '1', kind: 'fleet' as const, name: 'Acme', currency: 'EUR', note: 'n' };
    expect(accountPatchBody({ ...EMPTY_ACCOUNT, kind: 'fleet', name: 'Acme Ltd', currency: 'EUR' }, a)).toEqual({
      name: 'Acme Ltd',
      note: null,
    });
  });
});

describe('import files', () => {
  it('tells CSV from JSON and refuses what the collector could not read', () => {
    expect(readImport('type,uid\nISO14443,04A2B3C4\n')).toMatchObject({ ok: true, file: { format: 'csv' }, rows: 1 });
    expect(readImport('[{"type":"Central","uid":"A1"}]')).toMatchObject({
      ok: true,
      file: { format: 'json' },
      rows: 1,
    });
    expect(readImport('{"tokens":[]}')).toMatchObject({ ok: true, rows: 0 });
    expect(readImport('')).toMatchObject({ ok: false });
    expect(readImport('[oops')).toMatchObject({ ok: false, error: expect.stringMatching(/Not valid JSON/) });
    expect(readImport('{"x":1}')).toMatchObject({ ok: false, error: expect.stringMatching(/array of tokens/) });
    expect(readImport('kind,uid\n')).toMatchObject({ ok: false, error: expect.stringMatching(/unknown: kind/) });
  });

  it('reads the refused rows of the collector’s 400', () => {
    const err = new ApiError('1 of 2 rows are invalid; nothing was imported', 400, 'Bad Request', {
      message: '1 of 2 rows are invalid; nothing was imported',
      rows: [{ row: 3, errors: ['uid: an ISO 14443 UID must be 4, 7, 10 bytes long, not 3'] }],
    });
    expect(importProblems(err)).toEqual([
      { row: 3, errors: ['uid: an ISO 14443 UID must be 4, 7, 10 bytes long, not 3'] },
    ]);
    expect(importProblems(new ApiError('x', 503))).toEqual([]);
  });
});
