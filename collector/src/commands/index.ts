/**
 * The collector's part of the command path, wired in one place: the bus (submit, wait, read — the API
 * uses it), the queue and the executor that send to the stations connected here, the outcome reporting
 * (counts and audit) and the API routes.
 */
import type { Redis } from 'ioredis';
import { CommandBus, CommandQueue, type AuditLog, type Logger } from '@chargewatch/platform';
import type { ChargeEvent } from '@chargewatch/model';
import type { CollectorConfig } from '../config';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';
import { commandRoutes } from '../api/routes/commands';
import { CommandExecutor, type StationChannel } from './command-executor';
import { CommandOutcomes } from './command-outcomes';

export interface CollectorCommands {
  bus: CommandBus;
  routes: ReturnType<typeof commandRoutes>;
  /** Dispatcher stage: starts sending to a station that connected here. */
  observe(events: readonly ChargeEvent[]): void;
  /** Stop taking commands (before the OCPP server closes its connections). */
  beginStop(): void;
  /** After the OCPP server closed: last results written and audited, connections closed. */
  stop(): Promise<void>;
}

export async function startCommands(o: {
  redis: Redis;
  config: CollectorConfig;
  channel: StationChannel;
  audit: AuditLog;
  metrics: CollectorMetrics;
  logger: Logger;
}): Promise<CollectorCommands> {
  const { redis, config, metrics, logger } = o;
  const retentionMs = config.commands.retentionDays * 24 * 3600 * 1000;
  const bus = new CommandBus({ redis, prefix: config.redis.prefix, defaultDeadlineMs: config.commands.deadlineSec * 1000, retentionMs });
  const queue = new CommandQueue({ redis, prefix: config.redis.prefix, collectorId: config.collectorId, retentionMs });
  const outcomes = new CommandOutcomes({ bus, audit: o.audit, metrics, logger });
  const subscriber = redis.duplicate();
  subscriber.on('error', () => metrics.redisErrors.inc({ operation: 'command_subscribe' }));
  const executor = new CommandExecutor({
    queue,
    channel: o.channel,
    subscriber,
    collectorId: config.collectorId,
    callTimeoutMs: config.ocpp.callTimeoutSec * 1000,
    logger,
    metrics,
    onEnded: (ended) => outcomes.report(ended),
  });
  await executor.start();
  return {
    bus,
    routes: commandRoutes({ bus, audit: o.audit, outcomes, waitSec: config.commands.waitSec, waitMaxSec: config.commands.waitMaxSec }),
    observe: (events) => executor.observe(events),
    beginStop: () => executor.beginStop(),
    stop: async () => {
      await executor.stop();
      await outcomes.flush();
      await bus.close();
    },
  };
}
