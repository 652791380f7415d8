/**
 * One CSMS→station call on an ocpp-rpc connection, with every way it can end told apart: the command
 * executor must know whether anything went on the wire (not sent: it may go again; sent and the
 * connection closed: it never goes again) and whether a failure is the station's CALLERROR or a
 * reply that broke the schema.
 */
import { TimeoutError } from 'ocpp-rpc/lib/errors';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';

export type CallOutcome =
  | { kind: 'result'; payload: unknown }
  | { kind: 'error'; code: string; description: string }
  /** The station's CALLRESULT failed the response schema. */
  | { kind: 'invalid'; message: string }
  | { kind: 'timeout'; afterMs: number }
  /** Sent, then the connection closed before an answer. */
  | { kind: 'closed' }
  /** Our own request failed the request schema and was not sent (a defect: adapters build valid calls). */
  | { kind: 'refused'; message: string }
  /** Nothing went on the wire: not connected, or connected again since (another connection). */
  | { kind: 'not_sent'; reason: string };

interface ValidationFailure {
  method?: string;
  outbound?: boolean;
  isCall?: boolean;
  error?: Error;
}

export async function callStation(client: RPCServerClient, action: string, payload: Record<string, unknown>, timeoutMs: number): Promise<CallOutcome> {
  // Strict mode reports schema failures as an event, then throws an RPCError like a CALLERROR would.
  // Our own request failing (outbound call) or the station's reply failing (inbound result) are told
  // apart from the event; the station's own calls meanwhile (inbound calls) are not ours.
  let failure: ValidationFailure | undefined;
  const onFailure = (e: ValidationFailure) => {
    if (e.method === action && e.outbound === e.isCall) failure = e;
  };
  client.on('strictValidationFailure', onFailure);
  try {
    return { kind: 'result', payload: await client.call(action, payload, { callTimeoutMs: timeoutMs }) };
  } catch (err) {
    const e = err as Error & { rpcErrorCode?: string };
    if (failure) {
      const message = failure.error?.message ?? e.message;
      return failure.outbound ? { kind: 'refused', message } : { kind: 'invalid', message };
    }
    if (e instanceof TimeoutError) return { kind: 'timeout', afterMs: timeoutMs };
    if (typeof e?.rpcErrorCode === 'string') return { kind: 'error', code: e.rpcErrorCode, description: e.message ?? '' };
    if (/not open/.test(e?.message ?? '')) return { kind: 'not_sent', reason: 'the connection is closing' };
    // AbortError "Client disconnected", or anything else once the frame may have gone out.
    return { kind: 'closed' };
  } finally {
    client.off('strictValidationFailure', onFailure);
  }
}
