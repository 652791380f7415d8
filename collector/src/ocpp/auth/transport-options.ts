/**
 * Options of the OCPP port's HTTP(S) server: how long a client may take over its upgrade request, and
 * TLS for security profiles 2 and 3. Kept apart from the handshake guard, which decides per connection.
 */
import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { TlsOptions } from 'node:tls';

/** http(s) server options bounding how long a client may take to send its upgrade request. */
export function handshakeHttpOptions(timeoutMs: number | undefined): HttpServerOptions {
  if (!timeoutMs) return {};
  return {
    headersTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    // Node checks the two timeouts above only this often (30 s by default).
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(timeoutMs / 4))),
  };
}

/**
 * TLS options for the OCPP port. With a CA bundle, client certificates are requested but not required
 * (`rejectUnauthorized: false`): profile 1/2 stations connect without one, and profile 3 checks
 * `authorized` and the identity per station during the upgrade.
 */
export function ocppTlsOptions(o: { cert: Buffer; key: Buffer; ca?: Buffer; handshakeTimeoutMs?: number }): TlsOptions {
  return {
    cert: o.cert,
    key: o.key,
    minVersion: 'TLSv1.2',
    ...(o.ca ? { ca: o.ca, requestCert: true, rejectUnauthorized: false } : {}),
    ...(o.handshakeTimeoutMs ? { handshakeTimeout: o.handshakeTimeoutMs } : {}),
  };
}
