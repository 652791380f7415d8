import { createServer, type Server } from 'node:net';
import { assertPortsFree, freePort } from '../../../src/devstack/ports';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, host, () => resolve(srv));
  });
}

describe('assertPortsFree', () => {
  it('resolves when every port can be bound', async () => {
    await expect(assertPortsFree({ redis: await freePort(), api: await freePort() })).resolves.toBeUndefined();
  });

  it.each(['127.0.0.1', '0.0.0.0'])('names the service and port another process holds on %s', async (host) => {
    const busy = await freePort();
    const srv = await listen(busy, host);
    try {
      const free = await freePort();
      await expect(assertPortsFree({ redis: free, influxdb: busy })).rejects.toThrow(`influxdb port ${busy} (already in use)`);
      await expect(assertPortsFree({ redis: free, influxdb: busy })).rejects.not.toThrow(`redis port ${free}`);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });
});
