/**
 * Station authentication and handshake limits, wired from the collector's configuration. The returned
 * pieces are shared by the OCPP server (`guard`) and the API's security routes (`security`, `failures`).
 */
import type { Redis } from 'ioredis';
import type { CollectorConfig } from '../../config';
import type { EventDispatcher } from '../../events/dispatcher';
import type { CollectorMetrics } from '../../sinks/prometheus/metrics';
import type { Logger } from '@chargewatch/platform';
import { FailureTracker } from './failures';
import { HandshakeGuard } from './guard';
import { StationSecurity } from './station-security';

export interface StationAuth {
  security: StationSecurity;
  failures: FailureTracker;
  guard: HandshakeGuard;
  /** What the OCPP port can do, so the API can refuse profiles no station could connect with. */
  tls: { server: boolean; clientCa: boolean };
}

export function createStationAuth(deps: {
  redis: Redis;
  prefix: string;
  ocpp: CollectorConfig['ocpp'];
  metrics: CollectorMetrics;
  dispatcher: EventDispatcher;
  logger: Logger;
}): StationAuth {
  const { ocpp } = deps;
  const security = new StationSecurity(deps.redis, deps.prefix, { defaultProfile: ocpp.defaultSecurityProfile });
  const failures = new FailureTracker();
  const clientCa = Boolean(ocpp.tlsCert && ocpp.tlsCa);
  const guard = new HandshakeGuard({
    security,
    failures,
    metrics: deps.metrics,
    dispatcher: deps.dispatcher,
    logger: deps.logger,
    maxConnectionsPerAddress: ocpp.maxConnectionsPerAddress,
    connectRatePerAddress: ocpp.connectRatePerAddress,
    connectBurstPerAddress: ocpp.connectBurstPerAddress,
    clientCa,
    newIdentitiesPerAddressPerMin: ocpp.newIdentitiesPerAddressPerMin,
    lockout: { threshold: ocpp.authLockout.threshold, baseMs: ocpp.authLockout.baseSec * 1000, maxMs: ocpp.authLockout.maxSec * 1000 },
    sharedLockout: { redis: deps.redis, prefix: deps.prefix },
  });
  return { security, failures, guard, tls: { server: Boolean(ocpp.tlsCert), clientCa } };
}

export { FailureTracker } from './failures';
export { HandshakeGuard, addressKey, LOCKOUT_EVENT_TYPE } from './guard';
export { AuthLockout, ScryptShares } from './lockout';
export { SharedLockout } from './shared-lockout';
export { StationSecurity } from './station-security';
