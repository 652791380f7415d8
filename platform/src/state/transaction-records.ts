/**
 * Shapes and small rules shared by the modules that keep transactions in Redis (station-store.ts,
 * apply-transactions.ts, transaction-queries.ts, stale-transactions.ts).
 *
 * Per station: `tx` (hash txId → JSON TransactionRecord while open), `txended:<txId>` (JSON
 * TransactionRecord with `ended`, for ENDED_TX_TTL_SEC) and `txact` (hash txId → epoch ms of the last
 * activity: a transaction message or a meter value naming it). Globally: `tx:activity` (sorted set of
 * activityMember() by last activity: where the stale sweep looks), `tx:closing` (closes by policy made in
 * the state and not yet journaled) and the sweep lock. The per-station keys are what must change
 * together (one hash tag, one MULTI or script); the global sets are indexes that heal themselves.
 */
import type { TransactionRecord } from '@chargewatch/model';

/**
 * How long an ended transaction stays findable: a StopTransaction / TransactionEvent(Ended) resent after
 * a lost answer, or sent late after the collector closed the transaction by policy, must be recognised
 * and land on the same connector (InfluxDB would otherwise get a second point under other tags).
 */
export const ENDED_TX_TTL_SEC = 7 * 24 * 3600;

/**
 * A meter value refreshes its transaction's activity at most this often per process. Stale means hours
 * without activity (TX_STALE_AFTER_SEC), so a minute of granularity costs nothing and spares Redis a
 * write per MeterValues. Transaction messages always write.
 */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

/** The station keys the transaction modules read and write (built by the station store). */
export interface StationTxKeys {
  station: string;
  connectors: string;
  transactions: string;
  activity: string;
  ended(transactionId: string): string;
}

/** The global keys: the activity index, unjournaled policy closes, the sweep lock. */
export interface GlobalTxKeys {
  activityIndex: string;
  closing: string;
  sweepLock: string;
}

/** Member of the global sets: unambiguous for any station and transaction id. */
export function activityMember(stationId: string, transactionId: string): string {
  return JSON.stringify([stationId, transactionId]);
}

export function parseActivityMember(member: string): { stationId: string; transactionId: string } | undefined {
  try {
    const v = JSON.parse(member) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { stationId: v[0], transactionId: v[1] };
  } catch {
    // A member not written by us: the sweep drops it.
  }
  return undefined;
}

export function parseRecord(raw: string | null | undefined): TransactionRecord | undefined {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as TransactionRecord;
  } catch {
    return undefined;
  }
}

/**
 * Per-process memory of when each transaction's activity was last written, so meter values write at
 * most every ACTIVITY_WRITE_INTERVAL_MS. Bounded: when it grows past `max` it is cleared, which only
 * costs one extra write per transaction.
 */
export class ActivityThrottle {
  private readonly written = new Map<string, Map<string, number>>();
  private size = 0;

  constructor(
    private readonly intervalMs = ACTIVITY_WRITE_INTERVAL_MS,
    private readonly max = 200_000,
  ) {}

  /** true when a write is due for this transaction at `at`; records it as written. */
  due(stationId: string, transactionId: string, at: number): boolean {
    const last = this.written.get(stationId)?.get(transactionId);
    if (last !== undefined && at - last < this.intervalMs) return false;
    if (last === undefined && this.size >= this.max) this.clear();
    let station = this.written.get(stationId);
    if (!station) this.written.set(stationId, (station = new Map()));
    if (!station.has(transactionId)) this.size++;
    station.set(transactionId, at);
    return true;
  }

  /** A written transaction message counts as a write. */
  wrote(stationId: string, transactionId: string, at: number): void {
    this.forget(stationId, transactionId);
    this.due(stationId, transactionId, at);
  }

  forget(stationId: string, transactionId: string): void {
    const station = this.written.get(stationId);
    if (station?.delete(transactionId)) this.size--;
  }

  /** After a reboot every transaction of the station writes its next activity at once (see lostByReboot). */
  forgetStation(stationId: string): void {
    const station = this.written.get(stationId);
    if (!station) return;
    this.size -= station.size;
    this.written.delete(stationId);
  }

  private clear(): void {
    this.written.clear();
    this.size = 0;
  }
}
