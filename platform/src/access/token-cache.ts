/**
 * The hot path of access control: every collector holds all tokens in memory, so an Authorize never
 * waits on PostgreSQL. The registry announces each committed change on the Redis channel
 * `access:tokens` (token ids as JSON, or `*`); every cache reloads just those tokens (deleted ones drop
 * out), and reloads everything every `fullReloadMs` and after its subscription reconnects, as a safety
 * net for a lost message. Look-ups: by type and normalised id (ids are case-insensitive); KeyCode by
 * the keyed hash of the presented PIN; 1.6 idTags (no type) by id across types.
 */
import type { Redis } from 'ioredis';
import { RedisKeys, normaliseTokenId, tokenLookupKey, type IdToken, type TokenType } from '@chargewatch/model';
import type { Logger } from '../logger';
import { pinHash } from './pin';
import type { CacheToken } from './token-types';

export interface TokenSource {
  loadForCache(ids?: string[]): Promise<CacheToken[]>;
}

/** Which type a 1.6 idTag matches first when tokens of several types share its id. */
const IDTAG_PRIORITY: readonly TokenType[] = ['ISO14443', 'ISO15693', 'Local', 'Central', 'eMAID', 'MacAddress', 'NoAuthorization'];

/** Retry period while the first full load fails. */
const FIRST_LOAD_RETRY_MS = 2000;

const typedKey = (type: string, uid: string) => `${type}\u0000${tokenLookupKey(uid)}`;

/** Announces changed token ids to every cache (what TokenRegistryOptions.notify wants). */
export function tokenChangeNotifier(redis: Redis, prefix: string): (ids: string[] | '*') => Promise<void> {
  const channel = new RedisKeys(prefix).tokensChannel();
  return async (ids) => {
    // Ids in chunks keep a message small even for a large import.
    if (ids === '*') await redis.publish(channel, '*');
    else for (let i = 0; i < ids.length; i += 1000) await redis.publish(channel, JSON.stringify(ids.slice(i, i + 1000)));
  };
}

interface Index {
  byId: Map<string, CacheToken>;
  byKey: Map<string, CacheToken>;
  byPin: Map<string, CacheToken>;
  /** upper-cased uid → tokens of any type with it (1.6 look-ups). */
  byUid: Map<string, CacheToken[]>;
}

const emptyIndex = (): Index => ({ byId: new Map(), byKey: new Map(), byPin: new Map(), byUid: new Map() });

function add(ix: Index, t: CacheToken): void {
  ix.byId.set(t.id, t);
  if (t.pinHash) ix.byPin.set(t.pinHash, t);
  if (t.uid !== undefined) {
    ix.byKey.set(typedKey(t.type, t.uid), t);
    const k = tokenLookupKey(t.uid);
    const list = ix.byUid.get(k) ?? [];
    list.push(t);
    list.sort((a, b) => IDTAG_PRIORITY.indexOf(a.type) - IDTAG_PRIORITY.indexOf(b.type));
    ix.byUid.set(k, list);
  }
}

function remove(ix: Index, id: string): void {
  const t = ix.byId.get(id);
  if (!t) return;
  ix.byId.delete(id);
  if (t.pinHash && ix.byPin.get(t.pinHash) === t) ix.byPin.delete(t.pinHash);
  if (t.uid !== undefined) {
    if (ix.byKey.get(typedKey(t.type, t.uid)) === t) ix.byKey.delete(typedKey(t.type, t.uid));
    const k = tokenLookupKey(t.uid);
    const rest = (ix.byUid.get(k) ?? []).filter((x) => x !== t);
    if (rest.length) ix.byUid.set(k, rest);
    else ix.byUid.delete(k);
  }
}

export interface TokenCacheOptions {
  source: TokenSource;
  /** A connection to duplicate for the subscription. */
  redis: Redis;
  prefix: string;
  hashSecret: Buffer;
  /** Full reload period (default 60 s); also the retry period while the first load fails. */
  fullReloadMs?: number;
  logger?: Logger;
  /** Told of each reload (full or not) and its duration, for metrics. */
  onReload?: (kind: 'full' | 'partial', tokens: number, ms: number, error?: unknown) => void;
}

export class TokenCache {
  private ix = emptyIndex();
  private subscriber?: Redis;
  private timer?: NodeJS.Timeout;
  private fullInFlight?: Promise<void>;
  /** Ids announced while a full reload runs: reloaded again after it, so its older rows never win. */
  private changedDuringFull?: Set<string>;
  private everLoaded = false;
  private stopped = false;

  constructor(private readonly o: TokenCacheOptions) {}

  /** true once a full load has succeeded. Until then every token is unknown. */
  get loaded(): boolean {
    return this.everLoaded;
  }

  get size(): number {
    return this.ix.byId.size;
  }

  async start(): Promise<void> {
    const channel = new RedisKeys(this.o.prefix).tokensChannel();
    const sub = this.o.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', (err) => this.o.logger?.debug({ err: err.message }, 'token cache subscription error'));
    let subscribedOnce = false;
    sub.on('ready', () => {
      // A reconnect may have lost announcements.
      if (subscribedOnce) void this.reloadAll();
    });
    sub.on('message', (_ch, message: string) => {
      if (message === '*') return void this.reloadAll();
      let ids: unknown;
      try {
        ids = JSON.parse(message);
      } catch {
        return;
      }
      if (Array.isArray(ids)) void this.reload(ids.filter((x): x is string => typeof x === 'string'));
    });
    await sub.subscribe(channel);
    subscribedOnce = true;
    await this.reloadAll();
    this.timer = setInterval(() => void this.reloadAll(), this.o.fullReloadMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** The registered token a station presents, or undefined. Synchronous: memory only. */
  lookup(token: IdToken): CacheToken | undefined {
    if (token.type === 'KeyCode') return this.ix.byPin.get(pinHash(token.id, this.o.hashSecret));
    if (token.type === 'Unknown') return this.ix.byUid.get(tokenLookupKey(token.id))?.[0];
    const n = normaliseTokenId(token.type, token.id);
    return this.ix.byKey.get(typedKey(token.type, n.ok ? n.uid : token.id));
  }

  /** Every token now in the cache (local-list previews, tests). */
  tokens(): IterableIterator<CacheToken> {
    return this.ix.byId.values();
  }

  reloadAll(): Promise<void> {
    this.fullInFlight ??= (async () => {
      const t0 = Date.now();
      this.changedDuringFull = new Set();
      try {
        const tokens = await this.o.source.loadForCache();
        const ix = emptyIndex();
        for (const t of tokens) add(ix, t);
        if (this.stopped) return;
        this.ix = ix;
        this.everLoaded = true;
        this.o.onReload?.('full', tokens.length, Date.now() - t0);
      } catch (err) {
        this.o.logger?.warn({ err: (err as Error).message }, 'token cache: full reload failed; keeping the tokens loaded before');
        this.o.onReload?.('full', 0, Date.now() - t0, err);
        // Never loaded (the database not migrated or reachable yet): try again soon, not only at the period.
        if (!this.everLoaded && !this.stopped) setTimeout(() => void this.reloadAll(), FIRST_LOAD_RETRY_MS).unref();
      } finally {
        const again = [...(this.changedDuringFull ?? [])];
        this.changedDuringFull = undefined;
        this.fullInFlight = undefined;
        if (again.length) await this.reload(again);
      }
    })();
    return this.fullInFlight;
  }

  async reload(ids: string[]): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) this.changedDuringFull?.add(id);
    const t0 = Date.now();
    try {
      const tokens = await this.o.source.loadForCache(ids);
      for (const id of ids) remove(this.ix, id);
      for (const t of tokens) add(this.ix, t);
      this.o.onReload?.('partial', tokens.length, Date.now() - t0);
    } catch (err) {
      this.o.logger?.warn({ err: (err as Error).message, tokens: ids.length }, 'token cache: reload of changed tokens failed; the next full reload retries');
      this.o.onReload?.('partial', 0, Date.now() - t0, err);
    }
  }
}
