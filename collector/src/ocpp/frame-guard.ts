/**
 * Wraps one station connection's frames around ocpp-rpc (see guardFrames). Its own module so the server
 * keeps to connection lifecycle and call routing.
 */
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import type { Logger } from '@chargewatch/platform';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';
import { localiseCallError } from './adapters/error-codes';
import { inspectFrame, messageIdOf, refusalFrame } from './frame-gate';

/**
 * Frames in and replies out, around ocpp-rpc:
 * - in: the frame gate (frame-gate.ts) refuses what ocpp-rpc would mishandle (deep nesting, message
 *   ids over 36 characters) with a CALLERROR before ocpp-rpc parses it;
 * - out: ocpp-rpc answers frames it cannot use with 2.0.1 error codes whatever the protocol and with
 *   message id "-1" even when the id was readable, and re-encodes ids (`"\u00e9"` comes back as
 *   `"é"`). Replies are fixed on the way, so every station gets its own message id byte for byte, in
 *   its own version's vocabulary; NotImplemented answers (actions no adapter handles, or of the other
 *   version) are counted here because ocpp-rpc sends them without calling a handler.
 */
export function guardFrames(client: RPCServerClient, ctx: GuardContext): void {
  // Two own properties pointing at functions shared by every connection, and the server's context:
  // per-connection bound functions and closures cost ~0.5 KB per idle station (docs/performance-notes.md).
  const target = client as unknown as GuardedClient;
  target[CONTEXT] = ctx;
  target._onMessage = guardedOnMessage;
  target.sendRaw = guardedSendRaw;
}

export interface GuardContext {
  metrics: CollectorMetrics;
  logger: Logger;
}

const CONTEXT = Symbol('frameGuard.context');
const RAW_IDS = Symbol('frameGuard.rawIds');

interface GuardedClient {
  identity?: string;
  protocol?: string;
  sendRaw(frame: string): void;
  _onMessage(message: Buffer | string): void;
  [CONTEXT]: GuardContext;
  /** Raw id tokens that JSON.stringify would not reproduce (escapes), by decoded id; created on the first. */
  [RAW_IDS]?: Map<string, string>;
}

/**
 * The frame being handled, while ocpp-rpc handles it: ocpp-rpc answers a frame whose id it could not
 * read with id "-1" synchronously, inside `_onMessage`, so the text is needed only until that returns.
 * Keeping it per connection held every idle station's last frame (its boot) in memory.
 */
let inbound: { client: GuardedClient; text: string } | undefined;

function guardedOnMessage(this: GuardedClient, message: Buffer | string): void {
  const { metrics, logger } = this[CONTEXT];
  const text = typeof message === 'string' ? message : message.toString('utf8');
  const refusal = inspectFrame(text);
  if (refusal) {
    metrics.badMessages.inc({ reason: refusal.reason });
    logger.warn({ stationId: this.identity ?? '', reason: refusal.reason, answered: refusal.answer }, 'OCPP-J frame refused');
    if (refusal.answer) this.sendRaw(refusalFrame(refusal));
    return;
  }
  const id = text.includes('\\') ? messageIdOf(text) : undefined;
  if (id && JSON.stringify(id.value) !== `"${id.raw}"`) {
    const rawIds = (this[RAW_IDS] ??= new Map());
    if (rawIds.size < 16) rawIds.set(id.value, id.raw);
  }
  const outer = inbound;
  inbound = { client: this, text };
  try {
    (Object.getPrototypeOf(this) as GuardedClient)._onMessage.call(this, text);
  } finally {
    inbound = outer;
  }
}

function guardedSendRaw(this: GuardedClient, frame: string): void {
  const send = (Object.getPrototypeOf(this) as GuardedClient).sendRaw;
  const type = frame.charCodeAt(1);
  const rawIds = this[RAW_IDS];
  if (type !== 52 /* '4' */ && !(type === 51 /* '3' */ && rawIds?.size)) return send.call(this, frame);
  let out = type === 52 ? localiseCallError(this.protocol ?? '', withoutLongDetails(frame)) : frame;
  if (out.startsWith('[4,"-1"')) {
    const id = inbound?.client === this ? messageIdOf(inbound.text) : undefined;
    if (id) out = `[4,"${id.raw}"${out.slice('[4,"-1"'.length)}`;
  } else if (rawIds?.size) {
    for (const [value, raw] of rawIds) {
      const head = `[${String.fromCharCode(type)},${JSON.stringify(value)},`;
      if (!out.startsWith(head)) continue;
      out = `[${String.fromCharCode(type)},"${raw}",${out.slice(head.length)}`;
      rawIds.delete(value);
      break;
    }
  }
  if (type === 52 && out.includes(',"NotImplemented",')) this[CONTEXT].metrics.messages.inc({ action: 'unknown', outcome: 'not_implemented', protocol: this.protocol ?? '' });
  send.call(this, out);
}

/**
 * Schema errors carry the offending payload in their details; echoing a station's large payload back
 * costs bandwidth and helps nobody, so long details are dropped (code and description stay).
 */
function withoutLongDetails(frame: string): string {
  if (frame.length <= 1024) return frame;
  try {
    const msg = JSON.parse(frame) as unknown[];
    if (msg.length === 5) msg[4] = {};
    const out = JSON.stringify(msg);
    return out.length <= 4096 ? out : JSON.stringify([msg[0], msg[1], msg[2], String(msg[3]).slice(0, 256), {}]);
  } catch {
    return frame;
  }
}
