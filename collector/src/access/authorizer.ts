import type { IdToken, AuthorizationDecision } from '@chargewatch/model';

/**
 * Decides whether an id token may charge. The access-control work (token registry, local lists,
 * misuse detection) provides a real implementation; until a token registry is configured every
 * token is accepted, which is how most networks run free-vend or pilot sites.
 */
export interface Authorizer {
  authorize(stationId: string, idToken: IdToken): Promise<AuthorizationDecision>;
}

export const acceptAll: Authorizer = {
  async authorize() {
    return { status: 'Accepted' };
  },
};
