/** Plumbing shared by the version adapters; nothing here knows about a specific OCPP version. */
import { collectorClose, type CertificateSigningRequested, type ConnectorRef, type TransactionEnded } from '@chargewatch/model';
import { propertyViolation, rpcError } from './errors';
import { DEFAULT_ID_LIMITS, findIdLimitViolation } from './id-limits';
import type { CertificateSigningRequest, HandleContext, HandleResult, OcppProtocol, ProtocolAdapter } from './types';
import { parseStationTime } from './units';

export type Handler = (params: unknown, ctx: HandleContext) => Promise<HandleResult>;

/**
 * Types a handler's request. The server validates payloads against the version's schema before they get
 * here, so this is the one place where that guarantee is taken on trust.
 */
export function handler<Req>(fn: (req: Req, ctx: HandleContext) => Promise<HandleResult>): Handler {
  return (params, ctx) => fn(params as Req, ctx);
}

export function eventBase(ctx: HandleContext, time: number = ctx.receivedAt) {
  return { stationId: ctx.stationId, time, receivedAt: ctx.receivedAt };
}

/** CSMS clock for BootNotification and Heartbeat replies. */
export function currentTime(ctx: HandleContext): string {
  return new Date(ctx.receivedAt).toISOString();
}

export function assertNotNegative(value: number, field: string): void {
  if (value < 0) throw propertyViolation(`${field} must not be negative: ${value}`, { field });
}

/** An EVSE known only by id: 0 is the station as a whole, otherwise assume its first connector. */
export function evseOnly(evseId: number): ConnectorRef {
  assertNotNegative(evseId, 'evseId');
  return evseId === 0 ? { evseId: 0, connectorId: 0 } : { evseId, connectorId: 1 };
}

/** Decision values such as expiry dates come from our own code; re-emit them in the wire format or drop them. */
export function isoOrUndefined(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** DataTransfer payloads stay out of events; only their size is kept. */
export function payloadLength(data: unknown): number {
  if (data === undefined) return 0;
  return typeof data === 'string' ? data.length : JSON.stringify(data).length;
}

/**
 * Handlers fill optional fields as `key: maybeUndefined` for readability; this removes the absent ones so
 * events and replies carry only keys with values (sinks that iterate keys, logs and stored JSON stay clean).
 */
export function withoutUndefined<T>(value: T): T {
  return stripUndefined(value) as T;
}

/**
 * Copies only what holds an undefined field somewhere below it and returns the rest as it is: a
 * MeterValues event with nine samples is mostly clean, and copying every object of it on every call
 * was the adapters' largest cost (profile in docs/performance-notes.md).
 */
function stripUndefined(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const clean = stripUndefined(item);
      if (clean !== item && !out) out = value.slice(0, i);
      if (out) out.push(clean);
    }
    return out ?? value;
  }
  const obj = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = obj[key];
    const clean = item === undefined ? undefined : stripUndefined(item);
    if (!out && (item === undefined || clean !== item)) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
    }
    if (out && clean !== undefined) out[key] = clean;
  }
  return out ?? value;
}

// With the u flag a surrogate pair is one code point, so this matches only unpaired halves.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The path (`a.b[2]`) of the first string or object key holding a lone surrogate, `''` for the
 * payload itself, or undefined when every string is well formed. JSON escapes such as "\ud800" let
 * a station send them although they are not text. Iterative: depth is bounded by the frame check,
 * but this must not rely on it.
 */
export function findLoneSurrogate(value: unknown): string | undefined {
  // Almost every payload is clean: check without building paths first (a path string per element was
  // most of this walk's cost), and name the field only for a payload that has one.
  return hasLoneSurrogate(value) ? loneSurrogatePath(value) : undefined;
}

function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return true;
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push(item[i]);
    } else if (item !== null && typeof item === 'object') {
      for (const key in item) {
        if (!Object.prototype.hasOwnProperty.call(item, key)) continue;
        if (LONE_SURROGATE.test(key)) return true;
        stack.push((item as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

function loneSurrogatePath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (LONE_SURROGATE.test(item)) return path;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path ? `${path}.${key}` : key;
        if (LONE_SURROGATE.test(key)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}

export function createAdapter(protocol: OcppProtocol, handlers: Readonly<Record<string, Handler>>): ProtocolAdapter {
  return {
    protocol,
    actions: Object.freeze(Object.keys(handlers)),
    async handle(action, params, ctx) {
      const run = Object.prototype.hasOwnProperty.call(handlers, action) ? handlers[action] : undefined;
      if (!run) throw rpcError('NotImplemented', `${protocol} action ${action} is not implemented`);
      const broken = findLoneSurrogate(params);
      if (broken !== undefined) {
        // Stored as UTF-8 it would silently become U+FFFD: a different value from the one the station sent.
        throw propertyViolation(`${broken || 'payload'} contains a lone UTF-16 surrogate (not a Unicode string)`, { field: broken });
      }
      const tooHigh = findIdLimitViolation(protocol, action, params, ctx.decisions.idLimits ?? DEFAULT_ID_LIMITS);
      if (tooHigh) {
        ctx.decisions.idLimitRefused?.(ctx.stationId, tooHigh.field);
        throw propertyViolation(`${tooHigh.path} ${tooHigh.value} is above the highest id this CSMS accepts (${tooHigh.max})`, { field: tooHigh.path });
      }
      const result = await run(params, ctx);
      return { reply: withoutUndefined(result.reply), events: withoutUndefined(result.events) };
    },
  };
}

/** Heartbeat is the same in 1.6 and 2.0.1: an empty request answered with the CSMS's clock. */
export const heartbeat = handler<Record<string, unknown>>(async (_req, ctx) => ({
  reply: { currentTime: currentTime(ctx) },
  events: [{ type: 'station.heartbeat', ...eventBase(ctx) }],
}));

/**
 * DataTransfer means the same in 1.6 and 2.0.1. We implement no vendor extensions, so every vendor id
 * is unknown; the call is still recorded (vendor, message id, payload size) for troubleshooting.
 */
export const dataTransfer = handler<{ vendorId: string; messageId?: string; data?: unknown }>(async (req, ctx): Promise<HandleResult> => ({
  reply: { status: 'UnknownVendorId' },
  events: [
    {
      type: 'data.transfer',
      ...eventBase(ctx),
      vendorId: req.vendorId,
      messageId: req.messageId,
      dataLength: payloadLength(req.data),
    },
  ],
}));

/**
 * The 1.6 Security Whitepaper messages have the same shape as their 2.0.1 twins, so one handler each
 * records them as the same events (the versions' enums differ only in values, which pass through).
 */
export const securityEventNotification = handler<{ type: string; timestamp: string; techInfo?: string }>(async (req, ctx) => ({
  reply: {},
  events: [
    {
      type: 'security.event',
      ...eventBase(ctx, parseStationTime(req.timestamp, ctx.receivedAt)),
      eventType: req.type,
      techInfo: req.techInfo,
      source: 'station',
    },
  ],
}));

/** 1.6 FirmwareStatusNotification (no requestId), 1.6 SignedFirmwareStatusNotification and 2.0.1 FirmwareStatusNotification. */
export const firmwareStatusNotification = handler<{ status: string; requestId?: number }>(async (req, ctx) => ({
  reply: {},
  events: [{ type: 'firmware.status', ...eventBase(ctx), status: req.status, requestId: req.requestId }],
}));

/** 1.6 DiagnosticsStatusNotification (no requestId), 1.6 and 2.0.1 LogStatusNotification. */
export const logStatusNotification = handler<{ status: string; requestId?: number }>(async (req, ctx) => ({
  reply: {},
  events: [{ type: 'log.status', ...eventBase(ctx), status: req.status, requestId: req.requestId }],
}));

/**
 * SignCertificate, asked of the CSMS's policy (Rejected until certificate management exists) and
 * recorded with the CSR's length only. The reply's shape differs per version, so the adapters build it.
 */
export async function signCertificateRequest(
  req: { csr: string; certificateType?: 'ChargingStationCertificate' | 'V2GCertificate' },
  ctx: HandleContext,
): Promise<{ status: 'Accepted' | 'Rejected'; event: CertificateSigningRequested }> {
  const request: CertificateSigningRequest = { certificateType: req.certificateType ?? 'Unspecified', csrLength: req.csr.length };
  const status = await ctx.decisions.signCertificate(ctx.stationId, request);
  return { status, event: { type: 'certificate.signing', ...eventBase(ctx), ...request, result: status } };
}

/**
 * A connector reported Available after a reboot: transactions the station lost in that reboot are
 * closed at once by the collector (stoppedReason StaleAfterReboot), placed before the status event.
 */
export async function rebootCloses(ctx: HandleContext, ref: ConnectorRef): Promise<TransactionEnded[]> {
  const lost = await ctx.decisions.transactionsLostByReboot(ctx.stationId, ref, ctx.receivedAt);
  return lost.map((tx) => collectorClose(ctx.stationId, tx, { time: tx.lastActivity, receivedAt: ctx.receivedAt, reason: 'StaleAfterReboot' }));
}
