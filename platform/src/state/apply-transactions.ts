/**
 * How transaction events change a station's state inside the station store's MULTI (station-store.ts):
 * the open-transaction hash, the ended records kept for resends, per-transaction activity and the link
 * from a connector to its transaction. Resent messages (`resent: true`, decided by the adapters from
 * this same state) leave the state as it is, so a resend can never reopen or re-end a transaction.
 */
import type { ChainableCommander } from 'ioredis';
import type { TransactionEnded, TransactionRecord, TransactionStarted, TransactionUpdated } from '@chargewatch/model';
import { connectorFrom, connectorKey, type ConnectorState } from './station-state';
import { activityMember, ENDED_TX_TTL_SEC, parseRecord, type ActivityThrottle, type StationTxKeys } from './transaction-records';

export interface TxApplyContext {
  m: ChainableCommander;
  keys: StationTxKeys;
  stationId: string;
  connectors: Map<string, ConnectorState>;
  touched: Set<string>;
  /** Open records (raw JSON) of the batch's transactions, read before the MULTI and kept current. */
  open: Map<string, string | undefined>;
  /** Ids of the batch's transactions that have an ended record, read before the MULTI. */
  ended: Set<string>;
  /** Global activity index writes (member → ms), sent outside the MULTI: the index is not in the station's slot. */
  indexed: Map<string, number>;
  /** Global activity index members to remove. */
  unindexed: Set<string>;
  throttle: ActivityThrottle;
}

type TxEvent = TransactionStarted | TransactionUpdated | TransactionEnded;

/** Records activity on a transaction (also for meter values, throttled by the caller). */
export function touchActivity(ctx: TxApplyContext, transactionId: string, at: number): void {
  ctx.m.hset(ctx.keys.activity, transactionId, String(at));
  const member = activityMember(ctx.stationId, transactionId);
  ctx.indexed.set(member, Math.max(at, ctx.indexed.get(member) ?? 0));
  ctx.unindexed.delete(member);
  ctx.throttle.wrote(ctx.stationId, transactionId, at);
}

export function applyTransactionEvent(ctx: TxApplyContext, e: TxEvent): void {
  switch (e.type) {
    case 'transaction.started':
      // A resend changes nothing; a start arriving after the end (replayed out of order) must not reopen it.
      if (e.resent || ctx.ended.has(e.transactionId)) return;
      open(ctx, e, { transactionId: e.transactionId, evseId: e.evseId, connectorId: e.connectorId, startedAt: e.time, meterStartWh: e.meterStartWh, idToken: e.idToken });
      return;
    case 'transaction.updated':
      if (ctx.open.get(e.transactionId)) {
        touchActivity(ctx, e.transactionId, e.receivedAt);
        link(ctx, e);
      } else if (!ctx.ended.has(e.transactionId)) {
        // 2.0.1 may open a transaction with an Updated event when Started was lost; keep it visible.
        open(ctx, e, { transactionId: e.transactionId, evseId: e.evseId, connectorId: e.connectorId, startedAt: e.time, idToken: e.idToken, startUnseen: true });
      }
      return;
    case 'transaction.ended':
      end(ctx, e);
      return;
  }
}

function open(ctx: TxApplyContext, e: TransactionStarted | TransactionUpdated, record: TransactionRecord): void {
  const raw = JSON.stringify(record);
  ctx.m.hset(ctx.keys.transactions, e.transactionId, raw);
  ctx.open.set(e.transactionId, raw);
  touchActivity(ctx, e.transactionId, e.receivedAt);
  link(ctx, e);
}

function end(ctx: TxApplyContext, e: TransactionEnded): void {
  const { keys, m } = ctx;
  if (e.resent) {
    // The station's own end of a transaction we had closed by policy: its figures replace ours.
    if (e.supersedes && e.closedBy !== 'collector') {
      const record: TransactionRecord = {
        ...recordFromEnd(e),
        ended: { time: e.time, stoppedReason: e.stoppedReason, closedBy: 'station', meterStopWh: e.meterStopWh, supersedes: e.supersedes },
      };
      m.set(keys.ended(e.transactionId), JSON.stringify(record), 'EX', ENDED_TX_TTL_SEC);
    }
    return;
  }
  const base = parseRecord(ctx.open.get(e.transactionId)) ?? recordFromEnd(e);
  const record: TransactionRecord = {
    ...base,
    ended: { time: e.time, stoppedReason: e.stoppedReason, closedBy: e.closedBy ?? 'station', meterStopWh: e.meterStopWh },
  };
  // Written also for transactions never seen open, so their resends are recognised too.
  m.set(keys.ended(e.transactionId), JSON.stringify(record), 'EX', ENDED_TX_TTL_SEC);
  m.hdel(keys.transactions, e.transactionId);
  m.hdel(keys.activity, e.transactionId);
  const member = activityMember(ctx.stationId, e.transactionId);
  ctx.indexed.delete(member);
  ctx.unindexed.add(member);
  ctx.throttle.forget(ctx.stationId, e.transactionId);
  ctx.open.delete(e.transactionId);
  ctx.ended.add(e.transactionId);
  for (const [key, c] of ctx.connectors) {
    if (c.transactionId === e.transactionId) {
      ctx.connectors.set(key, { ...c, transactionId: undefined });
      ctx.touched.add(key);
    }
  }
}

/** What an end knows of its transaction when no open record is left (never seen, or a late station end). */
function recordFromEnd(e: TransactionEnded): TransactionRecord {
  return {
    transactionId: e.transactionId,
    evseId: e.evseId,
    connectorId: e.connectorId,
    startedAt: e.start?.time ?? e.time,
    meterStartWh: e.start?.meterStartWh,
    idToken: e.start?.idToken ?? e.idToken,
    startUnseen: e.start ? undefined : true,
  };
}

function link(ctx: TxApplyContext, e: TxEvent): void {
  const key = connectorKey(e.evseId, e.connectorId);
  ctx.connectors.set(key, { ...connectorFrom(ctx.connectors.get(key), e.evseId, e.connectorId, e.time), transactionId: e.transactionId });
  ctx.touched.add(key);
}
