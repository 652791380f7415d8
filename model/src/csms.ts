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
}

export interface OpenTransaction extends ConnectorRef {
  transactionId: string;
  startedAt: number;
  meterStartWh?: number;
  idToken?: IdToken;
}

/** A connector as the adapters may read it from the shared state. */
export interface ConnectorSnapshot extends ConnectorRef {
  status: ConnectorStatus;
  /** Open 2.0.1 problems by source (see problems.ts). */
  problems?: Record<string, ConnectorProblem>;
}
