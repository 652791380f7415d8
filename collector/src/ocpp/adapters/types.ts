import type {
  AuthorizationDecision,
  AuthorizationRequest,
  CertificateSigningRequested,
  ChargeEvent,
  ConnectorRef,
  ConnectorSnapshot,
  IdToken,
  LostTransaction,
  OpenTransaction,
  TransactionRecord,
} from '@chargewatch/model';
import type { IdLimitField, IdLimits } from './id-limits';

// Version-neutral decision and transaction records live in the model (access control and the station
// store use them too); re-exported so the adapters keep one import site.
export type { AuthorizationDecision, ConnectorSnapshot, LostTransaction, OpenTransaction, TransactionRecord };

export interface CertificateSigningRequest {
  certificateType: CertificateSigningRequested['certificateType'];
  csrLength: number;
}

export interface RegistrationDecision {
  status: 'Accepted' | 'Pending' | 'Rejected';
  /** Heartbeat interval when accepted, retry interval otherwise (seconds). */
  intervalSec: number;
}

export interface BootInfo {
  vendor: string;
  model: string;
  serialNumber?: string;
  firmwareVersion?: string;
}

/**
 * Decisions and look-ups the adapters need from the rest of the collector. Adapters stay pure
 * translators: policy (registration, access control) and state (open transactions) live behind this.
 */
export interface CsmsDecisions {
  registration(stationId: string, boot: BootInfo): Promise<RegistrationDecision>;
  /** `request` absent: a plain Authorize. The decision's status is 2.0.1's; 1.6 adapters map it. */
  authorize(stationId: string, idToken: IdToken, request?: AuthorizationRequest): Promise<AuthorizationDecision>;
  /**
   * 1.6 only: the CSMS assigns integer transaction ids, unique across collector restarts. The same
   * `startKey` (one StartTransaction, resent) gets the same id.
   */
  allocateTransactionId(stationId: string, startKey?: string): Promise<number>;
  /**
   * Transaction by id from the shared state, open or recently ended (then `ended` says how), so a
   * message can be placed on its connector and a resent start recognised — on any collector.
   */
  findTransaction(stationId: string, transactionId: string): Promise<TransactionRecord | undefined>;
  /**
   * findTransaction for a message that ends the transaction (1.6 StopTransaction, 2.0.1 Ended): first
   * marks it active at `at`, so a stale sweep running at that moment backs off rather than closing it too.
   */
  endingTransaction(stationId: string, transactionId: string, at: number): Promise<TransactionRecord | undefined>;
  /**
   * Open transactions on `ref` that the station lost in its last reboot (last active before its last
   * BootNotification), asked when the connector reports Available; the adapter closes them.
   */
  transactionsLostByReboot(stationId: string, ref: ConnectorRef, at: number): Promise<LostTransaction[]>;
  /** The station's connectors from the shared state, with their open 2.0.1 problems. */
  connectors(stationId: string): Promise<ConnectorSnapshot[]>;
  /** Answer to SignCertificate (1.6 Security Whitepaper and 2.0.1). */
  signCertificate(stationId: string, request: CertificateSigningRequest): Promise<'Accepted' | 'Rejected'>;
  /** Highest EVSE and connector ids accepted; calls naming higher ones are refused (default DEFAULT_ID_LIMITS). */
  readonly idLimits?: IdLimits;
  /** Told of each call refused for an id above idLimits, before the CALLERROR goes out (to count it). */
  idLimitRefused?(stationId: string, field: IdLimitField): void;
}

export interface HandleContext {
  stationId: string;
  /** Epoch ms at which the frame arrived. */
  receivedAt: number;
  decisions: CsmsDecisions;
}

export interface HandleResult {
  /** CALLRESULT payload, already in the station's OCPP version. */
  reply: Record<string, unknown>;
  events: ChargeEvent[];
}

export type OcppProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** Translates one OCPP version's station→CSMS calls into events and a spec-correct reply. */
export interface ProtocolAdapter {
  readonly protocol: OcppProtocol;
  /** Every station→CSMS action this adapter answers. */
  readonly actions: readonly string[];
  /**
   * Handles one validated call. Throws an ocpp-rpc RPCError (createRPCError) for values the schema
   * accepts but the CSMS must refuse (e.g. negative energy, absurd timestamps).
   */
  handle(action: string, params: unknown, ctx: HandleContext): Promise<HandleResult>;
}
