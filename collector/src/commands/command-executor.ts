/**
 * Sends commands to the stations whose websockets this collector holds. Per station one loop at a
 * time: take the next command (only while this collector owns the station and nothing is in flight),
 * let the station's protocol adapter say it, call, and write the result. Loops start when a station
 * connects here, when a submitter wakes this collector (pub/sub), and from a periodic resync that
 * catches wake-ups lost while the subscriber reconnected. A periodic sweep ends what is past its
 * deadline, on whichever collector runs it first.
 */
import type { Redis } from 'ioredis';
import type { ChargeEvent, Command, CommandResult } from '@chargewatch/model';
import type { CommandQueue, EndedCommand, Logger } from '@chargewatch/platform';
import { commandAdapterFor, isUnsupported, type CommandAdapter } from '../ocpp/adapters';
import type { CallOutcome } from '../ocpp/station-call';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';

/** What the executor needs of the OCPP server. */
export interface StationChannel {
  protocolOf(stationId: string): string | undefined;
  connectedIds(): Iterable<string>;
  call(stationId: string, action: string, payload: Record<string, unknown>, opts: { timeoutMs: number; connectedAt?: number }): Promise<CallOutcome>;
}

export interface CommandExecutorOptions {
  queue: CommandQueue;
  channel: StationChannel;
  /** A connection of its own: a subscribed ioredis connection serves nothing else. */
  subscriber: Redis;
  collectorId: string;
  callTimeoutMs: number;
  logger: Logger;
  metrics: CollectorMetrics;
  /** Commands this process ended, to count and audit. */
  onEnded(ended: EndedCommand[]): void;
  sweepIntervalMs?: number;
  resyncIntervalMs?: number;
  now?: () => number;
}

const INTERRUPTED: CommandResult = {
  status: 'interrupted',
  reason: 'the connection closed before the station answered; the command may or may not have been carried out and is not sent again',
};

export class CommandExecutor {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private readonly now: () => number;

  constructor(private readonly opts: CommandExecutorOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    const { subscriber, queue, collectorId, logger, metrics } = this.opts;
    subscriber.on('message', (_channel: string, stationId: string) => this.kick(stationId));
    // ioredis subscribes again after a reconnect; wake-ups published meanwhile are found by a resync.
    subscriber.on('ready', () => void this.resync());
    await subscriber.subscribe(queue.keys.collectorWake(collectorId));
    const every = (ms: number, fn: () => Promise<void>, operation: string) => {
      const t = setInterval(() => {
        fn().catch((err) => {
          metrics.redisErrors.inc({ operation });
          logger.warn({ err: (err as Error).message }, `command ${operation} failed`);
        });
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.sweepIntervalMs ?? 1000, () => this.sweep(), 'command_sweep');
    every(this.opts.resyncIntervalMs ?? 30_000, () => this.resync(), 'command_resync');
  }

  /** Dispatcher stage: a station that connected here may have commands waiting. Never blocks the call. */
  observe(events: readonly ChargeEvent[]): void {
    for (const e of events) if (e.type === 'connection.opened' && e.collectorId === this.opts.collectorId) this.kick(e.stationId);
  }

  /** Runs the station's loop, or asks a running one to look again once it is done. */
  kick(stationId: string): void {
    if (this.stopping || !this.opts.channel.protocolOf(stationId)) return;
    const current = this.running.get(stationId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    this.running.set(stationId, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.drain(stationId);
        } while (state.again && !this.stopping);
      } catch (err) {
        this.opts.metrics.redisErrors.inc({ operation: 'command_send' });
        this.opts.logger.error({ err, stationId }, 'sending commands failed; the resync retries');
      } finally {
        this.running.delete(stationId);
      }
    })();
  }

  /** Sends the station's commands one at a time until its queue is empty or it is not ours to serve. */
  private async drain(stationId: string): Promise<void> {
    const { queue, channel, callTimeoutMs } = this.opts;
    while (!this.stopping) {
      const protocol = channel.protocolOf(stationId);
      const adapter = protocol ? commandAdapterFor(protocol) : undefined;
      if (!adapter) return;
      const took = await queue.take(stationId, this.now(), callTimeoutMs);
      this.report(took.ended);
      if (took.kind !== 'took') return;
      const command = { name: took.name, params: took.params } as Command;
      const result = await this.send(stationId, adapter, command, took.id, took.connectedAt);
      if (!result) {
        // The station connected again before anything was sent: the command goes back to the head of the
        // queue, and the new connection's own loop sends it.
        await queue.release(stationId, took.id, took.connection);
        return;
      }
      if (await queue.finish(stationId, took.id, took.connection, result, this.now())) this.report([{ id: took.id, status: result.status }]);
    }
  }

  /** The command's result, or undefined when nothing was sent. */
  private async send(stationId: string, adapter: CommandAdapter, command: Command, id: string, connectedAt: number): Promise<CommandResult | undefined> {
    const { queue, channel, callTimeoutMs, metrics, logger } = this.opts;
    const plan = adapter.plan(command, { commandId: id });
    if (isUnsupported(plan)) return { status: 'not_supported', reason: plan.unsupported };
    await queue.noteSending(id, adapter.protocol, plan.action);
    const started = process.hrtime.bigint();
    const outcome = await channel.call(stationId, plan.action, plan.payload, { timeoutMs: callTimeoutMs, connectedAt });
    switch (outcome.kind) {
      case 'not_sent':
        logger.debug({ stationId, commandId: id, reason: outcome.reason }, 'command not sent; back in the queue');
        return undefined;
      case 'closed':
        return INTERRUPTED;
      case 'refused':
        // The adapters build schema-valid calls (a property test says so); this is a defect, not bad input.
        logger.error({ stationId, commandId: id, action: plan.action, error: outcome.message }, 'our own command failed the OCPP schema');
        return { status: 'call_error', reason: `the collector could not send a valid ${plan.action}: ${outcome.message.slice(0, 300)}` };
      default:
        metrics.commandDuration.observe({ command: command.name }, Number(process.hrtime.bigint() - started) / 1e9);
        return adapter.interpret(command, plan, outcome);
    }
  }

  private report(ended: EndedCommand[]): void {
    if (ended.length) this.opts.onEnded(ended);
  }

  private async sweep(): Promise<void> {
    this.report(await this.opts.queue.sweep(this.now()));
    this.opts.metrics.commandsPending.set(await this.opts.queue.pendingCount());
  }

  /** Looks for waiting commands of every station connected here (one pipelined round trip). */
  async resync(): Promise<void> {
    if (this.stopping) return;
    for (const id of await this.opts.queue.withQueued([...this.opts.channel.connectedIds()])) this.kick(id);
  }

  /** Takes nothing more; commands on the wire finish while the OCPP server closes its connections. */
  beginStop(): void {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Waits for the loops to write their last results, then leaves the wake-up channel. */
  async stop(): Promise<void> {
    this.beginStop();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    await this.opts.subscriber.quit().catch(() => this.opts.subscriber.disconnect());
  }
}
