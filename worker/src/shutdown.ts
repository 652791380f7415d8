/**
 * Graceful stop of the worker: stop taking jobs, give active ones a bounded time to finish (a job
 * abandoned at the deadline is picked up again by BullMQ's stalled-job check in another worker, and the
 * housekeeping jobs are safe to repeat), stop the journal consumers (the InfluxDB writer writes out
 * what it holds; what it leaves stays in the journal), then close queues, Redis and the metrics listener.
 */
import type { Logger } from '@chargewatch/platform';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MetricsServer } from './metrics-server';

export interface StopParts {
  workers: Array<Pick<Worker, 'close'>>;
  queues: Array<Pick<Queue, 'close'>>;
  /** Journal consumers and timers: stopped after the jobs, before Redis closes (they flush what they hold). */
  consumers?: Array<{ stop(): Promise<void> }>;
  redis: Array<Pick<Redis, 'quit' | 'disconnect'>>;
  server: Pick<MetricsServer, 'draining' | 'close'>;
  graceMs: number;
  logger: Logger;
}

/** Resolves true when `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function stopGracefully(p: StopParts): Promise<void> {
  p.server.draining();
  // close() first stops fetching, then waits for the active jobs.
  const closing = Promise.all(p.workers.map((w) => w.close()));
  if (!(await within(closing, p.graceMs))) {
    p.logger.warn({ graceMs: p.graceMs }, 'active jobs did not finish in time; closing anyway');
    await within(Promise.all(p.workers.map((w) => w.close(true))), 2000);
  }
  await Promise.all((p.consumers ?? []).map((c) => c.stop().catch((err: Error) => p.logger.warn({ err: err.message }, 'journal consumer did not stop cleanly'))));
  await Promise.all(p.queues.map((q) => q.close().catch(() => undefined)));
  for (const r of p.redis) await r.quit().catch(() => r.disconnect());
  await p.server.close();
  p.logger.info('worker stopped');
}
