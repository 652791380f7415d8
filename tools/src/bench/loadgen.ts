/**
 * Child process: the load generator. Raw `ws` clients speaking OCPP 1.6J with pre-encoded frames, one
 * outstanding call per connection (OCPP-J's rule), so the server under test sets the pace. It never
 * parses a reply beyond its message type and id.
 *
 * Sessions live in named groups so the parent can prepare connections, run load phases on them and close
 * them in separate steps, in step with other generator processes.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { BenchStation, type Frame } from './frames';
import { Histogram } from './histogram';
import { serveRequests } from './ipc';

const CH_3 = 0x33; // '3': CALLRESULT
const CH_4 = 0x34; // '4': CALLERROR

class Session {
  ws: WebSocket | undefined;
  pending: string | undefined;
  sentAt = 0;
  intendedAt = 0;
  booted = false;
  closed = false;
  onReply: (ok: boolean, now: number, data: Buffer) => void = () => undefined;
  /** Storm shaping seen by this station: BootNotifications answered Pending, handshakes answered 503. */
  pendingBoots = 0;
  deferredHandshakes = 0;
  onGone: () => void = () => undefined;

  constructor(
    readonly station: BenchStation,
    readonly url: string,
    readonly localAddress: string,
  ) {}

  connect(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${this.url}/${encodeURIComponent(this.station.id)}`, 'ocpp1.6', {
        localAddress: this.localAddress,
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
      });
      this.ws = ws;
      this.closed = false;
      let opened = false;
      ws.on('open', () => {
        opened = true;
        resolve();
      });
      ws.on('error', (err) => {
        if (!opened) reject(err);
      });
      // An HTTP answer instead of the upgrade: a 503 with Retry-After is the server shaping a storm.
      ws.on('unexpected-response', (req, res) => {
        const retryAfterSec = Number(res.headers['retry-after']);
        const err = Object.assign(new Error(`HTTP ${res.statusCode}`), res.statusCode === 503 && retryAfterSec > 0 ? { retryAfterMs: retryAfterSec * 1000 } : {});
        if (res.statusCode === 503) this.deferredHandshakes++;
        res.resume();
        req.destroy();
        reject(err);
      });
      ws.on('close', () => {
        if (this.ws !== ws) return;
        this.closed = true;
        if (!opened) reject(new Error('closed during handshake'));
        const had = this.pending !== undefined;
        this.pending = undefined;
        if (had) this.onGone();
      });
      ws.on('message', (data: Buffer) => {
        if (this.ws === ws) this.receive(data);
      });
    });
  }

  send(frame: Frame, intendedAt?: number): void {
    this.pending = frame.id;
    this.sentAt = performance.now();
    this.intendedAt = intendedAt ?? this.sentAt;
    this.ws!.send(frame.text);
  }

  private receive(data: Buffer): void {
    const now = performance.now();
    const id = this.pending;
    if (id === undefined) return;
    const type = data[1];
    if ((type !== CH_3 && type !== CH_4) || data.toString('latin1', 4, 4 + id.length + 1) !== `${id}"`) return;
    this.pending = undefined;
    this.onReply(type === CH_3, now, data);
  }

  /** Connects and waits for the BootNotification answer. */
  async connectAndBoot(timeoutMs: number): Promise<void> {
    await this.connect(timeoutMs);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no BootNotification answer')), timeoutMs);
      this.onReply = (ok, _now, data) => {
        // Pending (OCPP 1.6 §4.2): boot again after the interval, on the same connection, as stations do.
        const pending = ok ? /"status":"Pending".*"interval":(\d+)|"interval":(\d+).*"status":"Pending"/.exec(data.toString()) : null;
        if (pending) {
          this.pendingBoots++;
          setTimeout(() => {
            if (!this.closed) this.send(this.station.boot());
          }, 1000 * Number(pending[1] ?? pending[2]));
          return;
        }
        clearTimeout(timer);
        if (ok) resolve();
        else reject(new Error('BootNotification refused'));
      };
      this.onGone = () => {
        clearTimeout(timer);
        reject(new Error('closed before the BootNotification answer'));
      };
      this.send(this.station.boot());
    });
    this.booted = true;
    this.onReply = () => undefined;
    this.onGone = () => undefined;
  }

  close(terminate: boolean): Promise<void> {
    const ws = this.ws;
    if (!ws || this.closed || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 5000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (terminate) ws.terminate();
      else ws.close(1000);
    });
  }
}

interface GroupSpec {
  group: string;
  url: string;
  /** Station ids are `${prefix}${n}` for n in [first, first + count). */
  prefix: string;
  first: number;
  count: number;
  localAddrs: string[];
}

const groups = new Map<string, Session[]>();

function makeSessions(spec: GroupSpec): Session[] {
  const sessions: Session[] = [];
  for (let i = 0; i < spec.count; i++) {
    const n = spec.first + i;
    sessions.push(new Session(new BenchStation(`${spec.prefix}${n}`, n + 1), spec.url, spec.localAddrs[n % spec.localAddrs.length]!));
  }
  return sessions;
}

/** Opens and boots a group with at most `concurrency` handshakes in flight. */
async function prepare(spec: GroupSpec & { concurrency: number; timeoutMs: number }) {
  const sessions = makeSessions(spec);
  groups.set(spec.group, sessions);
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const errors = new Map<string, number>();
  const worker = async () => {
    while (next < sessions.length) {
      const s = sessions[next++]!;
      try {
        await s.connectAndBoot(spec.timeoutMs);
      } catch (err) {
        failed++;
        const msg = err instanceof Error ? err.message : String(err);
        errors.set(msg, (errors.get(msg) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, sessions.length) }, worker));
  return { booted: sessions.length - failed, failed, ms: performance.now() - started, errors: Object.fromEntries(errors) };
}

function booted(group: string): Session[] {
  const sessions = groups.get(group);
  if (!sessions) throw new Error(`no group ${group}`);
  return sessions.filter((s) => s.booted && !s.closed);
}

/** Waits until every session has its answer (or is gone), at most `ms`. */
async function settle(sessions: Session[], ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline && sessions.some((s) => s.pending !== undefined && !s.closed)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return sessions.filter((s) => s.pending !== undefined && !s.closed).length;
}

/** Closed loop: each connection sends its next MeterValues as soon as the previous one is answered. */
async function throughput(t: { group: string; warmupMs: number; durationMs: number }) {
  const sessions = booted(t.group);
  const lat = new Histogram();
  let acked = 0;
  let refused = 0;
  let inWindow = 0;
  let lost = 0;
  const start = performance.now();
  const winStart = start + t.warmupMs;
  const winEnd = winStart + t.durationMs;
  for (const s of sessions) {
    s.onReply = (ok, now) => {
      if (ok) acked++;
      else refused++;
      if (now >= winStart && now < winEnd) {
        inWindow++;
        lat.record(now - s.sentAt);
      }
      if (now < winEnd) s.send(s.station.meterValues());
    };
    s.onGone = () => lost++;
    s.send(s.station.meterValues());
  }
  await new Promise((r) => setTimeout(r, winEnd - performance.now() + 5));
  const unanswered = await settle(sessions, 10_000);
  for (const s of sessions) s.onReply = () => undefined;
  return { connections: sessions.length, inWindow, windowMs: t.durationMs, acked, refused, lost, unanswered, latency: lat.toJSON() };
}

/**
 * Open loop at a fixed offered rate: connection i sends at t0 + i·P/n + k·P. A call due while the
 * previous one is unanswered goes out on its answer; its latency counts from the time it was due, so a
 * slow server cannot hide its queueing (no coordinated omission).
 */
async function paced(t: { group: string; rate: number; durationMs: number; warmupMs: number }) {
  const sessions = booted(t.group);
  const n = sessions.length;
  const periodMs = (1000 * n) / t.rate;
  const fromDue = new Histogram();
  const fromSend = new Histogram();
  let acked = 0;
  let refused = 0;
  let sent = 0;
  let late = 0;
  const t0 = performance.now() + 50;
  const winStart = t0 + t.warmupMs;
  const end = winStart + t.durationMs;
  const timers = new Set<NodeJS.Timeout>();
  sessions.forEach((s, i) => {
    let k = 0;
    let waiting = false; // a call is due while the previous one is unanswered
    const due = () => t0 + (i * periodMs) / n + k * periodMs;
    const fire = () => {
      const d = due();
      if (d >= end) return;
      if (s.pending !== undefined) {
        waiting = true;
        late++;
        return;
      }
      k++;
      sent++;
      s.send(s.station.meterValues(), d);
      arm();
    };
    const arm = () => {
      const d = due();
      if (d >= end) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        fire();
      }, Math.max(0, d - performance.now()));
      timers.add(timer);
    };
    s.onReply = (ok, now) => {
      if (ok) acked++;
      else refused++;
      if (s.intendedAt >= winStart) {
        fromDue.record(now - s.intendedAt);
        fromSend.record(now - s.sentAt);
      }
      if (waiting) {
        waiting = false;
        fire();
      }
    };
    arm();
  });
  await new Promise((r) => setTimeout(r, end - performance.now() + 5));
  // A server slower than the offered rate has a queue to drain; wait for it so no call stays in doubt.
  const unanswered = await settle(sessions, 30_000);
  const elapsedMs = performance.now() - t0;
  for (const timer of timers) clearTimeout(timer);
  for (const s of sessions) s.onReply = () => undefined;
  return {
    connections: n,
    sent,
    acked,
    refused,
    late,
    unanswered,
    durationMs: t.durationMs + t.warmupMs,
    elapsedMs,
    fromDue: fromDue.toJSON(),
    fromSend: fromSend.toJSON(),
  };
}

/** Every station connects and boots at once; stations that fail retry after 1–2 s, like real ones. */
async function storm(spec: GroupSpec & { timeoutMs: number; maxAttempts: number }) {
  const sessions = makeSessions(spec);
  groups.set(spec.group, sessions);
  const times = new Histogram();
  let done = 0;
  let failed = 0;
  let retries = 0;
  let last = 0;
  const errors = new Map<string, number>();
  const started = performance.now();
  const deadline = started + spec.timeoutMs;
  await new Promise<void>((resolve) => {
    const finish = () => {
      if (done + failed === sessions.length) resolve();
    };
    const attempt = (s: Session, n: number) => {
      s.connectAndBoot(Math.max(1000, deadline - performance.now())).then(
        () => {
          const now = performance.now();
          done++;
          last = now;
          times.record(now - started);
          finish();
        },
        (err: unknown) => {
          s.ws?.terminate();
          const retryAfterMs = (err as { retryAfterMs?: number }).retryAfterMs;
          if (retryAfterMs !== undefined && performance.now() + retryAfterMs < deadline) {
            setTimeout(() => attempt(s, n), retryAfterMs);
            return;
          }
          const msg = err instanceof Error ? err.message : String(err);
          errors.set(msg, (errors.get(msg) ?? 0) + 1);
          if (n < spec.maxAttempts && performance.now() + 1000 < deadline) {
            retries++;
            setTimeout(() => attempt(s, n + 1), 1000 + Math.random() * 1000);
          } else {
            failed++;
            finish();
          }
        },
      );
    };
    for (const s of sessions) attempt(s, 1);
    setTimeout(resolve, spec.timeoutMs + 100).unref();
  });
  return {
    stations: sessions.length,
    booted: done,
    failed,
    retries,
    deferredHandshakes: sessions.reduce((a, s) => a + s.deferredHandshakes, 0),
    pendingBoots: sessions.reduce((a, s) => a + s.pendingBoots, 0),
    ms: last - started,
    timeToBoot: times.toJSON(),
    errors: Object.fromEntries(errors),
  };
}

async function close(t: { group: string; terminate: boolean }) {
  const sessions = groups.get(t.group) ?? [];
  for (let i = 0; i < sessions.length; i += 500) {
    await Promise.all(sessions.slice(i, i + 500).map((s) => s.close(t.terminate)));
  }
  groups.delete(t.group);
  return { closed: sessions.length };
}

serveRequests(async (task: { cmd: string } & Record<string, any>) => {
  switch (task.cmd) {
    case 'prepare':
      return prepare(task as any);
    case 'throughput':
      return throughput(task as any);
    case 'paced':
      return paced(task as any);
    case 'storm':
      return storm(task as any);
    case 'close':
      return close(task as any);
    case 'ping':
      return { pid: process.pid };
    default:
      throw new Error(`unknown command ${task.cmd}`);
  }
});
