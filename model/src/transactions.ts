/**
 * Version-neutral rules for transaction messages that arrive more than once or too late, and for the
 * collector's own closes. Adapters apply them to what the shared state holds (TransactionRecord) when a
 * message is handled; the station store and every consumer act on the flags they set.
 */
import type { CollectorStopReason, TransactionEnded, TransactionStart } from './events';
import type { TransactionRecord } from './csms';

/** The start an end carries, from the record; none when the start was never seen. */
export function startOf(record: TransactionRecord | undefined): TransactionStart | undefined {
  if (!record || record.startUnseen) return undefined;
  const start: TransactionStart = { time: record.startedAt };
  if (record.meterStartWh !== undefined) start.meterStartWh = record.meterStartWh;
  if (record.idToken !== undefined) start.idToken = record.idToken;
  return start;
}

/** A start is resent when the state already holds it (open or ended), not merely a record opened by a later message. */
export function isResentStart(record: TransactionRecord | undefined): boolean {
  return record !== undefined && !record.startUnseen;
}

/**
 * What an end learns from the shared state: its start, and whether its end is already recorded — then
 * it is `resent`, and when that recorded end was the collector's provisional close (or a station end
 * that replaced one) it `supersedes` that close.
 */
export function endFacts(record: TransactionRecord | undefined): Pick<TransactionEnded, 'start' | 'resent' | 'supersedes'> {
  const facts: Pick<TransactionEnded, 'start' | 'resent' | 'supersedes'> = {};
  const start = startOf(record);
  if (start) facts.start = start;
  const ended = record?.ended;
  if (ended) {
    facts.resent = true;
    const supersedes = ended.closedBy === 'collector' ? { time: ended.time, stoppedReason: ended.stoppedReason } : ended.supersedes;
    if (supersedes) facts.supersedes = supersedes;
  }
  return facts;
}

/** The `transaction.ended` event of a close by policy, timed at the transaction's last activity. */
export function collectorClose(
  stationId: string,
  record: TransactionRecord,
  close: { time: number; receivedAt: number; reason: CollectorStopReason },
): TransactionEnded {
  const start = startOf(record);
  return {
    type: 'transaction.ended',
    stationId,
    time: close.time,
    receivedAt: close.receivedAt,
    evseId: record.evseId,
    connectorId: record.connectorId,
    transactionId: record.transactionId,
    stoppedReason: close.reason,
    ...(record.idToken ? { idToken: record.idToken } : {}),
    offline: false,
    ...(start ? { start } : {}),
    closedBy: 'collector',
  };
}
