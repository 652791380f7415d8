/**
 * End to end: the worker started by the stack (`npm test`, `npm run demo`) serves its metrics, runs its
 * housekeeping schedules on the stack's Redis, and Prometheus scrapes it as job chargewatch-worker
 * (the series WorkerDown watches).
 *
 * Needs E2E_WORKER_URL and E2E_PROMETHEUS_URL (set by scripts/test.mjs).
 */
import { eventually, promQuery } from '@chargewatch/tools';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this end-to-end test needs the running stack (run it through \`npm test\`)`);
  return value;
}

describe('the worker in the running stack', () => {
  it('is healthy, reports its housekeeping queue and is scraped by Prometheus', async () => {
    expect((await fetch(`${env('E2E_WORKER_URL')}/healthz`)).ok).toBe(true);
    const metrics = await (await fetch(`${env('E2E_WORKER_URL')}/metrics`)).text();
    expect(metrics).toMatch(/chargewatch_worker_queue_jobs\{[^}]*queue="housekeeping"/);
    await eventually(async () => {
      const up = await promQuery(env('E2E_PROMETHEUS_URL'), 'up{job="chargewatch-worker"}');
      expect(up.map((s) => s.value)).toEqual([1]);
    }, 60_000, 1000);
  });
});
