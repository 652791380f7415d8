/**
 * The public OCPP-J endpoint: `ws(s)://host:OCPP_PORT/ocpp/{stationId}`, served by ocpp-rpc with
 * strict schema validation for OCPP 2.0.1 and 1.6.
 *
 * This module owns connections (one per station identity, newest wins), turns connection lifecycle
 * into events, and routes each call to the adapter of the negotiated protocol. It knows protocol
 * versions only to pick the adapter; it never looks inside a payload.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { RPCServer, createRPCError } from 'ocpp-rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DEFAULT_IDENTITY_POLICY, type ChargeEvent, type IdentityPolicy } from '@chargewatch/model';
import type { EventDispatcher } from '../events/dispatcher';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';
import type { Logger } from '@chargewatch/platform';
import { adapterFor } from './adapters';
import type { CsmsDecisions, ProtocolAdapter } from './adapters/types';
import type { HandshakeGuard } from './auth/guard';
import { handshakeHttpOptions, ocppTlsOptions } from './auth/transport-options';
import { callStation, type CallOutcome } from './station-call';
import { inspectUpgrade, refuseUpgrade } from './upgrade-gate';
import { guardFrames } from './frame-guard';
import { CLOSE_BINARY, frameWatcher } from './frame-watch';
import { StormAdmission, pendingBootReply, type AdmissionSettings } from './admission';

export const OCPP_PATH = '/ocpp';
export const SUPPORTED_PROTOCOLS = ['ocpp2.0.1', 'ocpp1.6'];

/** Close codes the collector uses (4000–4999 is the application range of RFC 6455). */
export const CLOSE = {
  replaced: { code: 4000, reason: 'replaced by a newer connection with the same identity' },
  shutdown: { code: 1001, reason: 'collector shutting down' },
  binary: CLOSE_BINARY,
  notAccepted: { code: 4003, reason: 'station registration rejected' },
};

export interface OcppServerOptions {
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  /** PEM CA bundle for station client certificates (security profile 3). */
  tlsCa?: string;
  /** Time allowed for the TLS handshake and the HTTP upgrade request. */
  handshakeTimeoutMs?: number;
  /** Per-address limits and station authentication (profiles 1–3); without it any well-formed handshake is accepted. */
  guard?: HandshakeGuard;
  /** Which station identities are accepted (model/src/identity.ts); OCPP 2.0.1's identifierString by default. */
  identityPolicy?: IdentityPolicy;
  maxPayloadBytes: number;
  /** Storm shaping: concurrent handshakes and boots (ocpp/admission.ts); without it, no limit. */
  admission?: AdmissionSettings;
  pingIntervalSec: number;
  callTimeoutSec: number;
  maxBadMessages: number;
  collectorId: string;
  decisions: CsmsDecisions;
  dispatcher: EventDispatcher;
  metrics: CollectorMetrics;
  logger: Logger;
  /** Registration status of a station, to refuse calls from stations whose boot was Rejected. */
  registrationOf?: (stationId: string) => Promise<string | undefined>;
}

interface Connection {
  client: RPCServerClient;
  adapter: ProtocolAdapter;
  remoteAddress: string;
  /** Time of the connection.opened event: with the collector id, what names this connection in Redis. */
  connectedAt: number;
  /** Registration as of connect or the last boot: read once, not per call (the hot path). */
  registration?: Promise<string | undefined>;
}

export class OcppServer {
  private rpc: RPCServer;
  private http?: HttpServer;
  private connections = new Map<string, Connection>();
  /** Disconnect records still being written; shutdown waits for them before closing the stores. */
  private pendingRecords = new Set<Promise<void>>();
  readonly admission: StormAdmission;
  /** Shared by every connection (closures per connection cost memory per idle station). */
  private readonly watchFrames: (client: RPCServerClient) => void;
  private readonly onClientClose: (this: RPCServerClient, ev: { code: number; reason: string }) => void;
  private readonly guardContext: { metrics: CollectorMetrics; logger: Logger };

  constructor(private readonly opts: OcppServerOptions) {
    this.watchFrames = frameWatcher(opts.metrics, opts.logger);
    this.guardContext = { metrics: opts.metrics, logger: opts.logger };
    const server = this;
    this.onClientClose = function ({ code, reason }) {
      opts.metrics.connectionsClosed.inc({ code: String(code) });
      const stationId = this.identity ?? '';
      // A replaced connection already got its close event; recording it again would mark the new one offline.
      if (server.connections.get(stationId)?.client !== this) return;
      server.connections.delete(stationId);
      const t = Date.now();
      opts.logger.info({ stationId, code, reason }, 'station disconnected');
      const recorded = opts.dispatcher
        .record([{ type: 'connection.closed', stationId, time: t, receivedAt: t, code, reason: String(reason ?? ''), collectorId: opts.collectorId }])
        .catch((err) => opts.logger.error({ err, stationId }, 'failed to record disconnect'))
        .finally(() => server.pendingRecords.delete(recorded));
      server.pendingRecords.add(recorded);
    };
    const deferred = opts.metrics.stormDeferred;
    this.admission = new StormAdmission(opts.admission ?? { maxHandshakes: 0, handshakeRetryAfterSec: 1, maxBoots: 0, bootPendingIntervalSec: 1 }, {
      handshakeDeferred: () => deferred.inc({ stage: 'handshake' }),
      bootDeferred: () => deferred.inc({ stage: 'boot' }),
    });
    this.rpc = new RPCServer({
      protocols: SUPPORTED_PROTOCOLS,
      strictMode: true,
      // OCPP-J allows one outstanding call per direction; more breaks stations (ocpp-rpc #37).
      callConcurrency: 1,
      callTimeoutMs: opts.callTimeoutSec * 1000,
      pingIntervalMs: opts.pingIntervalSec * 1000,
      maxBadMessages: opts.maxBadMessages,
      respondWithDetailedErrors: false,
      wssOptions: { maxPayload: opts.maxPayloadBytes },
    });
    this.rpc.auth(async (accept, reject, handshake, signal) => {
      try {
        await this.authenticate(accept, reject, handshake, signal);
      } catch (err) {
        this.internalError('upgrade', err, { stationId: handshake.identity });
        reject(500, 'internal error');
      }
    });
    this.rpc.on('client', (client: RPCServerClient) => {
      this.onClient(client).catch((err) => {
        this.internalError('connection', err, { stationId: client.identity });
        void client.close({ code: 1011, reason: 'internal error' });
      });
    });
    this.rpc.on('upgradeAborted', ({ identity, error }: { identity: string; error: Error }) => {
      // Refusals are counted where they are decided; a client leaving mid-handshake is counted here.
      const refusedByUs = typeof (error as { code?: unknown } | undefined)?.code === 'number' && !/closed before upgrade|readyState/.test(error.message);
      if (!refusedByUs) opts.metrics.connectionsRejected.inc({ reason: 'handshake_aborted' });
      opts.logger.debug({ stationId: identity, reason: error?.message }, 'handshake refused');
    });
  }

  private async authenticate(...[accept, reject, handshake, signal]: Parameters<Parameters<RPCServer['auth']>[0]>): Promise<void> {
    const opts = this.opts;
    const { endpoint, identity, protocols } = handshake;
    const limited = opts.guard?.admit(handshake);
    if (limited) {
      reject(limited.status, limited.message);
      return;
    }
    // The identity itself was checked by the upgrade gate (identity policy) before ocpp-rpc parsed it.
    if (endpoint !== OCPP_PATH || !identity) {
      opts.metrics.connectionsRejected.inc({ reason: 'bad_path' });
      reject(404, `Connect to ${OCPP_PATH}/{stationId}`);
      return;
    }
    if (!SUPPORTED_PROTOCOLS.some((p) => protocols.has(p))) {
      opts.metrics.connectionsRejected.inc({ reason: 'no_protocol' });
      reject(400, `Supported subprotocols: ${SUPPORTED_PROTOCOLS.join(', ')}`);
      return;
    }
    const refused = await opts.guard?.authenticate(handshake, signal).catch((err: unknown) => {
      this.internalError('upgrade', err, { stationId: identity });
      return { status: 500, message: 'internal error' };
    });
    if (refused) {
      reject(refused.status, refused.message);
      return;
    }
    accept();
  }

  /**
   * Every upgrade request passes the gate first (what ocpp-rpc cannot parse without throwing is refused
   * with 400), and ocpp-rpc's own handling is contained: a failure there answers 500 to that request only.
   */
  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { metrics, logger } = this.opts;
    try {
      const inspected = inspectUpgrade(req, this.opts.identityPolicy ?? DEFAULT_IDENTITY_POLICY);
      if ('status' in inspected) {
        metrics.connectionsRejected.inc({ reason: inspected.reason });
        logger.info({ target: String(req.url).slice(0, 200), remoteAddress: req.socket.remoteAddress, reason: inspected.reason, message: inspected.message }, 'upgrade refused');
        refuseUpgrade(socket, inspected.status, inspected.message);
        return;
      }
      this.rpc.handleUpgrade(req, socket as Socket, head).catch((err: unknown) => {
        this.internalError('upgrade', err, { target: String(req.url).slice(0, 200) });
        refuseUpgrade(socket, 500, 'internal error');
      });
    } catch (err) {
      this.internalError('upgrade', err, { target: String(req.url).slice(0, 200) });
      refuseUpgrade(socket, 500, 'internal error');
    }
  }

  /** Counts and logs a failure of our own code; the caller answers the one client concerned. */
  private internalError(where: 'upgrade' | 'connection' | 'call', err: unknown, context: Record<string, unknown>): void {
    this.opts.metrics.internalErrors.inc({ where });
    this.opts.logger.error({ err, where, ...context }, 'internal error while handling client input');
  }

  async listen(): Promise<AddressInfo> {
    const { tlsCert, tlsKey, tlsCa, handshakeTimeoutMs } = this.opts;
    const httpOptions = handshakeHttpOptions(handshakeTimeoutMs);
    const server = tlsCert && tlsKey
      ? createHttpsServer({ ...httpOptions, ...ocppTlsOptions({ cert: readFileSync(tlsCert), key: readFileSync(tlsKey), ca: tlsCa ? readFileSync(tlsCa) : undefined, handshakeTimeoutMs }) })
      : createHttpServer(httpOptions);
    this.opts.guard?.attach(server);
    // Storm shaping starts at the TCP (or TLS) connection, before the request is parsed: under a storm
    // even parsing 100,000 upgrade requests is work the process does not have time for.
    server.on(tlsCert && tlsKey ? 'secureConnection' : 'connection', (socket: Duplex) => this.admission.admitHandshake(socket));
    server.on('request', (_req, res) => {
      res.statusCode = 426;
      res.end('OCPP-J websocket endpoint: connect with a websocket client\n');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.http = server;
    return server.address() as AddressInfo;
  }

  get connectedCount(): number {
    return this.connections.size;
  }

  connectedIds(): Set<string> {
    return new Set(this.connections.keys());
  }

  /**
   * Sends a CSMS→station call (the command executor's way out). With `connectedAt`, only on the
   * connection opened at that time: a command taken for one connection never goes out on the next.
   */
  async call(stationId: string, action: string, params: Record<string, unknown>, opts: { timeoutMs: number; connectedAt?: number }): Promise<CallOutcome> {
    const conn = this.connections.get(stationId);
    if (!conn) return { kind: 'not_sent', reason: 'not connected to this collector' };
    if (opts.connectedAt !== undefined && conn.connectedAt !== opts.connectedAt) return { kind: 'not_sent', reason: 'the station connected again since' };
    return callStation(conn.client, action, params, opts.timeoutMs);
  }

  protocolOf(stationId: string): string | undefined {
    return this.connections.get(stationId)?.adapter.protocol;
  }

  private async onClient(client: RPCServerClient): Promise<void> {
    const { metrics, logger, collectorId } = this.opts;
    const stationId = client.identity ?? '';
    const protocol = client.protocol ?? '';
    const adapter = adapterFor(protocol);
    if (!adapter) {
      // The handshake only accepts supported subprotocols, so this is a defect, not bad input.
      await client.close({ code: 1002, reason: `unsupported subprotocol ${protocol}` });
      return;
    }
    const remoteAddress = client.handshake.remoteAddress ?? '';
    const now = Date.now();
    const previous = this.connections.get(stationId);
    const conn: Connection = { client, adapter, remoteAddress, connectedAt: now };
    this.connections.set(stationId, conn);
    const events: ChargeEvent[] = [];
    if (previous) {
      metrics.connectionsReplaced.inc();
      logger.info({ stationId, remoteAddress }, 'station reconnected; closing the older connection');
      events.push({ type: 'connection.closed', stationId, time: now, receivedAt: now, code: CLOSE.replaced.code, reason: CLOSE.replaced.reason, collectorId });
      void previous.client.close({ ...CLOSE.replaced });
    }
    events.push({ type: 'connection.opened', stationId, time: now, receivedAt: now, remoteAddress, protocol, collectorId, replaced: Boolean(previous) });
    metrics.connectionsOpened.inc({ protocol });
    this.watchFrames(client);
    guardFrames(client, this.guardContext);
    this.registerHandlers(conn, stationId);

    client.on('close', this.onClientClose);

    try {
      await this.opts.dispatcher.record(events);
    } finally {
      this.admission.handshakeDone(client.handshake.request?.socket);
    }
    logger.info({ stationId, protocol, remoteAddress }, 'station connected');
  }

  /** One handler function per connection, registered for each action (closures cost memory per station). */
  private registerHandlers(conn: Connection, stationId: string): void {
    const handler = ({ method, params }: { method: string; params: unknown }) => this.handleCall(conn, stationId, method, params);
    for (const action of conn.adapter.actions) conn.client.handle(action, handler as never);
  }

  private async handleCall(conn: Connection, stationId: string, action: string, params: unknown): Promise<Record<string, unknown>> {
    const { adapter } = conn;
    const { metrics, logger, dispatcher, decisions } = this.opts;
    const protocol = adapter.protocol;
    const started = process.hrtime.bigint();
    const receivedAt = Date.now();
    const boot = action === 'BootNotification';
    if (boot) {
      const wait = this.admission.beginBoot();
      // Counted in chargewatch_storm_deferred_total; nothing is recorded, so the registration stays as it was.
      if (wait !== undefined) return pendingBootReply(wait, receivedAt);
    }
    try {
      if (!boot && this.opts.registrationOf) {
        conn.registration ??= this.opts.registrationOf(stationId);
        if ((await conn.registration) === 'Rejected') {
          throw createRPCError('SecurityError', 'station registration was rejected; send BootNotification', {});
        }
      }
      const { reply, events } = await adapter.handle(action, params, { stationId, receivedAt, decisions });
      await dispatcher.record(events);
      if (action === 'BootNotification') {
        const boot = events.find((e) => e.type === 'station.booted');
        if (boot?.type === 'station.booted') conn.registration = Promise.resolve(boot.registration);
      }
      metrics.messages.inc({ action, outcome: 'ok', protocol });
      return reply;
    } catch (err) {
      metrics.messages.inc({ action, outcome: 'error', protocol });
      if (isRpcError(err)) {
        logger.warn({ stationId, action, code: err.rpcErrorCode, error: err.message }, 'call refused');
        throw err;
      }
      // Never answer success for something not recorded: the station keeps the message and retries.
      this.internalError('call', err, { stationId, action });
      throw createRPCError('InternalError', 'the message could not be recorded; retry later', {});
    } finally {
      if (boot) this.admission.bootDone();
      metrics.callDuration.observe({ action }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async close(): Promise<void> {
    await this.rpc.close({ ...CLOSE.shutdown, awaitPending: true });
    await Promise.allSettled([...this.pendingRecords]);
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }
}

function isRpcError(err: unknown): err is Error & { rpcErrorCode: string } {
  return typeof err === 'object' && err !== null && typeof (err as { rpcErrorCode?: unknown }).rpcErrorCode === 'string';
}
