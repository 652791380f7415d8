import type { Job } from 'bullmq';
import { WorkerMetrics } from '../../src/metrics';
import { UnknownJobError, runJob } from '../../src/run-job';

const job = (name: string) => ({ name }) as Job;

/** The metric's value for these labels: a counter's value, or a histogram's observation count. */
async function value(metrics: WorkerMetrics, metric: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await metrics.registry.getSingleMetric(metric)!.get()).values as Array<{ labels: Record<string, unknown>; value: number; metricName?: string }>;
  const wanted = (v: { metricName?: string }) => !v.metricName || v.metricName === metric || v.metricName === `${metric}_count`;
  return values.find((v) => wanted(v) && Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('runJob', () => {
  it('runs the processor of the job name, returns its result and counts a completion with its duration', async () => {
    const metrics = new WorkerMetrics();
    const run = runJob('housekeeping', { sweep: async () => ({ closed: 2 }) }, metrics);
    await expect(run(job('sweep'))).resolves.toEqual({ closed: 2 });
    expect(await value(metrics, 'chargewatch_worker_jobs_total', { queue: 'housekeeping', name: 'sweep', outcome: 'completed' })).toBe(1);
    expect(await value(metrics, 'chargewatch_worker_job_duration_seconds', { queue: 'housekeeping', name: 'sweep' })).toBe(1);
  });

  it('counts a throwing processor as failed and rethrows, so BullMQ records the failure', async () => {
    const metrics = new WorkerMetrics();
    const run = runJob('housekeeping', { sweep: async () => Promise.reject(new Error('redis down')) }, metrics);
    await expect(run(job('sweep'))).rejects.toThrow('redis down');
    expect(await value(metrics, 'chargewatch_worker_jobs_total', { queue: 'housekeeping', name: 'sweep', outcome: 'failed' })).toBe(1);
    expect(await value(metrics, 'chargewatch_worker_jobs_total', { queue: 'housekeeping', name: 'sweep', outcome: 'completed' })).toBeUndefined();
  });

  it('fails a job nobody processes with a clear error, under one "unknown" label whatever its name', async () => {
    const metrics = new WorkerMetrics();
    const run = runJob('housekeeping', { sweep: async () => 1 }, metrics);
    await expect(run(job('toString'))).rejects.toThrow(new UnknownJobError('housekeeping', 'toString'));
    await expect(run(job('from-a-newer-producer'))).rejects.toThrow('queue "housekeeping" has no processor for job "from-a-newer-producer"');
    expect(await value(metrics, 'chargewatch_worker_jobs_total', { queue: 'housekeeping', name: 'unknown', outcome: 'failed' })).toBe(2);
    const names = (await metrics.registry.getSingleMetric('chargewatch_worker_jobs_total')!.get()).values.map((v) => v.labels.name);
    expect(names).not.toContain('from-a-newer-producer');
  });
});
