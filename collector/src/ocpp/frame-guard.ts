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
export function guardFrames(client: RPCServerClient, ctx: { stationId: string; protocol: string; metrics: CollectorMetrics; logger: Logger }): void {
  const { stationId, protocol, metrics, logger } = ctx;
  const target = client as unknown as { sendRaw(frame: string): void; _onMessage(message: Buffer | string): void };
  const sendRaw = target.sendRaw.bind(client);
  const onMessage = target._onMessage.bind(client);
  // Raw id tokens that JSON.stringify would not reproduce (escapes), by decoded id; almost always empty.
  const rawIds = new Map<string, string>();
  let lastInbound = '';
  target._onMessage = (message: Buffer | string) => {
    const text = typeof message === 'string' ? message : message.toString('utf8');
    lastInbound = text;
    const refusal = inspectFrame(text);
    if (refusal) {
      metrics.badMessages.inc({ reason: refusal.reason });
      logger.warn({ stationId, reason: refusal.reason, answered: refusal.answer }, 'OCPP-J frame refused');
      if (refusal.answer) target.sendRaw(refusalFrame(refusal));
      return;
    }
    const id = text.includes('\\') ? messageIdOf(text) : undefined;
    if (id && JSON.stringify(id.value) !== `"${id.raw}"` && rawIds.size < 16) rawIds.set(id.value, id.raw);
    onMessage(text);
  };
  target.sendRaw = (frame: string) => {
    const type = frame.charCodeAt(1);
    if (type !== 52 /* '4' */ && !(type === 51 /* '3' */ && rawIds.size)) return sendRaw(frame);
    let out = type === 52 ? localiseCallError(protocol, withoutLongDetails(frame)) : frame;
    if (out.startsWith('[4,"-1"')) {
      const id = messageIdOf(lastInbound);
      if (id) out = `[4,"${id.raw}"${out.slice('[4,"-1"'.length)}`;
    } else if (rawIds.size) {
      for (const [value, raw] of rawIds) {
        const head = `[${String.fromCharCode(type)},${JSON.stringify(value)},`;
        if (!out.startsWith(head)) continue;
        out = `[${String.fromCharCode(type)},"${raw}",${out.slice(head.length)}`;
        rawIds.delete(value);
        break;
      }
    }
    if (type === 52 && out.includes(',"NotImplemented",')) metrics.messages.inc({ action: 'unknown', outcome: 'not_implemented', protocol });
    sendRaw(out);
  };
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
