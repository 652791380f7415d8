/**
 * The processor BullMQ calls for a queue: picks the job's processor by name and records its duration
 * and outcome. An unknown name fails the job with a clear message (and a `failed` count) rather than
 * crashing the worker: a newer producer may add jobs an older worker does not know yet.
 */
import type { Job } from 'bullmq';
import type { WorkerMetrics } from './metrics';

export type Processor = (job: Job) => Promise<unknown>;

export class UnknownJobError extends Error {
  constructor(queue: string, name: string) {
    super(`queue "${queue}" has no processor for job "${name}"`);
    this.name = 'UnknownJobError';
  }
}

export function runJob(queue: string, processors: Record<string, Processor>, metrics: WorkerMetrics): Processor {
  return async (job) => {
    const processor = Object.hasOwn(processors, job.name) ? processors[job.name] : undefined;
    // Unknown names share one label value, so a stray producer cannot grow the series.
    const name = processor ? job.name : 'unknown';
    const end = metrics.jobDuration.startTimer({ queue, name });
    try {
      if (!processor) throw new UnknownJobError(queue, job.name);
      const result = await processor(job);
      metrics.jobs.inc({ queue, name, outcome: 'completed' });
      return result;
    } catch (err) {
      metrics.jobs.inc({ queue, name, outcome: 'failed' });
      throw err;
    } finally {
      end();
    }
  };
}
