/**
 * The collector's answers to the questions adapters ask: may this station register, may this token
 * charge, which transaction id comes next, which connector holds a transaction.
 */
import type { Authorizer } from '../access/authorizer';
import type { UnknownStationPolicy } from '../config';
import type { StationStore } from '../state/station-store';
import type { BootInfo, CsmsDecisions, RegistrationDecision } from './adapters/types';

/** Retry interval for stations that are Pending or Rejected: frequent enough to notice an approval. */
const NOT_ACCEPTED_RETRY_SEC = 60;

export class CollectorDecisions implements CsmsDecisions {
  constructor(
    private readonly store: StationStore,
    private readonly authorizer: Authorizer,
    private readonly policy: UnknownStationPolicy,
    private readonly heartbeatIntervalSec: number,
  ) {}

  async registration(stationId: string, _boot: BootInfo): Promise<RegistrationDecision> {
    const current = await this.store.redis.hget(this.store.prefix + `station:${stationId}`, 'registration');
    const known = await this.store.exists(stationId);
    let status: RegistrationDecision['status'];
    if (!known) {
      status = this.policy === 'accept' ? 'Accepted' : this.policy === 'pending' ? 'Pending' : 'Rejected';
    } else {
      // A station created through the metadata API has no registration yet: the operator added it, so it is accepted.
      status = current === 'Pending' || current === 'Rejected' ? current : 'Accepted';
    }
    return { status, intervalSec: status === 'Accepted' ? this.heartbeatIntervalSec : NOT_ACCEPTED_RETRY_SEC };
  }

  authorize(stationId: string, idToken: Parameters<Authorizer['authorize']>[1]) {
    return this.authorizer.authorize(stationId, idToken);
  }

  allocateTransactionId(): Promise<number> {
    return this.store.allocateTransactionId();
  }

  findTransaction(stationId: string, transactionId: string) {
    return this.store.findTransaction(stationId, transactionId);
  }
}
