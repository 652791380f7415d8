/** The KeyCode lockout in the decision path: refuses KeyCodes at a locked-out station only. */
import type { IdToken } from '@chargewatch/model';
import { acceptAll } from '../../../src/access/authorizer';
import { withKeyCodeLockout } from '../../../src/access/keycode-lockout';

const pin: IdToken = { id: '1234', type: 'KeyCode' };
const card: IdToken = { id: '04A1B2C3', type: 'ISO14443' };

describe('withKeyCodeLockout', () => {
  const locked = new Set(['S1']);
  const asked: string[] = [];
  const a = withKeyCodeLockout(acceptAll, async (id) => (asked.push(id), locked.has(id)));

  test('a KeyCode at a locked-out station is Invalid, the right PIN too', async () => {
    expect(await a.authorize('S1', pin)).toEqual({ status: 'Invalid' });
  });

  test('other stations and other token types go to the authorizer', async () => {
    expect(await a.authorize('S2', pin)).toEqual({ status: 'Accepted' });
    asked.length = 0;
    expect(await a.authorize('S1', card)).toEqual({ status: 'Accepted' });
    expect(asked).toEqual([]);
  });

  test('a failed lookup leaves the decision to the authorizer', async () => {
    const b = withKeyCodeLockout(acceptAll, async () => {
      throw new Error('redis down');
    });
    expect(await b.authorize('S1', pin)).toEqual({ status: 'Accepted' });
  });

  test('passes what the authorization is for on to the authorizer', async () => {
    const seen: unknown[] = [];
    const c = withKeyCodeLockout({ authorize: async (...args) => (seen.push(args), { status: 'Accepted' }) }, async () => false);
    await c.authorize('S2', card, { purpose: 'start', evseId: 2, transactionId: 'T-1' });
    expect(seen).toEqual([['S2', card, { purpose: 'start', evseId: 2, transactionId: 'T-1' }]]);
  });
});
