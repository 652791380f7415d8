/**
 * Storm shaping: what the collector does when more stations arrive than it can take at once (a whole
 * fleet reconnecting after a network or collector outage).
 *
 * Without it every handshake and every BootNotification is started at once; each then waits behind all
 * the others for the event loop and Redis, and past the stations' own timeouts they give up, reconnect
 * and add to the queue. OCPP gives the CSMS two ways to send work away cheaply instead:
 *
 * - at the handshake, an HTTP error before the websocket exists: beyond `maxHandshakes` in progress a new
 *   connection is answered 503 with Retry-After (RFC 9110 §10.2.3) without its request being parsed;
 * - at the boot, a BootNotification answered Pending with an interval (OCPP 1.6 §4.2, 2.0.1 B02): the
 *   station keeps its connection and boots again after the interval. Beyond `maxBoots` in progress the
 *   answer is Pending without recording anything — the station's registration stays what it was.
 *
 * Both intervals are spread over [base, 2 × base) so the stations sent away do not all come back at once.
 * For handshakes the window also adapts: a 503 costs a TCP connection and an HTTP answer, so 100,000
 * stations retrying every few seconds would be a load of their own. Each second in which more handshakes
 * were sent away than admitted widens the window by half (up to MAX_WINDOW_SEC); a second with fewer
 * narrows it by a fifth back towards the base. Sent-away stations then return at about the rate the
 * process admits them.
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

/** Longest Retry-After window: stations told more than this may as well reconnect on their own back-off. */
export const MAX_WINDOW_SEC = 60;

export class StormAdmission {
  /** Sockets whose handshake is in progress: a Set, so a socket leaving twice counts once. */
  private handshakes = new Set<Duplex>();
  private boots = 0;
  /** Adaptive Retry-After window (seconds) and the current second's tallies behind it. */
  private windowSec: number;
  private second = 0;
  private deferredThisSecond = 0;
  private admittedThisSecond = 0;

  constructor(
    private readonly s: AdmissionSettings,
    private readonly counters?: AdmissionCounters,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = Date.now,
  ) {
    this.windowSec = s.handshakeRetryAfterSec;
  }

  /** Width of the Retry-After spread now: at least the base, wider while more are sent away than admitted. */
  get retryWindowSec(): number {
    this.tick();
    return this.windowSec;
  }

  private tick(): void {
    const sec = Math.floor(this.now() / 1000);
    if (sec === this.second) return;
    // Only the last full second counts; a quiet gap longer than that narrows once, as one quiet second.
    const base = this.s.handshakeRetryAfterSec;
    if (this.deferredThisSecond > this.admittedThisSecond) this.windowSec = Math.min(MAX_WINDOW_SEC, Math.max(base, this.windowSec * 1.5));
    else this.windowSec = Math.max(base, this.windowSec * 0.8);
    this.second = sec;
    this.deferredThisSecond = 0;
    this.admittedThisSecond = 0;
  }

  get handshakesInProgress(): number {
    return this.handshakes.size;
  }

  get bootsInProgress(): number {
    return this.boots;
  }

  /**
   * Admits a new connection or answers it 503 with Retry-After (before reading its request) and closes
   * it. An admitted socket counts until `handshakeDone` or until it closes (refused, aborted, or timed
   * out), whichever comes first.
   */
  admitHandshake(socket: Duplex): boolean {
    this.tick();
    if (this.s.maxHandshakes > 0 && this.handshakes.size >= this.s.maxHandshakes) {
      this.counters?.handshakeDeferred();
      this.deferredThisSecond++;
      const retryAfter = this.s.handshakeRetryAfterSec + Math.floor(this.random() * this.windowSec);
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
    this.admittedThisSecond++;
    this.handshakes.add(socket);
    socket.on('close', this.forgetSocket);
    return true;
  }

  /**
   * One listener shared by every socket (`this` is the socket), removed when the handshake is done: a
   * closure and `once` wrapper per socket stayed attached for the connection's whole life.
   */
  private readonly forgetSocket = (() => {
    const handshakes = this.handshakes;
    return function (this: Duplex) {
      handshakes.delete(this);
    };
  })();

  /** The connection is open and recorded: it no longer counts as a handshake. */
  handshakeDone(socket: Duplex | undefined): void {
    if (!socket) return;
    this.handshakes.delete(socket);
    socket.removeListener('close', this.forgetSocket);
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
