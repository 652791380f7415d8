/**
 * The first look at an upgrade request on the public port, before ocpp-rpc parses it. ocpp-rpc decodes
 * the identity outside its own error handling (an undecodable escape such as `%C3%28` is an unhandled
 * rejection that ends the process) and answers a malformed subprotocol header with 500. Everything a
 * client controls in the request line and the two headers that matter is checked here and refused with
 * a 400 that says what is wrong; what passes, ocpp-rpc can parse without throwing.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { identityProblem, type IdentityPolicy } from '@chargewatch/model';

export interface UpgradeRefusal {
  status: number;
  message: string;
  /** Label value of chargewatch_connections_rejected_total. */
  reason: 'bad_request' | 'bad_identity' | 'bad_subprotocol';
}

// RFC 7230 token characters: a subprotocol name is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The identity the request names (last path segment, percent-decoded), or a refusal. */
export function inspectUpgrade(req: IncomingMessage, policy: IdentityPolicy): UpgradeRefusal | { identity: string } {
  const target = req.url ?? '';
  // Only origin-form (`/ocpp/CP-1`): absolute-form and `*` would be resolved differently by each parser.
  if (!target.startsWith('/')) return { status: 400, reason: 'bad_request', message: 'send the request target as a path: /ocpp/{stationId}' };
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return { status: 400, reason: 'bad_request', message: 'only websocket upgrades are served here' };
  let segment: string;
  try {
    segment = new URL(`http://localhost${target}`).pathname.split('/').pop() ?? '';
  } catch {
    return { status: 400, reason: 'bad_request', message: 'the request target is not a valid path' };
  }
  let identity: string;
  try {
    identity = decodeURIComponent(segment);
  } catch {
    return { status: 400, reason: 'bad_identity', message: 'the station identity is not valid percent-encoded UTF-8' };
  }
  const problem = identityProblem(identity, policy);
  if (problem) return { status: 400, reason: 'bad_identity', message: problem };
  const header = req.headers['sec-websocket-protocol'];
  if (header !== undefined) {
    const names = header.split(',').map((p) => p.trim());
    if (names.some((n) => !TOKEN.test(n)) || new Set(names).size !== names.length) {
      return { status: 400, reason: 'bad_subprotocol', message: 'Sec-WebSocket-Protocol must be a comma-separated list of distinct names, e.g. ocpp2.0.1, ocpp1.6' };
    }
  }
  return { identity };
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
