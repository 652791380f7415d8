/**
 * Child process: a bare ocpp-rpc server with no-op handlers, configured like the collector's OCPP server
 * (strict mode, 1.6 + 2.0.1, callConcurrency 1, same payload limit). It is the ceiling the collector is
 * compared with: everything the collector does beyond this is its own cost.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RPCServer } from 'ocpp-rpc';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import { serveRequests } from './ipc';

async function start(): Promise<{ port: number; pid: number }> {
  const rpc = new RPCServer({
    protocols: ['ocpp2.0.1', 'ocpp1.6'],
    strictMode: true,
    callConcurrency: 1,
    callTimeoutMs: 30_000,
    pingIntervalMs: 30_000,
    maxBadMessages: 20,
    respondWithDetailedErrors: false,
    wssOptions: { maxPayload: 65_536 },
  });
  rpc.auth((accept) => accept());
  rpc.on('client', (client: RPCServerClient) => {
    client.handle('BootNotification', async () => ({ status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 }));
    client.handle('MeterValues', async () => ({}));
    client.handle('Heartbeat', async () => ({ currentTime: new Date().toISOString() }));
  });
  const http = createServer();
  http.on('upgrade', rpc.handleUpgrade);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  return { port: (http.address() as AddressInfo).port, pid: process.pid };
}

serveRequests(async (task: { cmd: string }) => {
  if (task.cmd === 'start') return start();
  throw new Error(`unknown command ${task.cmd}`);
});
