import type { AuthorizationRequest, ConnectorRef, IdToken } from '@chargewatch/model';
import type {
  AuthorizationDecision,
  BootInfo,
  CertificateSigningRequest,
  ConnectorSnapshot,
  CsmsDecisions,
  HandleContext,
  LostTransaction,
  RegistrationDecision,
  TransactionRecord,
} from '../../../src/ocpp/adapters/types';

/** In-memory CsmsDecisions that records what the adapter asked. */
export class FakeDecisions implements CsmsDecisions {
  registrationDecision: RegistrationDecision = { status: 'Accepted', intervalSec: 300 };
  /** Per token id; tokens not listed get `defaultAuthorization`. */
  authorizations = new Map<string, AuthorizationDecision>();
  defaultAuthorization: AuthorizationDecision = { status: 'Accepted' };
  /** The shared state's transactions, open or ended (then `ended` is set). */
  openTransactions = new Map<string, TransactionRecord>();
  /** What transactionsLostByReboot answers, per "evse/connector". */
  lostByReboot = new Map<string, LostTransaction[]>();
  connectorStates: ConnectorSnapshot[] = [];
  certificateDecision: 'Accepted' | 'Rejected' = 'Rejected';
  nextTransactionId = 1000;

  readonly boots: BootInfo[] = [];
  readonly authorized: IdToken[] = [];
  /** What each authorize call was about (undefined: a plain Authorize). */
  readonly authorizeRequests: Array<AuthorizationRequest | undefined> = [];
  readonly lookedUp: string[] = [];
  /** Transactions marked active by endingTransaction, with the time. */
  readonly touched: Array<{ transactionId: string; at: number }> = [];
  readonly certificateRequests: CertificateSigningRequest[] = [];
  /** Connectors asked about in transactionsLostByReboot. */
  readonly rebootQueries: ConnectorRef[] = [];

  async registration(_stationId: string, boot: BootInfo): Promise<RegistrationDecision> {
    this.boots.push(boot);
    return this.registrationDecision;
  }

  async authorize(_stationId: string, idToken: IdToken, request?: AuthorizationRequest): Promise<AuthorizationDecision> {
    this.authorized.push(idToken);
    this.authorizeRequests.push(request);
    return this.authorizations.get(idToken.id) ?? this.defaultAuthorization;
  }

  async allocateTransactionId(): Promise<number> {
    return this.nextTransactionId++;
  }

  async findTransaction(_stationId: string, transactionId: string): Promise<TransactionRecord | undefined> {
    this.lookedUp.push(transactionId);
    return this.openTransactions.get(transactionId);
  }

  async endingTransaction(stationId: string, transactionId: string, at: number): Promise<TransactionRecord | undefined> {
    this.touched.push({ transactionId, at });
    return this.findTransaction(stationId, transactionId);
  }

  async transactionsLostByReboot(_stationId: string, ref: ConnectorRef): Promise<LostTransaction[]> {
    this.rebootQueries.push(ref);
    return this.lostByReboot.get(`${ref.evseId}/${ref.connectorId}`) ?? [];
  }

  async connectors(): Promise<ConnectorSnapshot[]> {
    return this.connectorStates;
  }

  async signCertificate(_stationId: string, request: CertificateSigningRequest): Promise<'Accepted' | 'Rejected'> {
    this.certificateRequests.push(request);
    return this.certificateDecision;
  }
}

export const STATION_ID = 'CP-0042';
/** Fixture timestamps sit shortly before this instant. */
export const RECEIVED_AT = Date.parse('2025-03-14T10:00:00.000Z');

export function makeContext(decisions = new FakeDecisions(), receivedAt = RECEIVED_AT): HandleContext {
  return { stationId: STATION_ID, receivedAt, decisions };
}
