/**
 * What happens to a connection before it becomes a station: per-address limits against floods and
 * station authentication for OCPP security profiles 1–3. OcppServer calls `admit` first (cheap, no
 * I/O) and `authenticate` after its own path and subprotocol checks; `attach` watches the listening
 * server for slow and broken handshakes.
 *
 * Every refusal is answered with an HTTP status and a message, counted in Prometheus by a fixed reason
 * (`chargewatch_connections_rejected_total`, and `chargewatch_auth_failures_total` for credentials),
 * counted per address and per identity in a capped in-memory table for the API, and — for credential
 * failures of stations the collector knows — recorded as a `security.event` with source `collector`.
 * Unknown identities get no event: recording one would register them in Redis and InfluxDB, which
 * would let anyone grow the registry by guessing names.
 */
import type { Server as NetServer, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Counter } from 'prom-client';
import type { IHandshakeInterface } from 'ocpp-rpc/lib/server-client';
import type { CollectorMetrics } from '../../sinks/prometheus/metrics';
import type { EventDispatcher } from '../../events/dispatcher';
import type { SecurityEvent } from '@chargewatch/model';
import type { Logger } from '@chargewatch/platform';
import { BusyError } from './passwords';
import type { FailureTracker } from './failures';
import { ScryptShares, type LockoutOptions } from './lockout';
import { SharedLockout } from './shared-lockout';
import { NewIdentityLimit } from './new-identities';
import type { StationSecurity } from './station-security';
import { KeyedTokenBucket } from './token-bucket';

/** The per-address counting key, kept on the socket for the listener `attach` shares between sockets. */
const ADDRESS_KEY = Symbol('guard.addressKey');
type AddressKeyed = Socket & { [ADDRESS_KEY]?: string };

export const AUTH_FAILURE_REASONS = [
  'missing_credentials',
  'malformed_credentials',
  'bad_password',
  'no_password_set',
  'tls_required',
  'client_cert_missing',
  'client_cert_untrusted',
  'client_cert_identity',
  'client_ca_not_configured',
  'locked_out',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Security event type recorded for each credential failure. */
const EVENT_TYPE: Record<AuthFailureReason, string> = {
  missing_credentials: 'InvalidBasicAuth',
  malformed_credentials: 'InvalidBasicAuth',
  bad_password: 'InvalidBasicAuth',
  no_password_set: 'InvalidBasicAuth',
  tls_required: 'TLSRequired',
  client_cert_missing: 'InvalidClientCertificate',
  client_cert_untrusted: 'InvalidClientCertificate',
  client_cert_identity: 'InvalidClientCertificate',
  client_ca_not_configured: 'InvalidClientCertificate',
  locked_out: 'InvalidBasicAuth',
};

/** Security event recorded when an identity gets locked out after wrong passwords. */
export const LOCKOUT_EVENT_TYPE = 'AuthenticationLockout';

export interface Refusal {
  status: number;
  message: string;
}

export interface HandshakeGuardOptions {
  security: StationSecurity;
  failures: FailureTracker;
  metrics: CollectorMetrics;
  dispatcher: EventDispatcher;
  logger: Logger;
  /** Concurrent TCP connections per address (IPv6: per /64), handshakes included; 0 = unlimited. */
  maxConnectionsPerAddress: number;
  /** New connections per second per address, token bucket with `connectBurstPerAddress`; 0 = unlimited. */
  connectRatePerAddress: number;
  connectBurstPerAddress: number;
  /** Whether the OCPP port asks for client certificates (OCPP_TLS_CA set); profile 3 needs it. */
  clientCa: boolean;
  /** Security events written per second at most, across all stations (the rest are only counted). */
  eventRatePerSec?: number;
  /** Identities not yet registered that one address may connect per minute; 0 or absent = unlimited. */
  newIdentitiesPerAddressPerMin?: number;
  /** Lockout after wrong passwords; absent or threshold 0 = none. */
  lockout?: LockoutOptions;
  /** Where the lockout is shared with every other collector (shared-lockout.ts); absent: this process only. */
  sharedLockout?: { redis: ConstructorParameters<typeof SharedLockout>[1]; prefix: string };
  /** Verifications one identity / one address may have waiting or running (fair shares of the scrypt queue). */
  scryptShares?: { perIdentity: number; perAddress: number };
  now?: () => number;
}

/**
 * The key limits are applied to: the IPv4 address (also when IPv4-mapped), or the /64 of an IPv6
 * address, since one IPv6 client usually has a whole /64 to pick source addresses from.
 */
export function addressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!remoteAddress.includes(':')) return remoteAddress;
  const [head = '', tail = ''] = remoteAddress.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = remoteAddress.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':')}::/64`;
}

export class HandshakeGuard {
  private readonly openPerAddress = new Map<string, number>();
  /** Sockets dropped on arrival, so the TLS layer's resulting error is not counted a second time. */
  private readonly dropped = new WeakSet<object>();
  private readonly connectRate?: KeyedTokenBucket;
  private readonly eventBudget: KeyedTokenBucket;
  readonly authFailures: Counter<'reason'>;
  readonly lockouts: Counter<string>;
  readonly lockout: SharedLockout;
  private readonly shares: ScryptShares;
  private readonly newIdentities?: NewIdentityLimit;
  /** One log line per address per 10 s for refused new identities: a flood must not flood the log. */
  private readonly newIdentityLog = new KeyedTokenBucket(0.1, 1, 10_000);
  /** Security events not written because of the global budget or because the identity is unknown. */
  readonly eventsSkipped = { budget: 0, unknownStation: 0 };

  constructor(private readonly o: HandshakeGuardOptions) {
    if (o.connectRatePerAddress > 0) this.connectRate = new KeyedTokenBucket(o.connectRatePerAddress, Math.max(1, o.connectBurstPerAddress));
    const rate = o.eventRatePerSec ?? 20;
    this.eventBudget = new KeyedTokenBucket(rate, rate * 5, 1);
    const registry = o.metrics.registry;
    this.authFailures =
      (registry.getSingleMetric('chargewatch_auth_failures_total') as Counter<'reason'> | undefined) ??
      new Counter({ name: 'chargewatch_auth_failures_total', help: 'Station handshakes refused for missing or wrong credentials, by reason', labelNames: ['reason'], registers: [registry] });
    for (const reason of AUTH_FAILURE_REASONS) this.authFailures.inc({ reason }, 0);
    this.lockouts =
      (registry.getSingleMetric('chargewatch_auth_lockouts_total') as Counter<string> | undefined) ??
      new Counter({ name: 'chargewatch_auth_lockouts_total', help: 'Station identities locked out after repeated wrong passwords', registers: [registry] });
    this.lockout = new SharedLockout(
      o.lockout ?? { threshold: 0, baseMs: 60_000, maxMs: 3_600_000 },
      o.sharedLockout?.redis,
      o.sharedLockout?.prefix ?? '',
      () => o.metrics.redisErrors.inc({ operation: 'auth_lockout' }),
      o.now,
    );
    this.shares = new ScryptShares(o.scryptShares?.perIdentity ?? 1, o.scryptShares?.perAddress ?? 4);
    if (o.newIdentitiesPerAddressPerMin) this.newIdentities = new NewIdentityLimit(o.newIdentitiesPerAddressPerMin, (id) => o.security.isKnown(id), o.now);
  }

  /** A pruned station's identity counts as new again. */
  forgetIdentity(identity: string): void {
    this.newIdentities?.forget(identity);
  }

  /** Open TCP connections per address key (tests and the API). */
  openConnections(key: string): number {
    return this.openPerAddress.get(key) ?? 0;
  }

  get trackedAddresses(): number {
    return this.openPerAddress.size;
  }

  /**
   * Counts TCP connections per address, and closes clients that are slow or broken before the
   * upgrade request arrives: HTTP headers/request timeouts (`clientError`) and TLS handshake
   * failures and timeouts (`tlsClientError`).
   */
  attach(server: NetServer): void {
    const limit = this.o.maxConnectionsPerAddress;
    const open = this.openPerAddress;
    // One 'close' listener for every socket (`this` is the socket).
    const release = function (this: AddressKeyed) {
      const left = (open.get(this[ADDRESS_KEY]!) ?? 1) - 1;
      if (left > 0) open.set(this[ADDRESS_KEY]!, left);
      else open.delete(this[ADDRESS_KEY]!);
    };
    server.on('connection', (socket: Socket) => {
      const key = addressKey(socket.remoteAddress);
      const n = (this.openPerAddress.get(key) ?? 0) + 1;
      // Over twice the limit a client is not even given the chance to send a request: a flood of
      // half-open connections would otherwise hold sockets until the handshake timeout.
      if (limit > 0 && n > limit * 2) {
        this.refuseAddress('address_limit', key);
        this.dropped.add(socket);
        socket.destroy();
        return;
      }
      this.openPerAddress.set(key, n);
      // A closure per socket would cost memory for its whole life; the address is gone once it closes.
      (socket as AddressKeyed)[ADDRESS_KEY] = key;
      socket.on('close', release);
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const timeout = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const remote = (socket as Socket).remoteAddress;
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        this.refuseAddress(timeout ? 'handshake_timeout' : 'bad_http', addressKey(remote));
        this.o.logger.info({ remoteAddress: remote, error: err.code ?? err.message }, timeout ? 'handshake timed out' : 'malformed HTTP request');
      }
      if (socket.writable && (socket as Socket).bytesWritten === 0) {
        socket.write(timeout ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      socket.destroy();
    });
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
      const timeout = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
      // A client that does not trust the server certificate just hangs up (ECONNRESET): counted too,
      // it is what a station with the wrong CA bundle looks like. `_parent` is the raw socket (Node internal).
      if (!this.dropped.has((socket as unknown as { _parent?: object })._parent ?? {})) {
        this.refuseAddress(timeout ? 'tls_handshake_timeout' : 'tls_error', addressKey(socket.remoteAddress));
        this.o.logger.info({ remoteAddress: socket.remoteAddress, error: err.code ?? err.message }, timeout ? 'TLS handshake timed out' : 'TLS handshake failed');
      }
      socket.destroy();
    });
  }

  /** Per-address checks, before anything else is looked at. */
  admit(handshake: IHandshakeInterface): Refusal | undefined {
    const key = addressKey(handshake.remoteAddress);
    const limit = this.o.maxConnectionsPerAddress;
    // The count includes this connection (it was counted when its TCP connection opened).
    if (limit > 0 && this.openConnections(key) > limit) {
      this.refuseAddress('address_limit', key);
      return { status: 429, message: `too many connections from ${key} (limit ${limit})` };
    }
    if (this.connectRate && !this.connectRate.take(key)) {
      this.refuseAddress('rate_limited', key);
      return { status: 429, message: `too many new connections from ${key}; retry later` };
    }
    return undefined;
  }

  /**
   * Applies the station's security profile, then the new-identity limit (only to handshakes that would
   * be accepted, so refused guesses do not use up an address's budget). Throws only for defects; Redis
   * outages refuse with 503.
   */
  async authenticate(handshake: IHandshakeInterface, signal?: AbortSignal): Promise<Refusal | undefined> {
    const refused = await this.credentials(handshake, signal);
    return refused ?? (await this.admitIdentity(handshake));
  }

  private async admitIdentity(handshake: IHandshakeInterface): Promise<Refusal | undefined> {
    if (!this.newIdentities) return undefined;
    const key = addressKey(handshake.remoteAddress);
    let ok: boolean;
    try {
      ok = await this.newIdentities.admit(handshake.identity, key);
    } catch (err) {
      this.o.metrics.connectionsRejected.inc({ reason: 'auth_unavailable' });
      this.o.logger.error({ err, stationId: handshake.identity }, 'cannot read the station registry; refusing the connection');
      return { status: 503, message: 'registry temporarily unavailable; retry later' };
    }
    if (ok) return undefined;
    this.refuseAddress('new_identity_limit', key);
    if (this.newIdentityLog.take(key)) {
      this.o.logger.warn({ remoteAddress: handshake.remoteAddress, stationId: handshake.identity, limitPerMin: this.newIdentities.perMinute }, 'too many new station identities from one address');
    }
    return { status: 429, message: `too many new station identities from ${key} (limit ${this.newIdentities.perMinute} per minute); retry later` };
  }

  private async credentials(handshake: IHandshakeInterface, signal?: AbortSignal): Promise<Refusal | undefined> {
    const { identity } = handshake;
    const socket = handshake.request.socket;
    const tls = socket instanceof TLSSocket && socket.encrypted === true;
    let effective: Awaited<ReturnType<StationSecurity['effective']>>;
    try {
      effective = await this.o.security.effective(identity);
    } catch (err) {
      this.o.metrics.connectionsRejected.inc({ reason: 'auth_unavailable' });
      this.o.logger.error({ err, stationId: identity }, 'cannot read station security settings; refusing the connection');
      return { status: 503, message: 'authentication temporarily unavailable; retry later' };
    }
    const { profile, record } = effective;
    if (effective.stale) this.o.logger.warn({ stationId: identity }, 'station security settings unreadable; using the last ones read');
    if (profile === 0) return undefined;

    if ((profile === 2 || profile === 3) && !tls) {
      return this.fail(handshake, 'tls_required', 403, `security profile ${profile} requires a TLS (wss://) connection`);
    }
    if (profile === 3) {
      if (!this.o.clientCa) return this.fail(handshake, 'client_ca_not_configured', 401, 'client certificates are not accepted by this collector (OCPP_TLS_CA not set)');
      const s = socket as TLSSocket;
      const cert = s.getPeerCertificate();
      if (!cert || Object.keys(cert).length === 0) return this.fail(handshake, 'client_cert_missing', 401, 'security profile 3 requires a client certificate');
      if (!s.authorized) return this.fail(handshake, 'client_cert_untrusted', 401, 'client certificate not trusted', String(s.authorizationError ?? ''));
      const cn = cert.subject?.CN as unknown;
      const fingerprint = (cert.fingerprint256 ?? '').replace(/:/g, '').toUpperCase();
      const matches = record?.certFingerprint ? fingerprint === record.certFingerprint : typeof cn === 'string' && cn === identity;
      if (!matches) {
        return this.fail(handshake, 'client_cert_identity', 401, 'client certificate does not belong to this station identity', `CN=${typeof cn === 'string' ? cn : JSON.stringify(cn)} sha256=${fingerprint}`);
      }
      return undefined;
    }

    // Profiles 1 and 2: HTTP Basic, user = identity. ocpp-rpc sets `password` only when the user matches.
    if (!handshake.password) {
      return handshake.headers.authorization
        ? this.fail(handshake, 'malformed_credentials', 401, 'HTTP Basic credentials must use the station identity as user name')
        : this.fail(handshake, 'missing_credentials', 401, 'HTTP Basic authentication required (user = station identity)');
    }
    if (!record?.passwordHash) return this.fail(handshake, 'no_password_set', 401, 'invalid credentials');
    // Before any password check: a locked identity costs no scrypt, and a right password learns nothing.
    const lockedMs = await this.lockout.lockedFor(identity);
    if (lockedMs > 0) return this.fail(handshake, 'locked_out', 429, `too many wrong passwords for this identity; retry in ${Math.ceil(lockedMs / 1000)} s`, '', false);
    let ok = this.o.security.isVerified(record.passwordHash, handshake.password);
    if (!ok) {
      const release = this.shares.enter(identity, addressKey(handshake.remoteAddress));
      if (!release) return this.busy();
      try {
        ok = await this.o.security.checkPassword(record.passwordHash, handshake.password, signal);
      } catch (err) {
        if (signal?.aborted) return { status: 400, message: 'client went away' };
        if (err instanceof BusyError) return this.busy();
        throw err;
      } finally {
        release();
      }
    }
    if (ok) {
      await this.lockout.succeeded(identity);
      return undefined;
    }
    const refusal = this.fail(handshake, 'bad_password', 401, 'invalid credentials');
    const lock = await this.lockout.failed(identity);
    if (lock) {
      this.lockouts.inc();
      this.o.logger.warn({ stationId: identity, remoteAddress: handshake.remoteAddress, lockedForSec: lock.lockedForMs / 1000, lockout: lock.level }, 'station identity locked out after wrong passwords');
      const info = `failures=${lock.failures}; lockedForSec=${lock.lockedForMs / 1000}; lockout=${lock.level}; address=${handshake.remoteAddress ?? ''}`;
      this.recordEvent(identity, LOCKOUT_EVENT_TYPE, info, true);
    }
    return refusal;
  }

  private busy(): Refusal {
    this.o.metrics.connectionsRejected.inc({ reason: 'auth_busy' });
    return { status: 503, message: 'authentication busy; retry later' };
  }

  private refuseAddress(reason: string, key: string): void {
    this.o.metrics.connectionsRejected.inc({ reason });
    this.o.failures.record(reason, key);
  }

  /** `event: false` for refusals that come in floods by design (a locked identity): counted and logged, no event each. */
  private fail(handshake: IHandshakeInterface, reason: AuthFailureReason, status: number, message: string, detail = '', event = true): Refusal {
    const { identity } = handshake;
    const key = addressKey(handshake.remoteAddress);
    this.authFailures.inc({ reason });
    this.o.metrics.connectionsRejected.inc({ reason: 'auth' });
    this.o.failures.record(reason, key, identity);
    this.o.logger.warn({ stationId: identity, remoteAddress: handshake.remoteAddress, reason, detail: detail || undefined }, 'station authentication failed');
    if (event) this.recordEvent(identity, EVENT_TYPE[reason], [`reason=${reason}`, `address=${handshake.remoteAddress ?? ''}`, detail].filter(Boolean).join('; '));
    return { status, message };
  }

  /** Fire-and-forget: a slow sink must not hold the refusal, and a failed write only gets logged. */
  private recordEvent(stationId: string, eventType: string, techInfo: string, always = false): void {
    // Lockouts are few by construction (each one doubles); a flood of guesses must not crowd them out.
    if (!always && !this.eventBudget.take('all')) {
      this.eventsSkipped.budget++;
      return;
    }
    const now = Date.now();
    const event: SecurityEvent = { type: 'security.event', stationId, time: now, receivedAt: now, eventType, techInfo: techInfo.slice(0, 500), source: 'collector' };
    this.o.security
      .isKnown(stationId)
      .then((known) => {
        if (!known) {
          this.eventsSkipped.unknownStation++;
          return;
        }
        return this.o.dispatcher.record([event]);
      })
      .catch((err) => this.o.logger.error({ err, stationId, eventType }, 'failed to record security event'));
  }
}
