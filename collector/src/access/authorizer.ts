import type { IdToken, AuthorizationDecision, AuthorizationRequest } from '@chargewatch/model';

/**
 * Decides whether an id token may charge, in 2.0.1 statuses (the adapters map them for 1.6). The
 * registry-backed implementation is registry-authorizer.ts; `acceptAll` is ACCESS_MODE=accept-all.
 */
export interface Authorizer {
  authorize(stationId: string, idToken: IdToken, request?: AuthorizationRequest): Promise<AuthorizationDecision>;
}

export const acceptAll: Authorizer = {
  async authorize() {
    return { status: 'Accepted' };
  },
};
