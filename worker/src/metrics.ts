/**
 * The worker's Prometheus metrics, on its own registry and port (WORKER_METRICS_PORT). Labels are the
 * queue and job names of model/src/queues.ts and fixed outcomes/states: never job ids or station ids.
 * Queue sizes are read from BullMQ on each scrape, so they are right whichever process added the jobs.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { JournalMetrics, LoopDelayMetrics } from '@chargewatch/platform';

/** The states reported per queue; BullMQ's names. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** What the metrics need of a queue: its name and BullMQ's job counts. */
export interface CountedQueue {
  name: string;
  getJobCounts(...states: QueueState[]): Promise<Record<string, number>>;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly queues: CountedQueue[] = [];

  readonly jobDuration = new Histogram({
    name: 'chargewatch_worker_job_duration_seconds',
    help: 'Time a job took in its processor, completed or failed',
    labelNames: ['queue', 'name'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'chargewatch_worker_jobs_total',
    help: 'Jobs finished by this worker, by outcome (completed, failed)',
    labelNames: ['queue', 'name', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stalled = new Counter({
    name: 'chargewatch_worker_jobs_stalled_total',
    help: 'Jobs this worker found stalled (their worker stopped renewing the lock) and moved back to wait or failed',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  /** The event path's metrics, as in the collector: journal consumers, and the InfluxDB writer with INFLUX_WRITER=worker. */
  readonly journal = new JournalMetrics(this.registry);

  /** Event-loop delay, as in the collector (started by the worker, not by tests that only build the metrics). */
  readonly loopDelay = new LoopDelayMetrics(this.registry);

  readonly redisErrors = new Counter({
    name: 'chargewatch_worker_redis_errors_total',
    help: 'Redis connection errors of the worker, by connection',
    labelNames: ['connection'] as const,
    registers: [this.registry],
  });

  constructor() {
    const queues = this.queues;
    new Gauge({
      name: 'chargewatch_worker_queue_jobs',
      help: 'Jobs in each queue by state, read from BullMQ at scrape time',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (q) => {
            // A failed read leaves the queue's series out of this scrape rather than reporting zeros.
            const counts = await q.getJobCounts(...QUEUE_STATES).catch(() => undefined);
            if (!counts) return;
            for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          }),
        );
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'chargewatch_worker_' });
  }

  /** Reports the queue's job counts from now on. */
  watch(queue: CountedQueue): void {
    this.queues.push(queue);
  }
}
