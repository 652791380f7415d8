/**
 * Clients that send exactly the bytes a test chooses: an HTTP upgrade request written to a socket by
 * hand (so the path and headers reach the server undecoded and unvalidated), and a websocket session
 * that sends raw text frames and collects the raw answers (so message ids can be compared byte for
 * byte, which an RPC library would parse away).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import WebSocket from 'ws';

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

/** What a websocket session saw in answer to one frame. */
export interface FrameAnswer {
  /** Raw text frames received (CALLRESULTs, CALLERRORs, and any CALL the collector made). */
  frames: string[];
  /** Close code when the server closed the connection. */
  closed?: number;
}

/** A websocket connection that sends text frames verbatim. */
export class RawSession {
  private inbox: string[] = [];
  private closeCode?: number;
  private wake?: () => void;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.inbox.push(data.toString());
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake?.();
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, protocol: string, headers: Record<string, string> = {}): Promise<RawSession> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [protocol], { headers, handshakeTimeout: 5000 });
      ws.once('open', () => resolve(new RawSession(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends `frame`, then a Heartbeat CALL with a fresh id as a marker, and returns every frame received
   * before the marker's answer (or the close). The marker makes "no answer" observable without
   * waiting for a timeout.
   */
  async exchange(frame: string, timeoutMs = 5000): Promise<FrameAnswer> {
    const marker = `m-${randomBytes(6).toString('hex')}`;
    this.ws.send(frame);
    if (this.open) this.ws.send(JSON.stringify([2, marker, 'Heartbeat', {}]));
    const deadline = Date.now() + timeoutMs;
    const frames: string[] = [];
    for (;;) {
      while (this.inbox.length) {
        const f = this.inbox.shift()!;
        if (f.startsWith(`[3,"${marker}"`) || f.startsWith(`[4,"${marker}"`)) return { frames };
        frames.push(f);
      }
      if (this.closeCode !== undefined) return { frames, closed: this.closeCode };
      if (Date.now() > deadline) throw new Error(`no answer to the marker call within ${timeoutMs} ms after ${JSON.stringify(frame).slice(0, 200)}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  /** Sends one frame and waits for the answer that carries `id`. */
  async call(frame: string, id: string, timeoutMs = 5000): Promise<string> {
    this.ws.send(frame);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((f) => f.startsWith(`[3,${JSON.stringify(id)}`) || f.startsWith(`[4,${JSON.stringify(id)}`));
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      if (this.closeCode !== undefined) throw new Error(`closed with ${this.closeCode} before answering ${id}`);
      if (Date.now() > deadline) throw new Error(`no answer to ${id} within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

