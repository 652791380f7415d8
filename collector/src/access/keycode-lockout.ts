/**
 * PIN-guessing response in the decision path: while the misuse consumer has KeyCodes locked out at a
 * station (platform isKeyCodeLockedOut), every KeyCode token there is answered Invalid, the right PIN
 * too (a guesser learns nothing), without asking the authorizer. Other token types pass through.
 * A failed lookup lets the authorizer decide: the journal append of the same call needs Redis anyway.
 */
import type { AuthorizationDecision, AuthorizationRequest, IdToken } from '@chargewatch/model';
import type { Authorizer } from './authorizer';

export function withKeyCodeLockout(inner: Authorizer, lockedOut: (stationId: string) => Promise<boolean>): Authorizer {
  return {
    async authorize(stationId: string, idToken: IdToken, request?: AuthorizationRequest): Promise<AuthorizationDecision> {
      if (idToken.type === 'KeyCode' && (await lockedOut(stationId).catch(() => false))) return { status: 'Invalid' };
      // What the authorization is for (a start, its EVSE) decides ConcurrentTx and EVSE limits: pass it on.
      return inner.authorize(stationId, idToken, request);
    },
  };
}
