import type { IdToken } from '@chargewatch/model';
import type {
  AuthorizationDecision,
  BootInfo,
  CertificateSigningRequest,
  ConnectorSnapshot,
  CsmsDecisions,
  HandleContext,
  OpenTransaction,
  RegistrationDecision,
} from '../../../src/ocpp/adapters/types';

/** In-memory CsmsDecisions that records what the adapter asked. */
export class FakeDecisions implements CsmsDecisions {
  registrationDecision: RegistrationDecision = { status: 'Accepted', intervalSec: 300 };
  /** Per token id; tokens not listed get `defaultAuthorization`. */
  authorizations = new Map<string, AuthorizationDecision>();
  defaultAuthorization: AuthorizationDecision = { status: 'Accepted' };
  openTransactions = new Map<string, OpenTransaction>();
  connectorStates: ConnectorSnapshot[] = [];
  certificateDecision: 'Accepted' | 'Rejected' = 'Rejected';
  nextTransactionId = 1000;

  readonly boots: BootInfo[] = [];
  readonly authorized: IdToken[] = [];
  readonly lookedUp: string[] = [];
  readonly certificateRequests: CertificateSigningRequest[] = [];

  async registration(_stationId: string, boot: BootInfo): Promise<RegistrationDecision> {
    this.boots.push(boot);
    return this.registrationDecision;
  }

  async authorize(_stationId: string, idToken: IdToken): Promise<AuthorizationDecision> {
    this.authorized.push(idToken);
    return this.authorizations.get(idToken.id) ?? this.defaultAuthorization;
  }

  async allocateTransactionId(): Promise<number> {
    return this.nextTransactionId++;
  }

  async findTransaction(_stationId: string, transactionId: string): Promise<OpenTransaction | undefined> {
    this.lookedUp.push(transactionId);
    return this.openTransactions.get(transactionId);
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
