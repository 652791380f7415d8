/**
 * Authorization from the token registry: the token from this collector's in-memory cache, the
 * station's site and time zone from the station metadata (cached), the pure decision of the model,
 * and — for a transaction start — the token's other open transactions from Redis (shared by every
 * collector). PostgreSQL is never on this path. Decisions are in 2.0.1 statuses; the adapters map them
 * for 1.6 stations. Token ids are masked in every log line; PINs never appear.
 */
import {
  decideAuthorization,
  maskIdToken,
  type AccessDecision,
  type AuthorizationRequest,
  type IdToken,
} from '@chargewatch/model';
import { accessTokenOf, type CacheToken, type Logger, type TokenTransactions } from '@chargewatch/platform';
import type { Authorizer } from './authorizer';

export interface StationPlace {
  siteId?: string;
  timeZone?: string;
}

export interface TokenLookup {
  lookup(token: IdToken): CacheToken | undefined;
  readonly loaded: boolean;
}

export interface RegistryAuthorizerOptions {
  tokens: TokenLookup;
  /** Open transactions per token (ConcurrentTx); without it starts are not limited. */
  transactions?: Pick<TokenTransactions, 'claim' | 'release'>;
  /** Where a station is; answered from memory once known. */
  place: (stationId: string) => StationPlace | Promise<StationPlace>;
  freeVendSites?: Iterable<string>;
  now?: () => number;
  logger?: Logger;
  /** Told of every decision (metrics): no token in it. */
  onDecision?: (d: AccessDecision, purpose: AuthorizationRequest['purpose']) => void;
}

export class RegistryAuthorizer implements Authorizer {
  private readonly freeVend: ReadonlySet<string>;
  private readonly now: () => number;
  private warnedNotLoaded = false;

  constructor(private readonly o: RegistryAuthorizerOptions) {
    this.freeVend = new Set(o.freeVendSites ?? []);
    this.now = o.now ?? Date.now;
  }

  async authorize(stationId: string, idToken: IdToken, request?: AuthorizationRequest): Promise<AccessDecision> {
    const now = this.now();
    const place = await this.o.place(stationId);
    const purpose = request?.purpose ?? 'authorize';
    const cached = this.o.tokens.lookup(idToken);
    if (!this.o.tokens.loaded && !this.warnedNotLoaded) {
      this.warnedNotLoaded = true;
      this.o.logger?.warn('token registry not loaded yet (PostgreSQL unreachable or not migrated): every token is unknown until it is');
    }
    const token = cached ? accessTokenOf(cached) : undefined;
    const ctx = {
      now,
      stationId,
      purpose,
      ...(place.siteId !== undefined ? { siteId: place.siteId, freeVend: this.freeVend.has(place.siteId) } : {}),
      ...(place.timeZone ? { timeZone: place.timeZone } : {}),
      ...(request?.evseId !== undefined ? { evseId: request.evseId } : {}),
    };
    let decision: AccessDecision;
    const tx = this.o.transactions;
    if (purpose === 'start' && cached && request?.transactionId && tx && decideAuthorization({ ...token!, maxConcurrentTx: undefined }, ctx).status === 'Accepted') {
      // Claim a place first (so two starts at once order themselves), then decide with the count.
      let open = 0;
      try {
        open = await tx.claim(cached.id, stationId, request.transactionId, now);
      } catch (err) {
        // Without the count a limited token cannot be decided: the station gets a CALLERROR and retries.
        if (token!.maxConcurrentTx !== undefined) throw err;
        this.o.logger?.warn({ err: (err as Error).message }, 'could not record a start for ConcurrentTx');
      }
      decision = decideAuthorization(token, { ...ctx, openTransactions: open });
      if (decision.status !== 'Accepted') await tx.release(cached.id, stationId, request.transactionId).catch(() => undefined);
    } else {
      decision = decideAuthorization(token, ctx);
    }
    this.o.onDecision?.(decision, purpose);
    this.o.logger?.debug({ stationId, token: maskIdToken(idToken), tokenType: idToken.type, purpose, status: decision.status, reason: decision.reason }, 'authorization decided');
    return decision;
  }
}
