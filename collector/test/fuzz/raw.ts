/**
 * A websocket session that sends raw text frames and collects the raw answers, so message ids can be
 * compared exactly (an RPC library would parse them away). Raw HTTP requests: ../harness/raw-http.ts.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export { rawHttp, rawUpgrade } from '../harness/raw-http';

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

