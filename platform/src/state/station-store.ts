/**
 * Current state of every station in Redis: the registry, boot info, online/offline with the owning
 * collector, connectors, open transactions and the operator's metadata. Redis is the shared truth
 * between collector instances, the API and the worker; this module is its only writer of state keys.
 *
 * Keys (prefix from REDIS_PREFIX, default `cw:`):
 *   stations                      set of station ids
 *   st:{<escaped id>}             hash: boot info, online, collectorId, protocol, lastSeen, … (RedisKeys.station)
 *   station:{id}:connectors       hash: "{evse}/{connector}" → JSON ConnectorState
 *   station:{id}:tx               hash: transactionId → JSON TransactionRecord of an open transaction
 *   station:{id}:txended:{txId}   JSON TransactionRecord (with `ended`) of a transaction ended in the last 7 days (expires)
 *   station:{id}:txact            hash: transactionId → epoch ms of its last activity (stale sweep)
 *   station:{id}:meta             hash: site, address, latitude, longitude, operatingHours, tags (JSON)
 *   station:{id}:txstart:{start}  1.6 transaction id given to one StartTransaction, for its resends (expires)
 *   txseq                         counter for 1.6 transaction ids (unique across restarts)
 *   tx:activity, tx:closing, tx:sweep:lock   stale-transaction sweep (transaction-records.ts)
 *   stations:changed              sorted set: station id → epoch ms of its last state write (the API's index follows it)
 *   channel meta                  pub/sub: station id whose metadata changed
 */
import type { Redis } from 'ioredis';
import { RedisKeys, type ChargeEvent, type ConnectorSnapshot, type TransactionRecord } from '@chargewatch/model';
import { applyProblemItem, isProblemItem } from './apply-problems';
import { applyTransactionEvent, touchActivity, type TxApplyContext } from './apply-transactions';
import { connectorKey, parseMeta, toState, type ConnectorState, type StationMetadata, type StationState } from './station-state';
import { StaleTransactionSweeper, type StaleSweepOptions } from './stale-transactions';
import { TransactionQueries } from './transaction-queries';
import { pruneUnbootedStations } from './registry-prune';
import { StationChangeFeed } from './change-feed';
import { ActivityThrottle, parseRecord, type GlobalTxKeys, type StationTxKeys } from './transaction-records';

export type { ConnectorState, StationMetadata, StationState } from './station-state';

/** `lastSeen` is written at most this often per station: a heartbeat age in seconds needs no more. */
const LAST_SEEN_WRITE_INTERVAL_MS = 5000;

export class StationStore {
  private lastSeenWritten = new Map<string, number>();
  private readonly activity = new ActivityThrottle();
  readonly globalTxKeys: GlobalTxKeys;
  /** Transaction look-ups for the adapters' decisions and the Prometheus sink. */
  readonly transactions: TransactionQueries;
  /** Which stations' state changed when (change-feed.ts): what the API's index re-reads. */
  readonly changes: StationChangeFeed;
  /** The station hash is named by RedisKeys, like the command scripts that read its owner and online flag. */
  private readonly keys: RedisKeys;

  constructor(
    readonly redis: Redis,
    readonly prefix = 'cw:',
  ) {
    const keys = new RedisKeys(prefix);
    this.keys = keys;
    this.globalTxKeys = { activityIndex: keys.txActivity(), closing: keys.txClosing(), sweepLock: keys.txSweepLock() };
    this.changes = new StationChangeFeed(redis, this.k('stations', 'changed'));
    this.transactions = new TransactionQueries(redis, (id) => this.txKeys(id), this.globalTxKeys);
  }

  private k(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** A sweep over this store's transactions (see stale-transactions.ts). */
  staleSweeper(options: Omit<StaleSweepOptions, 'redis' | 'queries' | 'keysOf' | 'global' | 'stationIds' | 'changed'>): StaleTransactionSweeper {
    return new StaleTransactionSweeper({
      ...options,
      redis: this.redis,
      queries: this.transactions,
      keysOf: (id) => this.txKeys(id),
      global: this.globalTxKeys,
      stationIds: () => this.listIds(),
      changed: (id) => this.changes.mark([id]),
    });
  }

  /** The station keys the transaction modules use. */
  txKeys(stationId: string): StationTxKeys {
    return {
      station: this.keys.station(stationId),
      connectors: this.k('station', stationId, 'connectors'),
      transactions: this.k('station', stationId, 'tx'),
      activity: this.k('station', stationId, 'txact'),
      ended: (transactionId) => this.k('station', stationId, 'txended', transactionId),
    };
  }

  /** Accepted, Pending or Rejected as last decided at a boot or by an operator; undefined before either. */
  async getRegistration(stationId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.station(stationId), 'registration')) ?? undefined;
  }

  async setRegistration(stationId: string, status: 'Accepted' | 'Pending' | 'Rejected'): Promise<void> {
    await this.redis.hset(this.keys.station(stationId), 'registration', status);
    await this.changes.mark([stationId]);
  }

  /** One page of the registry (SSCAN), for reading every station in bounded steps. */
  async scanIds(cursor: string, count: number): Promise<[string, string[]]> {
    return this.redis.sscan(this.k('stations'), cursor, 'COUNT', count);
  }

  async hasMetadata(stationId: string): Promise<boolean> {
    return (await this.redis.exists(this.k('station', stationId, 'meta'))) === 1;
  }

  async exists(stationId: string): Promise<boolean> {
    return (await this.redis.sismember(this.k('stations'), stationId)) === 1;
  }

  /**
   * Next 1.6 transaction id. With a start key (what identifies one StartTransaction: connector, timestamp,
   * idTag, meterStart) the same start gets the same id for a day — a StartTransaction resent after its
   * answer was lost must not open a second transaction, which would then never end.
   */
  async allocateTransactionId(stationId?: string, startKey?: string): Promise<number> {
    if (!stationId || !startKey) return this.redis.incr(this.k('txseq'));
    const key = this.k('station', stationId, 'txstart', startKey);
    const known = await this.redis.get(key);
    if (known) return Number(known);
    const id = await this.redis.incr(this.k('txseq'));
    // A station has one call in progress at a time (callConcurrency 1): nothing races this for its key.
    await this.redis.set(key, String(id), 'EX', 24 * 3600);
    return id;
  }

  async findTransaction(stationId: string, transactionId: string): Promise<TransactionRecord | undefined> {
    return parseRecord(await this.redis.hget(this.k('station', stationId, 'tx'), transactionId));
  }

  /** A transaction that ended within the last ENDED_TX_TTL_SEC, as it was while open, with how it ended. */
  async findEndedTransaction(stationId: string, transactionId: string): Promise<TransactionRecord | undefined> {
    return parseRecord(await this.redis.get(this.k('station', stationId, 'txended', transactionId)));
  }

  /** The station's connectors as the adapters need them (status and open 2.0.1 problems). */
  async connectorSnapshots(stationId: string): Promise<ConnectorSnapshot[]> {
    const raw = await this.redis.hgetall(this.k('station', stationId, 'connectors'));
    return Object.values(raw).map((r) => {
      const c = JSON.parse(r) as ConnectorState;
      return { evseId: c.evseId, connectorId: c.connectorId, status: c.status, problems: c.problems };
    });
  }

  /**
   * Applies events to the current state in one MULTI so a reader never sees half an update. Connector
   * `since` only moves when the status actually changes, hence the read of the previous states first.
   */
  async apply(events: ChargeEvent[]): Promise<void> {
    if (events.length === 0) return;
    const stationId = events[0]!.stationId;
    // A refused login attempt is recorded as a collector-side security event; it says nothing about
    // the station being alive, so it must not touch lastSeen (an attacker could fake liveness).
    if (events.every((e) => e.type === 'security.event' && e.source === 'collector')) return;
    const last = events[events.length - 1]!.receivedAt;
    const meterOnly = events.every((e) => e.type === 'meter.sample');
    const writeLastSeen = !meterOnly || last - (this.lastSeenWritten.get(stationId) ?? 0) >= LAST_SEEN_WRITE_INTERVAL_MS;
    const activityDue = events.flatMap((e) =>
      e.type === 'meter.sample' && e.transactionId && this.activity.due(stationId, e.transactionId, e.receivedAt) ? [e.transactionId] : [],
    );
    // The common case, a MeterValues between two lastSeen writes, needs no Redis command at all.
    if (meterOnly && !writeLastSeen && activityDue.length === 0) return;

    const keys = this.txKeys(stationId);
    const ctx = await this.readForApply(stationId, keys, events);
    const { m, connectors, touched } = ctx;
    const station = keys.station;
    let writes = 0;
    if (!meterOnly) {
      // Registry membership needs writing only with state changes, not with every meter value.
      m.sadd(this.k('stations'), stationId);
      m.hsetnx(station, 'firstSeen', String(events[0]!.receivedAt));
    }
    if (writeLastSeen) {
      m.hset(station, 'lastSeen', String(last));
      this.lastSeenWritten.set(stationId, last);
      writes++;
    }
    for (const txId of new Set(activityDue)) {
      touchActivity(ctx, txId, last);
      writes++;
    }
    for (const e of events) {
      switch (e.type) {
        case 'connection.opened':
          m.hset(station, {
            online: '1',
            collectorId: e.collectorId,
            protocol: e.protocol,
            remoteAddress: e.remoteAddress,
            connectedAt: String(e.time),
          });
          break;
        case 'connection.closed':
          this.lastSeenWritten.delete(stationId);
          // Only the owner may mark a station offline: after a takeover by another collector the old
          // instance's close must not overwrite the new connection's state.
          m.eval(
            "if redis.call('HGET', KEYS[1], 'collectorId') == ARGV[1] then redis.call('HSET', KEYS[1], 'online', '0', 'disconnectedAt', ARGV[2]) end",
            1,
            station,
            e.collectorId,
            String(e.time),
          );
          break;
        case 'station.booted':
          // Transactions named after a reboot must write their activity at once (transactionsLostByReboot).
          this.activity.forgetStation(stationId);
          m.hset(station, {
            vendor: e.vendor,
            model: e.model,
            serialNumber: e.serialNumber ?? '',
            firmwareVersion: e.firmwareVersion ?? '',
            iccid: e.iccid ?? '',
            imsi: e.imsi ?? '',
            meterType: e.meterType ?? '',
            registration: e.registration,
            bootReason: e.reason ?? '',
            lastBoot: String(e.time),
          });
          break;
        case 'station.heartbeat':
          m.hset(station, 'lastHeartbeat', String(e.receivedAt));
          break;
        case 'connector.status': {
          const key = connectorKey(e.evseId, e.connectorId);
          const prev = connectors.get(key);
          const changed = !prev || prev.status !== e.status || prev.errorCode !== e.errorCode;
          connectors.set(key, {
            evseId: e.evseId,
            connectorId: e.connectorId,
            status: e.status,
            errorCode: e.errorCode,
            vendorErrorCode: e.vendorErrorCode,
            info: e.info,
            since: changed ? e.time : prev.since,
            transactionId: prev?.transactionId,
            problems: prev?.problems,
          });
          touched.add(key);
          break;
        }
        case 'transaction.started':
        case 'transaction.updated':
        case 'transaction.ended':
          applyTransactionEvent(ctx, e);
          break;
        case 'device.event':
          applyProblemItem(connectors, touched, e);
          break;
        case 'firmware.status':
          m.hset(station, { firmwareStatus: e.status, firmwareStatusAt: String(e.time) });
          break;
        case 'meter.sample':
          continue;
        default:
          break;
      }
      writes++;
    }
    for (const key of touched) m.hset(keys.connectors, key, JSON.stringify(connectors.get(key)));
    if (writes === 0 && touched.size === 0) {
      m.discard();
      return;
    }
    // The activity index is global (not in the station's cluster slot): written beside the MULTI. It only
    // says where the stale sweep should look, and the sweep corrects it from the station's own keys.
    const index = this.globalTxKeys.activityIndex;
    await Promise.all([
      m.exec(),
      this.changes.mark([stationId]),
      ...[...ctx.indexed].map(([member, at]) => this.redis.zadd(index, 'GT', at, member)),
      ...(ctx.unindexed.size ? [this.redis.zrem(index, ...ctx.unindexed)] : []),
    ]);
  }

  /** What apply() must know before its MULTI: connectors, and the open or ended state of the batch's transactions. */
  private async readForApply(stationId: string, keys: StationTxKeys, events: ChargeEvent[]): Promise<TxApplyContext> {
    const needsConnectors = events.some(
      (e) => e.type === 'connector.status' || e.type.startsWith('transaction.') || (e.type === 'device.event' && isProblemItem(e)),
    );
    const txIds = [...new Set(events.flatMap((e) => (e.type.startsWith('transaction.') ? [(e as { transactionId: string }).transactionId] : [])))];
    const [previous, open, ended] = await Promise.all([
      needsConnectors ? this.redis.hgetall(keys.connectors) : Promise.resolve({} as Record<string, string>),
      txIds.length ? this.redis.hmget(keys.transactions, ...txIds) : Promise.resolve([] as Array<string | null>),
      Promise.all(txIds.map((id) => this.redis.exists(keys.ended(id)))),
    ]);
    const connectors = new Map<string, ConnectorState>();
    for (const [key, raw] of Object.entries(previous)) connectors.set(key, JSON.parse(raw) as ConnectorState);
    return {
      m: this.redis.multi(),
      keys,
      stationId,
      connectors,
      touched: new Set(),
      open: new Map(txIds.map((id, i) => [id, open[i] ?? undefined])),
      ended: new Set(txIds.filter((_id, i) => ended[i] === 1)),
      indexed: new Map(),
      unindexed: new Set(),
      throttle: this.activity,
    };
  }

  async setMetadata(stationId: string, meta: StationMetadata): Promise<void> {
    const fields: Record<string, string> = {};
    if (meta.site !== undefined) fields.site = meta.site;
    if (meta.address !== undefined) fields.address = meta.address;
    if (meta.latitude !== undefined) fields.latitude = String(meta.latitude);
    if (meta.longitude !== undefined) fields.longitude = String(meta.longitude);
    if (meta.operatingHours !== undefined) fields.operatingHours = meta.operatingHours;
    if (meta.timeZone !== undefined) fields.timeZone = meta.timeZone;
    if (meta.tags !== undefined) fields.tags = JSON.stringify(meta.tags);
    const m = this.redis.multi().sadd(this.k('stations'), stationId);
    if (Object.keys(fields).length) m.hset(this.k('station', stationId, 'meta'), fields);
    m.publish(this.k('meta'), stationId);
    await Promise.all([m.exec(), this.changes.mark([stationId])]);
  }

  async getMetadata(stationId: string): Promise<StationMetadata> {
    return parseMeta(await this.redis.hgetall(this.k('station', stationId, 'meta')));
  }

  async listIds(): Promise<string[]> {
    return (await this.redis.smembers(this.k('stations'))).sort();
  }

  /** Reads many stations with one pipeline round trip (the API lists thousands at a time). */
  async getMany(ids: string[]): Promise<StationState[]> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) {
      p.hgetall(this.keys.station(id));
      p.hgetall(this.k('station', id, 'connectors'));
      p.hgetall(this.k('station', id, 'tx'));
      p.hgetall(this.k('station', id, 'meta'));
    }
    const res = (await p.exec()) ?? [];
    const out: StationState[] = [];
    ids.forEach((id, i) => {
      const [h, c, t, meta] = [0, 1, 2, 3].map((j) => (res[i * 4 + j]?.[1] ?? {}) as Record<string, string>);
      out.push(toState(id, h!, c!, t!, meta!));
    });
    return out;
  }

  /** Like getMany, undefined for ids no longer in the registry (pruned since they were named). */
  async getExisting(ids: string[]): Promise<Array<StationState | undefined>> {
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.sismember(this.k('stations'), id);
    const [member, states] = await Promise.all([p.exec(), this.getMany(ids)]);
    return states.map((s, i) => (member?.[i]?.[1] === 1 ? s : undefined));
  }

  async get(stationId: string): Promise<StationState | undefined> {
    if (!(await this.exists(stationId))) return undefined;
    return (await this.getMany([stationId]))[0];
  }

  /**
   * Removes stations that connected but never booted and that nobody configured, last seen before
   * `seenBefore` (registry-prune.ts). The security record lives in the collector: its key is passed in.
   */
  async pruneUnbooted(opts: { seenBefore: number; securityKey: (stationId: string) => string }): Promise<string[]> {
    const pruned = await pruneUnbootedStations(this.redis, {
      stations: this.k('stations'),
      ids: () => this.listIds(),
      seenBefore: opts.seenBefore,
      keysOf: (id) => ({
        ...this.txKeys(id),
        metadata: this.k('station', id, 'meta'),
        security: opts.securityKey(id),
        commandQueue: this.keys.commandQueue(id),
        commandInflight: this.keys.commandInflight(id),
        commandHistory: this.keys.stationCommands(id),
      }),
    });
    await this.changes.mark(pruned);
    for (const id of pruned) {
      this.lastSeenWritten.delete(id);
      this.activity.forgetStation(id);
    }
    return pruned;
  }

  /** Marks this instance's stations offline, e.g. after a crash left them flagged online. */
  async markOwnedOffline(collectorId: string, except: Set<string>, at: number): Promise<number> {
    const ids = await this.listIds();
    let n = 0;
    for (const id of ids) {
      if (except.has(id)) continue;
      const [online, owner] = await this.redis.hmget(this.keys.station(id), 'online', 'collectorId');
      if (online === '1' && owner === collectorId) {
        await this.redis.hset(this.keys.station(id), { online: '0', disconnectedAt: String(at) });
        await this.changes.mark([id]);
        n++;
      }
    }
    return n;
  }
}
