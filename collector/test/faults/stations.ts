/**
 * "Reliable stations": the load the fault suite counts. Each behaves like a well-behaved real station:
 * one outstanding call at a time, and a message is kept and sent again (same timestamp, same value)
 * until a CALLRESULT arrives — after a CALLERROR, a timeout or a lost connection alike. Every
 * acknowledged message is remembered, so the end of the run can check InfluxDB for each of them.
 *
 * Answers get lost in the field (a connection dropping just after the collector sent its CALLRESULT);
 * the station then sends the message again although the collector already has it. Every
 * `resendEvery`-th message is sent once more after its acknowledgement, the same way, so that case is exercised
 * deterministically and not only when a fault happens to hit it.
 *
 * Meter samples carry Energy.Active.Import.Register = the station's sequence number at a timestamp
 * unique to the station (ms), so a sample is identified by (station, timestamp) and checked by value.
 * Every `txEvery` messages a transaction starts or ends (1.6 StartTransaction / StopTransaction,
 * 2.0.1 TransactionEvent Started / Ended).
 */
import { RPCClient } from 'ocpp-rpc';
import { TimeoutError } from 'ocpp-rpc/lib/errors';
import { addCounters, cloneCounters, emptyCounters, type StationCounters } from './counters';

type ClientOptions = ConstructorParameters<typeof RPCClient>[0];
export type Protocol = 'ocpp1.6' | 'ocpp2.0.1';

const OPEN = 1;
const REGISTER = 'Energy.Active.Import.Register';

export interface TxAck {
  event: 'started' | 'ended';
  time: number;
}

interface Message {
  action: string;
  params: Record<string, unknown>;
  time: number;
  /** Meter sample value, when the message is a MeterValues. */
  value?: number;
  tx?: 'started' | 'ended';
}

export interface StationOptions {
  url: string;
  id: string;
  protocol: Protocol;
  /** Pause between an acknowledgement and the next message. */
  intervalMs: number;
  /** A transaction starts or ends every this many messages. */
  txEvery: number;
  /** Every this many messages, one is sent again after its acknowledgement (0: never). */
  resendEvery: number;
  callTimeoutMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ReliableStation {
  readonly id: string;
  readonly protocol: Protocol;
  /** Acknowledged meter samples: timestamp (ms) → value. */
  readonly ackedSamples = new Map<number, number>();
  /** Acknowledged transaction events, keyed `event@time`. */
  readonly ackedTx = new Map<string, TxAck>();
  readonly counters = emptyCounters();
  /** Calls lost with their connection: when they were sent and when the loss was seen. */
  readonly drops: Array<{ sentAt: number; at: number; action: string }> = [];
  /** When the last CALLRESULT arrived. */
  lastAckAt = 0;
  private readonly client: RPCClient;
  private seq = 0;
  private lastTime = 0;
  private messages = 0;
  private openTx?: string;
  private txCounter = 0;
  private producing = false;
  private abandoned = false;
  private loop?: Promise<void>;

  constructor(private readonly o: StationOptions) {
    this.id = o.id;
    this.protocol = o.protocol;
    this.client = new RPCClient({
      endpoint: o.url,
      identity: o.id,
      protocols: [o.protocol],
      strictMode: true,
      reconnect: true,
      callTimeoutMs: o.callTimeoutMs,
      // Long enough that a paused collector is noticed by the call timeout, not by a ping.
      pingIntervalMs: 15_000,
      backoff: { initialDelay: 200, maxDelay: 2000, factor: 2, randomisationFactor: 0.25 },
    } as ClientOptions);
    this.client.on('open', () => this.counters.connects++);
    this.client.on('disconnect', ({ code }: { code: number }) => {
      this.counters.closes[String(code)] = (this.counters.closes[String(code)] ?? 0) + 1;
    });
    this.client.on('badMessage', () => this.counters.lateAnswers++);
  }

  /** The transaction the station has open now (its id as the collector gave it, for 1.6). */
  get openTransaction(): string | undefined {
    return this.openTx;
  }

  get connected(): boolean {
    return this.client.state === OPEN;
  }

  snapshot(): StationCounters {
    return cloneCounters(this.counters);
  }

  /** Connects and boots (retried like any message), then sends until stopProducing(). */
  async start(): Promise<void> {
    await this.client.connect().catch(() => undefined); // reconnect: true keeps trying
    const boot: Message =
      this.protocol === 'ocpp1.6'
        ? { action: 'BootNotification', params: { chargePointVendor: 'ChargeWatch', chargePointModel: 'FaultSuite' }, time: Date.now() }
        : { action: 'BootNotification', params: { reason: 'PowerUp', chargingStation: { vendorName: 'ChargeWatch', model: 'FaultSuite' } }, time: Date.now() };
    if (!(await this.deliver(boot))) throw new Error(`${this.id}: BootNotification never acknowledged`);
    this.counters.acked++;
    this.lastAckAt = Date.now();
    this.producing = true;
    this.loop = this.run();
  }

  /** Stops making new messages; the one in hand is still delivered (until abandon()). */
  async stopProducing(): Promise<void> {
    this.producing = false;
    await this.loop;
  }

  /** Gives up on the message in hand (end of the run). */
  abandon(): void {
    this.abandoned = true;
  }

  async close(): Promise<void> {
    this.abandoned = true;
    this.producing = false;
    await this.client.close({ force: true }).catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  /**
   * Connects to another collector from now on, as a station behind a load balancer does when its
   * collector is gone: the message in hand is sent again there. ocpp-rpc builds the URL in connect()
   * and its own reconnects reuse it, hence close and connect.
   */
  async moveTo(url: string): Promise<void> {
    this.client.reconfigure({ endpoint: url } as Partial<ClientOptions> as ClientOptions);
    await this.client.close({ force: true }).catch(() => undefined);
    await this.client.connect();
  }

  private async run(): Promise<void> {
    while (this.producing && !this.abandoned) {
      const msg = this.next();
      const reply = await this.deliver(msg);
      if (!reply) return;
      this.acknowledged(msg, reply);
      if (this.o.resendEvery > 0 && this.messages % this.o.resendEvery === 0) {
        // The station never saw that answer: it sends the message again and uses the second answer.
        const again = await this.deliver(msg);
        if (!again) return;
        this.counters.resent++;
        this.acknowledged(msg, again, false);
      }
      if (this.producing) await sleep(this.o.intervalMs);
    }
  }

  /** A new timestamp for this station: now, but never the same millisecond twice. */
  private stamp(): number {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  private next(): Message {
    this.messages++;
    const time = this.stamp();
    const timestamp = new Date(time).toISOString();
    if (this.messages % this.o.txEvery === 0) return this.openTx === undefined ? this.startTx(time, timestamp) : this.endTx(time, timestamp);
    const value = ++this.seq;
    if (this.protocol === 'ocpp1.6') {
      return {
        action: 'MeterValues',
        params: {
          connectorId: 1,
          ...(this.openTx !== undefined ? { transactionId: Number(this.openTx) } : {}),
          meterValue: [{ timestamp, sampledValue: [{ value: String(value), measurand: REGISTER, unit: 'Wh' }] }],
        },
        time,
        value,
      };
    }
    return {
      action: 'MeterValues',
      params: { evseId: 1, meterValue: [{ timestamp, sampledValue: [{ value, measurand: REGISTER, unitOfMeasure: { unit: 'Wh' } }] }] },
      time,
      value,
    };
  }

  private startTx(time: number, timestamp: string): Message {
    if (this.protocol === 'ocpp1.6') {
      return { action: 'StartTransaction', params: { connectorId: 1, idTag: 'FAULTS01', meterStart: this.seq, timestamp }, time, tx: 'started' };
    }
    const transactionId = `${this.id}-TX-${++this.txCounter}`;
    return {
      action: 'TransactionEvent',
      params: {
        eventType: 'Started',
        timestamp,
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId, chargingState: 'Charging' },
        evse: { id: 1, connectorId: 1 },
        idToken: { idToken: 'FAULTS01', type: 'ISO14443' },
      },
      time,
      tx: 'started',
    };
  }

  private endTx(time: number, timestamp: string): Message {
    const transactionId = this.openTx!;
    if (this.protocol === 'ocpp1.6') {
      return { action: 'StopTransaction', params: { transactionId: Number(transactionId), meterStop: this.seq, timestamp, reason: 'Local' }, time, tx: 'ended' };
    }
    return {
      action: 'TransactionEvent',
      params: {
        eventType: 'Ended',
        timestamp,
        triggerReason: 'StopAuthorized',
        seqNo: 1,
        transactionInfo: { transactionId, stoppedReason: 'Local' },
        evse: { id: 1, connectorId: 1 },
      },
      time,
      tx: 'ended',
    };
  }

  /** Sends until a CALLRESULT (its payload) or until abandoned (undefined). Bounded: at most 10,000 tries. */
  private async deliver(msg: Message): Promise<Record<string, unknown> | undefined> {
    let sends = 0;
    for (let attempt = 1; attempt <= 10_000; attempt++) {
      if (this.abandoned) return undefined;
      if (!this.connected) {
        await this.waitOpen(1000);
        continue;
      }
      this.counters.attempts++;
      if (++sends === 2) this.counters.retried++;
      const sentAt = Date.now();
      try {
        return (await this.client.call(msg.action, msg.params, { callTimeoutMs: this.o.callTimeoutMs })) as Record<string, unknown>;
      } catch (err) {
        const e = err as { rpcErrorCode?: string; name?: string; message?: string };
        if (e.rpcErrorCode) this.counters.refused[e.rpcErrorCode] = (this.counters.refused[e.rpcErrorCode] ?? 0) + 1;
        else if (err instanceof TimeoutError) this.counters.timeouts++;
        else {
          this.counters.dropped++;
          this.drops.push({ sentAt, at: Date.now(), action: msg.action });
        }
        // A short pause, growing a little: a station does not hammer a collector that just refused.
        await sleep(Math.min(1000, 50 * sends));
      }
    }
    return undefined;
  }

  private acknowledged(msg: Message, reply: Record<string, unknown>, first = true): void {
    if (first) this.counters.acked++;
    this.lastAckAt = Date.now();
    if (msg.value !== undefined) this.ackedSamples.set(msg.time, msg.value);
    if (msg.tx) {
      this.ackedTx.set(`${msg.tx}@${msg.time}`, { event: msg.tx, time: msg.time });
      if (msg.tx === 'started') {
        this.openTx =
          this.protocol === 'ocpp1.6' ? String(reply.transactionId) : String((msg.params.transactionInfo as { transactionId: string }).transactionId);
      } else {
        this.openTx = undefined;
      }
    }
  }

  private waitOpen(timeoutMs: number): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.client.off('open', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.client.on('open', done);
    });
  }
}

/** N reliable stations, alternating OCPP 1.6 and 2.0.1. */
export class ReliableFleet {
  readonly stations: ReliableStation[];
  readonly startedAt = Date.now();
  stoppedAt = 0;

  constructor(opts: { url: string; count: number; prefix: string; intervalMs: number; txEvery?: number; resendEvery?: number; callTimeoutMs?: number }) {
    this.stations = Array.from({ length: opts.count }, (_, i) =>
      new ReliableStation({
        url: opts.url,
        id: `${opts.prefix}${String(i + 1).padStart(3, '0')}`,
        protocol: i % 2 === 0 ? 'ocpp1.6' : 'ocpp2.0.1',
        intervalMs: opts.intervalMs,
        txEvery: opts.txEvery ?? 25,
        // 15 and 25: every third transaction message is among the ones sent again, starts and ends alike.
        resendEvery: opts.resendEvery ?? 15,
        callTimeoutMs: opts.callTimeoutMs ?? 4000,
      }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.stations.map((s) => s.start()));
  }

  totals(): StationCounters {
    return this.stations.reduce((acc, s) => addCounters(acc, s.counters), emptyCounters());
  }

  connectedCount(): number {
    return this.stations.filter((s) => s.connected).length;
  }

  /**
   * Waits until every station got an acknowledgement after `since`; resolves with the time that took
   * from `since` (100 ms resolution), or null after timeoutMs.
   */
  async allAckedSince(since: number, timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.stations.every((s) => s.lastAckAt > since)) return Date.now() - since;
      await sleep(100);
    }
    return null;
  }

  /** Stops new messages, lets the ones in hand finish for up to graceMs, then gives up on the rest. */
  async stop(graceMs: number): Promise<void> {
    const stopped = Promise.all(this.stations.map((s) => s.stopProducing()));
    const timer = setTimeout(() => this.stations.forEach((s) => s.abandon()), graceMs);
    await stopped;
    clearTimeout(timer);
    this.stoppedAt = Date.now();
  }

  async close(): Promise<void> {
    await Promise.all(this.stations.map((s) => s.close()));
  }
}
