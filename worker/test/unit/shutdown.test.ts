import { silentLogger } from '@chargewatch/platform';
import { stopGracefully, type StopParts } from '../../src/shutdown';

function parts(workerClose: (force?: boolean) => Promise<void>, graceMs: number) {
  const order: string[] = [];
  const p: StopParts = {
    workers: [{ close: jest.fn(async (force?: boolean) => { order.push(force ? 'worker.close(force)' : 'worker.close'); await workerClose(force); }) }],
    queues: [{ close: jest.fn(async () => void order.push('queue.close')) }],
    redis: [{ quit: jest.fn(async () => (order.push('redis.quit'), 'OK' as const)), disconnect: jest.fn() }],
    server: { draining: jest.fn(() => void order.push('draining')), close: jest.fn(async () => void order.push('server.close')) },
    graceMs,
    logger: silentLogger,
  };
  return { p, order };
}

describe('stopGracefully', () => {
  it('reports draining first, waits for active jobs, then closes queues, Redis and the listener', async () => {
    let finish!: () => void;
    const active = new Promise<void>((r) => (finish = r));
    const { p, order } = parts(() => active, 5000);
    const stopped = stopGracefully(p);
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['draining', 'worker.close']);
    finish();
    await stopped;
    expect(order).toEqual(['draining', 'worker.close', 'queue.close', 'redis.quit', 'server.close']);
  });

  it('gives up on a job that outlasts the grace time and still closes everything', async () => {
    const { p, order } = parts((force) => (force ? Promise.resolve() : new Promise(() => undefined)), 50);
    const t0 = Date.now();
    await stopGracefully(p);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(order).toEqual(['draining', 'worker.close', 'worker.close(force)', 'queue.close', 'redis.quit', 'server.close']);
  });

  it('disconnects a Redis connection whose QUIT fails', async () => {
    const { p } = parts(async () => undefined, 50);
    const r = { quit: jest.fn(async () => Promise.reject(new Error('connection is closed'))), disconnect: jest.fn() };
    p.redis = [r];
    await stopGracefully(p);
    expect(r.disconnect).toHaveBeenCalled();
  });
});
