/**
 * The journal consumer `sessions`: folds each batch's transaction and meter events into one fact set per
 * session (model foldSessionFacts), resolves the session's token the way the collectors decide on it (the
 * same in-memory TokenCache, so a 1.6 idTag finds its typed token and a PIN its KeyCode token), and
 * merges them into charging_sessions in one statement. The batch is acknowledged only after that commit;
 * a redelivered batch merges to the same row.
 *
 * Until the token cache has loaded once, batches are refused (and read again a second later): a session
 * recorded before the cache knows any token would stay unlinked from its token for good.
 */
import { foldSessionFacts, maskIdToken, type ChargeEvent, type IdToken, JOURNAL_CONSUMERS } from '@chargewatch/model';
import type { TokenCache } from '../access/token-cache';
import type { JournalEntry, JournalHandler } from '../journal/journal-consumer';
import { tokenHash } from '../misuse/token-hash';
import type { SessionRow, SessionStore } from './session-store';

export interface SessionRecorderOptions {
  store: SessionStore;
  tokens: Pick<TokenCache, 'lookup' | 'loaded'>;
  /** The keyed-hash secret incidents use (MISUSE_TOKEN_HASH_SECRET), so sessions and incidents of one card correlate. */
  hashSecret: string;
  /** Told how many sessions each batch wrote. */
  onRecorded?: (sessions: number) => void;
}

export class SessionRecorder implements JournalHandler {
  readonly group = JOURNAL_CONSUMERS.sessions;

  constructor(private readonly o: SessionRecorderOptions) {}

  async handle(entries: JournalEntry[]): Promise<void> {
    if (!this.o.tokens.loaded) throw new Error('token cache not loaded yet: sessions wait for it');
    const events: Array<{ event: ChargeEvent; site?: string }> = [];
    for (const { entry } of entries) {
      if (entry.kind !== 'events') continue;
      for (const event of entry.events) events.push({ event, site: entry.stations[event.stationId]?.site });
    }
    const facts = foldSessionFacts(events);
    if (facts.size === 0) return;
    const rows: SessionRow[] = [];
    for (const { idToken, ...f } of facts.values()) rows.push(idToken ? { ...f, token: this.resolve(idToken) } : f);
    await this.o.store.record(rows);
    this.o.onRecorded?.(rows.length);
  }

  private resolve(idToken: IdToken): NonNullable<SessionRow['token']> {
    const known = this.o.tokens.lookup(idToken);
    const token: NonNullable<SessionRow['token']> = { type: known?.type ?? idToken.type, masked: maskIdToken(idToken) };
    if (idToken.type !== 'KeyCode') token.hash = tokenHash(idToken, this.o.hashSecret);
    if (known) {
      token.ref = known.id;
      if (known.accountId) token.accountId = known.accountId;
    }
    return token;
  }
}
