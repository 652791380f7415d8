/**
 * Every Redis key ChargeWatch uses, built in one place. Nothing else concatenates a key.
 *
 * Station identities are chosen by whoever connects (OCPP 2.0.1 allows `:` in them, 1.6 fleets may use
 * more), so they are never joined into a key as they are: `escapeId` turns every character outside a
 * small safe set into `%XX` of its UTF-8 bytes. An escaped id contains no `:`, `{`, `}` or `%` other than
 * its own escapes, so two different identities can never produce the same key, and no identity can
 * reach into another station's keys (`A:connectors` is not station `A`'s connectors hash).
 *
 * A station's keys share the Redis Cluster hash tag `{<escaped id>}`, so the MULTI that updates a
 * station's hashes stays in one slot when the deployment moves to Redis Cluster.
 *
 * Key scheme (prefix from REDIS_PREFIX, default `cw:`; `<s>` = escaped station id):
 *   stations                        set: every registered station id (raw ids as members, not keys)
 *   st:{<s>}                        hash: registry, boot info, online, owner collector, lastSeen, …
 *   st:{<s>}:connectors             hash: "{evse}/{connector}" → JSON connector state
 *   st:{<s>}:tx                     hash: transactionId → JSON open transaction
 *   st:{<s>}:txended:<t>            JSON of a recently ended transaction (`<t>` escaped), expires
 *   st:{<s>}:txstart:<digest>       1.6 transaction id given to one StartTransaction, expires
 *   st:{<s>}:txact                  hash: transactionId → epoch ms of its last activity (stale sweep)
 *   st:{<s>}:meta                   hash: operator metadata
 *   st:{<s>}:security               hash: security profile, password hash, pinned certificate
 *   st:{<s>}:authfail               hash: wrong passwords in a row (`f`) and lockouts since the last
 *                                   good one (`l`), shared by every collector; expires a day after the last
 *   st:{<s>}:authlock               string: the identity's handshakes are refused until it expires
 *   st:{<s>}:cmdq                   list: command ids waiting to be sent to the station, oldest first
 *   st:{<s>}:cmdinflight            string: `<command id>|<collector>@<connectedAt>` of the command on
 *                                   the wire and the connection it went out on (one call at a time)
 *   st:{<s>}:cmds                   sorted set: the station's command ids by submit time (history)
 *   st:{<s>}:misuse:<w>             sorted set: a misuse window of the station (`unknown`, `pin`): members
 *                                   `<subject>/<event key>` scored by event time (platform/src/misuse)
 *   st:{<s>}:misuse:bays            hash: evse id → JSON idle-bay state
 *   st:{<s>}:misuse:txtok           hash: transactionId → token hash of its session ('' once ended)
 *   st:{<s>}:keycode-lockout        string: KeyCodes are refused at the station until it expires
 *   misuse:tok:<h>:<w>              sorted set / hash: a misuse window of one token (`<h>` its hash):
 *                                   `blocked`, `uses` (sorted sets), `sessions` (hash)
 *   misuse:ep:<subject>             hash: the incident a rule's findings about one subject merge into
 *   txseq                           counter: 1.6 transaction ids
 *   tx:activity                     sorted set: JSON [stationId, transactionId] of open transactions by
 *                                   last activity (ms), for the stale-transaction sweep
 *   tx:closing                      sorted set: the same members, closed by policy in the state and not
 *                                   yet journaled, by claim time (crash recovery of the sweep)
 *   tx:sweep:lock                   string: holder of the stale-transaction sweep, expires
 *   meta                            pub/sub channel: id of a station whose metadata changed
 *   pruned                          pub/sub channel: id of a never-booted station removed from the registry
 *   journal                         stream: versioned batches of events (see journal-entry.ts)
 *   journal:groups                  set: consumer groups the journal must be kept for
 *   deadletter:<consumer>           stream: what a consumer could not store, with the reason
 *   cmd:<id>                        hash: one command (station, name, params, deadline, status, result)
 *   cmdpending                      sorted set: ids of commands not yet final, by the time a sweep is due
 *   cmd:done                        pub/sub channel: id of a command that reached a final status
 *   collector:<c>:wake              pub/sub channel: station ids with new commands for collector `<c>`
 *   access:tokens                   pub/sub channel: JSON array of token ids the registry changed (`*`: all)
 *   access:locallist:sync           pub/sub channel: JSON {stationId, full} of a station whose local list
 *                                   an operator asked to sync now (the worker enqueues it)
 *   access:tokentx:<id>             sorted set: activityMember() of transactions started with registry
 *                                   token <id>, by start decision time (ConcurrentTx; heals itself)
 *   schema                          string: version of this key scheme (for migrations)
 *   bull:<queue>:…                  BullMQ's own keys of the worker's queues (prefix from bullPrefix in
 *                                   queues.ts, queue names there too)
 *
 * The command scripts (platform/src/commands) are atomic over a station's keys together with command
 * records and `cmdpending`, which live in other slots: they need one Redis (standalone, or primary with
 * replicas/Sentinel), not Redis Cluster. They build record keys as `commandPrefix()` + id; ids are
 * UUIDs, which escapeId leaves as they are, so that is the same key as `command(id)`.
 */

/** Characters kept as they are in a key; everything else is percent-encoded. */
const SAFE = /^[A-Za-z0-9*\-_=+|@.]$/;

/** Version of the key scheme; bump with a migration when keys change shape. */
export const KEY_SCHEME_VERSION = 2;

const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
const isLoneSurrogate = (ch: string) => ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff;

/**
 * Percent-encodes every character outside SAFE as the `%XX` escapes of its UTF-8 bytes. A lone UTF-16
 * surrogate has no UTF-8 form (encoders turn each into U+FFFD, which would give different ids the same
 * key), so it is written `%uXXXX` instead. The result is injective: different ids, different strings.
 */
export function escapeId(id: string): string {
  let out = '';
  for (const ch of id) {
    if (SAFE.test(ch)) out += ch;
    else if (isLoneSurrogate(ch)) out += `%u${hex(ch.charCodeAt(0), 4)}`;
    else {
      // encodeURIComponent gives the UTF-8 escapes, but leaves a few ASCII marks (! ' ( ) ~) as they are.
      const enc = encodeURIComponent(ch);
      out += enc === ch ? `%${hex(ch.charCodeAt(0), 2)}` : enc;
    }
  }
  return out;
}

/** Inverse of escapeId. */
export function unescapeId(escaped: string): string {
  return escaped.replace(/%u([0-9A-F]{4})|((?:%[0-9A-F]{2})+)/g, (_m, unit: string | undefined, bytes: string | undefined) =>
    unit ? String.fromCharCode(parseInt(unit, 16)) : decodeURIComponent(bytes!),
  );
}

export class RedisKeys {
  constructor(readonly prefix: string) {
    // A brace in the prefix would become the hash tag of every key and put all of them in one slot.
    if (/[{}]/.test(prefix)) throw new Error(`REDIS_PREFIX must not contain "{" or "}": ${prefix}`);
  }

  private st(stationId: string, part?: string): string {
    const base = `${this.prefix}st:{${escapeId(stationId)}}`;
    return part ? `${base}:${part}` : base;
  }

  // Registry and current state
  stations(): string { return `${this.prefix}stations`; }
  station(stationId: string): string { return this.st(stationId); }
  connectors(stationId: string): string { return this.st(stationId, 'connectors'); }
  transactions(stationId: string): string { return this.st(stationId, 'tx'); }
  endedTransaction(stationId: string, transactionId: string): string { return this.st(stationId, `txended:${escapeId(transactionId)}`); }
  transactionActivity(stationId: string): string { return this.st(stationId, 'txact'); }
  /** `digest` must be a fixed-alphabet digest (hex/base64url) of what identifies one StartTransaction. */
  txStart(stationId: string, digest: string): string { return this.st(stationId, `txstart:${escapeId(digest)}`); }
  metadata(stationId: string): string { return this.st(stationId, 'meta'); }
  security(stationId: string): string { return this.st(stationId, 'security'); }
  authFailures(stationId: string): string { return this.st(stationId, 'authfail'); }
  authLock(stationId: string): string { return this.st(stationId, 'authlock'); }
  txSeq(): string { return `${this.prefix}txseq`; }
  txActivity(): string { return `${this.prefix}tx:activity`; }
  txClosing(): string { return `${this.prefix}tx:closing`; }
  txSweepLock(): string { return `${this.prefix}tx:sweep:lock`; }
  metaChannel(): string { return `${this.prefix}meta`; }
  prunedChannel(): string { return `${this.prefix}pruned`; }

  // Event journal
  journal(): string { return `${this.prefix}journal`; }
  journalGroups(): string { return `${this.prefix}journal:groups`; }
  deadLetter(consumer: string): string { return `${this.prefix}deadletter:${escapeId(consumer)}`; }

  // Commands
  command(commandId: string): string { return `${this.commandPrefix()}${escapeId(commandId)}`; }
  commandPrefix(): string { return `${this.prefix}cmd:`; }
  commandsPending(): string { return `${this.prefix}cmdpending`; }
  commandDone(): string { return `${this.prefix}cmd:done`; }
  commandQueue(stationId: string): string { return this.st(stationId, 'cmdq'); }
  commandInflight(stationId: string): string { return this.st(stationId, 'cmdinflight'); }
  stationCommands(stationId: string): string { return this.st(stationId, 'cmds'); }
  collectorWake(collectorId: string): string { return `${this.prefix}collector:${escapeId(collectorId)}:wake`; }

  // Access control
  tokensChannel(): string { return `${this.prefix}access:tokens`; }
  localListSyncChannel(): string { return `${this.prefix}access:locallist:sync`; }
  tokenTransactions(tokenId: string): string { return `${this.prefix}access:tokentx:${escapeId(tokenId)}`; }
  // Misuse detection
  misuseStation(stationId: string, part: string): string { return this.st(stationId, `misuse:${escapeId(part)}`); }
  keyCodeLockout(stationId: string): string { return this.st(stationId, 'keycode-lockout'); }
  misuseToken(tokenHash: string, part: string): string { return `${this.prefix}misuse:tok:${escapeId(tokenHash)}:${escapeId(part)}`; }
  misuseEpisode(subject: string): string { return `${this.prefix}misuse:ep:${escapeId(subject)}`; }

  schema(): string { return `${this.prefix}schema`; }
}
