/**
 * HTTP requests written to a socket by hand, so the request target and headers reach the server exactly
 * as a test chose them (fetch and ws would normalise or refuse them first).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export interface UpgradeAnswer {
  /** HTTP status of the answer; 0 when the server closed without a status line. */
  status: number;
  /** What came back before the socket closed or the wait ended, for failure messages. */
  head: string;
}

/** Writes `request` to a fresh connection and resolves with the status line of the answer. */
function firstAnswer(host: string, port: number, request: Buffer, timeoutMs: number): Promise<UpgradeAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let head = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ status: m ? Number(m[1]) : 0, head: head.slice(0, 300) });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => socket.write(request));
  });
}

/** Sends one upgrade request with the given raw request target and subprotocol header. */
export function rawUpgrade(host: string, port: number, target: string, protocol: string | undefined, timeoutMs = 3000): Promise<UpgradeAnswer> {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
  return firstAnswer(host, port, Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), timeoutMs);
}

/** One HTTP/1.1 request with the request target exactly as given (fetch would normalise it). */
export function rawHttp(host: string, port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  const body = ['POST', 'PUT', 'PATCH'].includes(method) ? '{}' : '';
  const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${body.length}`);
  return firstAnswer(host, port, Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'latin1'), 3000);
}
