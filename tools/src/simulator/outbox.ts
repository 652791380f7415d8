/**
 * A station's ordered outbox: one call at a time, as OCPP-J requires. Transaction messages
 * (`queueOffline`) wait while the station is offline and are replayed in order on reconnect; everything
 * else is dropped when the link goes down. Every caller gets the reply, or undefined when its message
 * was dropped or failed.
 */
import { RPCClient } from 'ocpp-rpc';
import type { EnqueueOptions } from './model';
import type { StationStats } from './station-options';

/** What the outbox uses of its station. */
export interface OutboxHost {
  readonly client: RPCClient;
  readonly stats: StationStats;
  lastError?: string;
  /** The websocket is open (the CSMS may not have accepted the station yet). */
  readonly isConnected: boolean;
  readonly isStopped: boolean;
  /** Connected and accepted: messages may go out. */
  isOnline(): boolean;
  emit(event: string, ...args: unknown[]): boolean;
}

interface OutItem {
  action: string;
  build: () => Record<string, unknown> | null;
  queueOffline: boolean;
  queuedOffline: boolean;
  attempts: number;
  onReply?: (reply: any) => void;
  resolve: (v: any) => void;
}

export class Outbox {
  private items: OutItem[] = [];
  private draining = false;

  constructor(private readonly host: OutboxHost) {}

  /** Pending items (queued transaction messages while offline, plus in-flight traffic). */
  get length(): number {
    return this.items.length;
  }

  enqueue(action: string, build: () => Record<string, unknown> | null, opts: EnqueueOptions = {}): Promise<any> {
    return new Promise((resolve) => {
      const queueOffline = !!opts.queueOffline;
      if (this.host.isStopped || (!queueOffline && !this.host.isOnline())) {
        resolve(undefined);
        return;
      }
      this.items.push({ action, build, queueOffline, queuedOffline: !this.host.isOnline(), attempts: 0, resolve, onReply: opts.onReply });
      this.drain();
    });
  }

  /** Waits until the outbox is empty (or the timeout passes). */
  async flush(timeoutMs = 5000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.items.length > 0 && this.host.isOnline() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  }

  /** Sends what is queued, in order, one call at a time (also the replay after a reconnect). */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drainLoop().finally(() => {
      this.draining = false;
    });
  }

  private async drainLoop(): Promise<void> {
    while (this.items.length > 0 && this.host.isOnline()) {
      const item = this.items[0];
      let params: Record<string, unknown> | null;
      try {
        params = item.build();
      } catch (err) {
        this.host.stats.errors++;
        this.host.lastError = `build ${item.action}: ${(err as Error).message}`;
        params = null;
      }
      if (params === null) {
        this.items.shift();
        item.resolve(undefined);
        continue;
      }
      try {
        const reply = await this.host.client.call(item.action, params);
        this.items.shift();
        this.host.stats.messagesSent++;
        if (item.queuedOffline) this.host.stats.replayed++;
        this.host.emit('sent', item.action, params, reply);
        try {
          item.onReply?.(reply);
        } catch (err) {
          this.host.lastError = `${item.action} reply: ${(err as Error).message}`;
        }
        item.resolve(reply);
      } catch (err) {
        if (!this.host.isConnected || this.host.isStopped || this.host.client.state !== RPCClient.OPEN) {
          // Connection lost mid-call: transaction messages stay queued for replay, the rest is dropped.
          if (!item.queueOffline) {
            this.items.shift();
            item.resolve(undefined);
          } else {
            item.queuedOffline = true;
          }
          break;
        }
        item.attempts++;
        const retry = item.queueOffline && (err as Error).name === 'TimeoutError' && item.attempts < 3;
        this.host.stats.errors++;
        this.host.lastError = `${item.action}: ${(err as Error).message}`;
        this.host.emit('error-note', this.host.lastError);
        if (!retry) {
          this.items.shift();
          item.resolve(undefined);
        }
      }
    }
    if (!this.host.isConnected) {
      // Drop non-transaction messages that piled up while the link went down.
      const keep = this.items.filter((i) => i.queueOffline);
      for (const i of this.items) if (!i.queueOffline) i.resolve(undefined);
      for (const i of keep) i.queuedOffline = true;
      this.items = keep;
    }
  }

  /** The station stops: every waiting caller gets undefined. */
  clear(): void {
    for (const item of this.items) item.resolve(undefined);
    this.items = [];
  }
}
