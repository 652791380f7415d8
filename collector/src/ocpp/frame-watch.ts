/**
 * What the server watches on every connection besides calls: frames ocpp-rpc could not use (counted by a
 * fixed reason) and binary frames, which OCPP-J does not allow (the connection is closed with 1003). The
 * listeners are created once per server and shared by every connection (`this` is the emitter), because
 * closures per connection cost memory per idle station (docs/performance-notes.md).
 */
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import type { WebSocket } from 'ws';
import type { Logger } from '@chargewatch/platform';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';

/** Close code and reason for a binary frame (RFC 6455 1003: data the endpoint cannot accept). */
export const CLOSE_BINARY = { code: 1003, reason: 'binary frames are not OCPP-J' };

/** On a station's websocket: its ocpp-rpc client, for the shared binary-frame listener. */
const OWNER = Symbol('frameWatch.owner');

export function frameWatcher(metrics: CollectorMetrics, logger: Logger): (client: RPCServerClient) => void {
  function onBadMessage(this: RPCServerClient, { error, response }: { error: Error & { rpcErrorCode?: string }; response: unknown }): void {
    const reason = badMessageReason(error);
    metrics.badMessages.inc({ reason });
    logger.warn({ stationId: this.identity ?? '', reason, error: error?.message, answered: Boolean(response) }, 'bad OCPP-J frame');
  }
  function onValidationFailure(this: RPCServerClient, { method, error, outbound, isCall }: { method: string; error: Error; outbound: boolean; isCall: boolean }): void {
    metrics.validationFailures.inc({ action: method ?? 'unknown', protocol: this.protocol ?? '' });
    logger.warn({ stationId: this.identity ?? '', action: method, outbound, isCall, error: error.message }, 'OCPP schema validation failed');
  }
  function onWsMessage(this: { [OWNER]?: RPCServerClient }, _data: unknown, isBinary: boolean): void {
    const client = this[OWNER];
    if (!isBinary || !client) return;
    metrics.badMessages.inc({ reason: 'binary_frame' });
    logger.warn({ stationId: client.identity ?? '' }, 'binary frame refused');
    void client.close({ ...CLOSE_BINARY });
  }
  return (client) => {
    client.on('badMessage', onBadMessage);
    client.on('strictValidationFailure', onValidationFailure);
    // ocpp-rpc offers no hook for frame types; its websocket is the only place the binary flag exists.
    const ws = (client as unknown as { _ws?: WebSocket & { [OWNER]?: RPCServerClient } })._ws;
    if (!ws) return;
    ws[OWNER] = client;
    ws.prependListener('message', onWsMessage);
  };
}

export function badMessageReason(error: Error & { rpcErrorCode?: string }): string {
  const msg = error?.message ?? '';
  if (msg.includes('JSON')) return 'malformed_json';
  if (msg.includes('array')) return 'not_an_array';
  if (error?.rpcErrorCode === 'MessageTypeNotSupported' || msg.includes('Message type')) return 'bad_message_type';
  if (msg.includes('Message ID')) return 'bad_message_id';
  if (/unrecognised message id/i.test(msg)) return 'unmatched_response';
  return 'other';
}
