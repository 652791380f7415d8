/**
 * Storm shaping: what the collector does when more stations arrive than it can take at once (a whole
 * fleet reconnecting after a network or collector outage).
 *
 * Without it every handshake and every BootNotification is started at once; each then waits behind all
 * the others for the event loop and Redis, and past the stations' own timeouts they give up, reconnect
 * and add to the queue. OCPP gives the CSMS two ways to send work away cheaply instead:
 *
 * - at the handshake, an HTTP error before the websocket exists: beyond `maxHandshakes` in progress the
 *   upgrade is answered 503 with Retry-After (RFC 9110 §10.2.3), before any Redis read;
 * - at the boot, a BootNotification answered Pending with an interval (OCPP 1.6 §4.2, 2.0.1 B02): the
 *   station keeps its connection and boots again after the interval. Beyond `maxBoots` in progress the
 *   answer is Pending without recording anything — the station's registration stays what it was.
 *
 * Both intervals are spread over [base, 2 × base) so the stations sent away do not all come back at once.
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

export interface AdmissionSettings {
  /** Handshakes in progress at once; 0 = no limit. */
  maxHandshakes: number;
  handshakeRetryAfterSec: number;
  /** BootNotifications in progress at once; 0 = no limit. */
  maxBoots: number;
  bootPendingIntervalSec: number;
}

export interface AdmissionCounters {
  handshakeDeferred(): void;
  bootDeferred(): void;
}

/** A whole number of seconds in [base, 2 × base). */
export function spread(baseSec: number, random: () => number = Math.random): number {
  return baseSec + Math.floor(random() * baseSec);
}

export class StormAdmission {
  /** Sockets whose handshake is in progress: a Set, so a socket leaving twice counts once. */
  private handshakes = new Set<Duplex>();
  private boots = 0;

  constructor(
    private readonly s: AdmissionSettings,
    private readonly counters?: AdmissionCounters,
    private readonly random: () => number = Math.random,
  ) {}

  get handshakesInProgress(): number {
    return this.handshakes.size;
  }

  get bootsInProgress(): number {
    return this.boots;
  }

  /**
   * Admits an upgrade request or answers it 503 with Retry-After and closes it. An admitted socket counts
   * until `handshakeDone` or until it closes (refused, aborted, or timed out), whichever comes first.
   */
  admitHandshake(socket: Duplex): boolean {
    if (this.s.maxHandshakes > 0 && this.handshakes.size >= this.s.maxHandshakes) {
      this.counters?.handshakeDeferred();
      const retryAfter = spread(this.s.handshakeRetryAfterSec, this.random);
      const body = 'collector busy; retry later\n';
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 503 ${STATUS_CODES[503]}\r\nRetry-After: ${retryAfter}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
      return false;
    }
    this.handshakes.add(socket);
    socket.once('close', () => this.handshakes.delete(socket));
    return true;
  }

  /** The connection is open and recorded: it no longer counts as a handshake. */
  handshakeDone(socket: Duplex | undefined): void {
    if (socket) this.handshakes.delete(socket);
  }

  /**
   * Starts a BootNotification, or says how many seconds the station should wait (answer Pending). A
   * started boot must be ended with `bootDone`.
   */
  beginBoot(): number | undefined {
    if (this.s.maxBoots > 0 && this.boots >= this.s.maxBoots) {
      this.counters?.bootDeferred();
      return spread(this.s.bootPendingIntervalSec, this.random);
    }
    this.boots++;
    return undefined;
  }

  bootDone(): void {
    if (this.boots > 0) this.boots--;
  }
}

/** BootNotification answer Pending: the same fields in OCPP 1.6 and 2.0.1 (status, currentTime, interval). */
export function pendingBootReply(intervalSec: number, now = Date.now()): Record<string, unknown> {
  return { status: 'Pending', currentTime: new Date(now).toISOString(), interval: intervalSec };
}
