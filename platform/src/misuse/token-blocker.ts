/**
 * The optional automatic response to a misuse finding: block the token. The token registry (the
 * access-control work) implements it; until it is wired in, the detector uses `unavailableTokenBlocker`
 * and records the response as `unavailable`. Every attempt is audited.
 */
import type { Actor, AllowedHours, IdToken } from '@chargewatch/model';

export interface TokenBlocker {
  /** false when no registry is wired in: the detector then records `unavailable` without calling. */
  readonly available: boolean;
  /** Blocks the token; true when it is blocked now (also when it already was). */
  block(tokenType: string, tokenUid: string, actor: Actor, reason: string): Promise<boolean>;
}

export const unavailableTokenBlocker: TokenBlocker = {
  available: false,
  async block() {
    return false;
  },
};

/**
 * The hours a token may be used, from the token registry. None is wired in yet: `noAllowedHours`
 * answers undefined for every token, so the `outside_allowed_hours` rule finds nothing until then.
 */
export interface AllowedHoursLookup {
  allowedHours(token: IdToken): Promise<AllowedHours | undefined>;
}

export const noAllowedHours: AllowedHoursLookup = {
  async allowedHours() {
    return undefined;
  },
};
