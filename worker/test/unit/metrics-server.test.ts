import { WorkerMetrics, type QueueState } from '../../src/metrics';
import { startMetricsServer, type MetricsServer } from '../../src/metrics-server';

let server: MetricsServer | undefined;
afterEach(async () => server?.close());

async function start(metrics: WorkerMetrics) {
  server = await startMetricsServer(metrics.registry, '127.0.0.1', 0, () => undefined);
  return `http://127.0.0.1:${server.port}`;
}

describe('the worker metrics listener', () => {
  it('serves queue sizes read from BullMQ at scrape time, one series per queue and state', async () => {
    const metrics = new WorkerMetrics();
    let waiting = 3;
    metrics.watch({ name: 'housekeeping', getJobCounts: async (...states: QueueState[]) => Object.fromEntries(states.map((s) => [s, s === 'waiting' ? waiting : 0])) });
    const url = await start(metrics);
    let text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('chargewatch_worker_queue_jobs{queue="housekeeping",state="waiting"} 3');
    expect(text).toContain('chargewatch_worker_queue_jobs{queue="housekeeping",state="failed"} 0');
    waiting = 0;
    text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('chargewatch_worker_queue_jobs{queue="housekeeping",state="waiting"} 0');
  });

  it('serves the event-loop delay metrics the collector serves, without labels', async () => {
    const text = await (await fetch(`${await start(new WorkerMetrics())}/metrics`)).text();
    expect(text).toMatch(/^chargewatch_event_loop_delay_seconds_count \d+$/m);
    expect(text).toMatch(/^chargewatch_event_loop_delay_max_seconds /m);
    expect(text).toMatch(/^chargewatch_event_loop_delay_p99_seconds /m);
  });

  it('leaves out a queue whose counts cannot be read instead of reporting zeros', async () => {
    const metrics = new WorkerMetrics();
    metrics.watch({ name: 'housekeeping', getJobCounts: async () => Promise.reject(new Error('redis down')) });
    const res = await fetch(`${await start(metrics)}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).not.toContain('chargewatch_worker_queue_jobs{');
  });

  it('answers /healthz 200, then 503 once draining; other paths 404, other methods 405', async () => {
    const url = await start(new WorkerMetrics());
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    server!.draining();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'stopping' });
  });
});
