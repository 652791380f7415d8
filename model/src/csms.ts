/**
 * What the CSMS side decides and remembers, independent of the OCPP version. The protocol adapters
 * translate these to and from the wire; access control produces decisions and the station store keeps
 * transactions and connectors, so both live here rather than next to the adapters.
 */
import type { ConnectorRef, ConnectorStatus, IdToken } from './events';
import type { ConnectorProblem } from './problems';

/** The answer the CSMS gives to an authorization question, independent of the OCPP version. */
export interface AuthorizationDecision {
  /**
   * Accepted, Blocked, Expired, Invalid, ConcurrentTx, NoCredit, NotAllowedTypeEVSE, NotAtThisLocation,
   * NotAtThisTime or Unknown. 1.6 adapters map the 2.0.1-only values to `Invalid`.
   */
  status: string;
  expiryDate?: string;
  groupId?: string;
  /** EVSEs of the station the token is limited to (2.0.1 idTokenInfo.evseId). */
  evseIds?: number[];
}

/**
 * What an authorization question is about, as the adapters know it. `start`: a transaction begins
 * (1.6 StartTransaction; 2.0.1 TransactionEvent Started, or Updated with triggerReason Authorized), so
 * the token's concurrency limit applies; `authorize`: anything else (Authorize, a token shown to stop).
 */
export interface AuthorizationRequest {
  purpose: 'authorize' | 'start';
  /** The EVSE of a start, when known. */
  evseId?: number;
  /** The transaction a start opens (a resent start must not count against itself). */
  transactionId?: string;
}

export interface OpenTransaction extends ConnectorRef {
  transactionId: string;
  startedAt: number;
  meterStartWh?: number;
  idToken?: IdToken;
  /**
   * true when a later message (2.0.1 TransactionEvent Updated) opened the record because the start was
   * never seen: `startedAt` is then only when we first heard of it, and a Started arriving later is new.
   */
  startUnseen?: boolean;
}

/** How a transaction's end was recorded; kept so a resent or late end is recognised as such. */
export interface TransactionEndRecord {
  /** The end's event time (for a collector close: the transaction's last activity). */
  time: number;
  stoppedReason: string;
  closedBy: 'station' | 'collector';
  meterStopWh?: number;
  /** Set when the station's end replaced a provisional collector close (see TransactionEnded.supersedes). */
  supersedes?: { time: number; stoppedReason: string };
}

/** A transaction as the shared state holds it: open, or recently ended (then `ended` is set). */
export interface TransactionRecord extends OpenTransaction {
  ended?: TransactionEndRecord;
}

/** An open transaction a reboot lost (see CsmsDecisions.transactionsLostByReboot). */
export interface LostTransaction extends TransactionRecord {
  /** Last activity (epoch ms): the last moment the transaction was known to be alive. */
  lastActivity: number;
}

/** A connector as the adapters may read it from the shared state. */
export interface ConnectorSnapshot extends ConnectorRef {
  status: ConnectorStatus;
  /** Open 2.0.1 problems by source (see problems.ts). */
  problems?: Record<string, ConnectorProblem>;
}
