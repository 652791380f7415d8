/**
 * The collector's answers to the questions adapters ask: may this station register, may this token
 * charge, which transaction id comes next, what the shared state holds about a transaction or a
 * connector, and whether we sign a station's certificate.
 */
import type { Authorizer } from '../access/authorizer';
import type { UnknownStationPolicy } from '../config';
import type { Logger, StationStore } from '@chargewatch/platform';
import type { AuthorizationRequest, ConnectorRef } from '@chargewatch/model';
import type { BootInfo, CertificateSigningRequest, CsmsDecisions, RegistrationDecision } from './adapters/types';
import type { IdLimitField, IdLimits } from './adapters/id-limits';

/** Retry interval for stations that are Pending or Rejected: frequent enough to notice an approval. */
const NOT_ACCEPTED_RETRY_SEC = 60;

export class CollectorDecisions implements CsmsDecisions {
  constructor(
    private readonly store: StationStore,
    private readonly authorizer: Authorizer,
    private readonly policy: UnknownStationPolicy,
    private readonly heartbeatIntervalSec: number,
    private readonly logger?: Logger,
    /** Highest EVSE/connector ids, and what to do with each refusal (count it). */
    private readonly limits?: { ids: IdLimits; onRefused?: (field: IdLimitField) => void },
  ) {}

  get idLimits(): IdLimits | undefined {
    return this.limits?.ids;
  }

  idLimitRefused(_stationId: string, field: IdLimitField): void {
    this.limits?.onRefused?.(field);
  }

  async registration(stationId: string, _boot: BootInfo): Promise<RegistrationDecision> {
    // A connection alone puts a station in the registry, so "known" means: it has a registration
    // from an earlier boot or an operator decision, or the operator created it with metadata.
    const current = await this.store.getRegistration(stationId);
    let status: RegistrationDecision['status'];
    if (current === 'Accepted' || current === 'Pending' || current === 'Rejected') status = current;
    else if (await this.store.hasMetadata(stationId)) status = 'Accepted';
    else status = this.policy === 'accept' ? 'Accepted' : this.policy === 'pending' ? 'Pending' : 'Rejected';
    return { status, intervalSec: status === 'Accepted' ? this.heartbeatIntervalSec : NOT_ACCEPTED_RETRY_SEC };
  }

  authorize(stationId: string, idToken: Parameters<Authorizer['authorize']>[1], request?: AuthorizationRequest) {
    return this.authorizer.authorize(stationId, idToken, request);
  }

  allocateTransactionId(stationId: string, startKey?: string): Promise<number> {
    return this.store.allocateTransactionId(stationId, startKey);
  }

  /** Open, or ended recently: a resent end (its answer was lost) must be placed like the first one. */
  findTransaction(stationId: string, transactionId: string) {
    return this.store.transactions.find(stationId, transactionId);
  }

  endingTransaction(stationId: string, transactionId: string, at: number) {
    return this.store.transactions.ending(stationId, transactionId, at);
  }

  transactionsLostByReboot(stationId: string, ref: ConnectorRef, at: number) {
    return this.store.transactions.lostByReboot(stationId, ref, at);
  }

  connectors(stationId: string) {
    return this.store.connectorSnapshots(stationId);
  }

  /** No certificate authority is configured: every request is refused, and logged so operators see who asks. */
  async signCertificate(stationId: string, request: CertificateSigningRequest): Promise<'Rejected'> {
    this.logger?.warn({ stationId, ...request }, 'SignCertificate rejected: certificate management is not available');
    return 'Rejected';
  }
}
