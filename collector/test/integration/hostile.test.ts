/**
 * Hostile clients on the OCPP port: too many connections from one address, reconnect floods, slow or
 * half-open handshakes and garbage instead of HTTP. Each is refused with a clear status (or closed
 * when no HTTP exchange is possible), counted in /metrics and per address in the API, and leaves the
 * collector and stations from other addresses working.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { metric } from '../harness/metrics';

function handshake(url: string, localAddress?: string): Promise<{ status: number; body: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['ocpp1.6'], localAddress ? { localAddress } : {});
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

/** A raw TCP client: what it received and when the server closed it. */
function rawClient(port: number, localAddress?: string): { sock: Socket; received: () => string; closed: Promise<number> } {
  const started = Date.now();
  const sock = tcpConnect({ port, host: '127.0.0.1', localAddress });
  let data = '';
  sock.on('data', (c) => (data += c.toString()));
  sock.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => sock.once('close', () => resolve(Date.now() - started)));
  return { sock, received: () => data, closed };
}

const HALF_UPGRADE = 'GET /ocpp/SLOW-1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';

describe('hostile clients', () => {
  let collector: TestCollector;
  let other: RPCClient;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    collector = await startTestCollector({
      OCPP_MAX_CONNECTIONS_PER_ADDRESS: '3',
      OCPP_CONNECT_RATE_PER_ADDRESS: '1000',
      OCPP_CONNECT_BURST_PER_ADDRESS: '1000',
      OCPP_HANDSHAKE_TIMEOUT_MS: '500',
    });
    // A station on another loopback address (Linux routes all of 127/8 to lo): it must never notice.
    other = stationClient(collector.ocppUrl, 'OTHER-ADDR', 'ocpp1.6', { wsOpts: { localAddress: '127.0.0.2' } });
    await other.connect();
    await other.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  });

  afterAll(async () => {
    for (const ws of open) ws.terminate();
    await other?.close({ force: true });
    await collector?.stop();
  });

  afterEach(async () => {
    await expect(other.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
  });

  it('refuses the 4th concurrent connection from one address with 429, counts it, and leaves the others working', async () => {
    const before = await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'address_limit' });
    const three = await Promise.all(['LIM-1', 'LIM-2', 'LIM-3'].map((id) => handshake(`${collector.ocppUrl}/${id}`)));
    expect(three.map((r) => r.status)).toEqual([101, 101, 101]);
    open.push(...three.map((r) => r.ws!));
    const fourth = await handshake(`${collector.ocppUrl}/LIM-4`);
    expect(fourth.status).toBe(429);
    expect(fourth.body).toMatch(/too many connections from 127\.0\.0\.1 \(limit 3\)/);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'address_limit' })).toBe(before + 1);

    // The three still work.
    for (const ws of three.map((r) => r.ws!)) {
      const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
      ws.send(JSON.stringify([2, 'h', 'Heartbeat', {}]));
      expect(JSON.parse(await reply)[0]).toBe(3);
    }
    // Another address is not limited by this one.
    const fromOther = await handshake(`${collector.ocppUrl}/LIM-OTHER`, '127.0.0.3');
    expect(fromOther.status).toBe(101);
    fromOther.ws!.close();

    // A slot freed is a slot available again.
    const closed = new Promise((r) => three[0]!.ws!.once('close', r));
    three[0]!.ws!.close();
    await closed;
    await new Promise((r) => setTimeout(r, 50));
    const again = await handshake(`${collector.ocppUrl}/LIM-5`);
    expect(again.status).toBe(101);
    open.push(again.ws!);

    const failures = (await (await collector.api('/api/v1/security/auth-failures')).json()) as Record<string, any>;
    expect(failures.addresses).toEqual(expect.arrayContaining([expect.objectContaining({ address: '127.0.0.1', byReason: expect.objectContaining({ address_limit: 1 }) })]));
    for (const ws of open.splice(0)) ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
  });

  it('drops a flood of half-open connections beyond twice the limit at once, without memory growth', async () => {
    const before = await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'address_limit' });
    const flood = Array.from({ length: 200 }, () => rawClient(collector.ocppPort));
    const times = await Promise.all(flood.map((c) => c.closed));
    // 6 (2 × limit) wait for the handshake timeout; the other 194 are closed on arrival.
    expect(times.filter((t) => t < 300).length).toBeGreaterThanOrEqual(190);
    expect(Math.max(...times)).toBeLessThan(3000);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'address_limit' })).toBeGreaterThanOrEqual(before + 190);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'handshake_timeout' })).toBeGreaterThanOrEqual(1);
    const failures = (await (await collector.api('/api/v1/security/auth-failures')).json()) as Record<string, any>;
    expect(failures.tracked.addresses).toBeLessThanOrEqual(failures.tracked.capacity);
    // Afterwards the address is back to normal.
    const ok = await handshake(`${collector.ocppUrl}/AFTER-FLOOD`);
    expect(ok.status).toBe(101);
    ok.ws!.close();
  });

  it('closes a slow handshake (half an upgrade request) within the timeout with 408, and counts it', async () => {
    const before = await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'handshake_timeout' });
    const c = rawClient(collector.ocppPort);
    c.sock.write(HALF_UPGRADE);
    const elapsed = await c.closed;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(2500);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'handshake_timeout' })).toBe(before + 1);
  });

  it('closes a connection that sends nothing at all', async () => {
    const c = rawClient(collector.ocppPort);
    expect(await c.closed).toBeLessThan(2500);
  });

  it('closes a trickling client that never finishes its headers, even though it keeps sending', async () => {
    const c = rawClient(collector.ocppPort);
    let i = 0;
    const timer = setInterval(() => c.sock.writable && c.sock.write(i++ === 0 ? HALF_UPGRADE : `X-Pad-${i}: ${i}\r\n`), 100);
    const elapsed = await c.closed;
    clearInterval(timer);
    expect(elapsed).toBeLessThan(2500);
  });

  it('answers garbage instead of HTTP with 400, counted', async () => {
    const before = await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'bad_http' });
    const c = rawClient(collector.ocppPort);
    c.sock.write('\x16\x03\x01 definitely not http\r\n\r\n');
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 400/);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'bad_http' })).toBe(before + 1);
  });
});

describe('reconnect floods', () => {
  let collector: TestCollector;

  beforeAll(async () => {
    collector = await startTestCollector({ OCPP_CONNECT_RATE_PER_ADDRESS: '2', OCPP_CONNECT_BURST_PER_ADDRESS: '5' });
  });

  afterAll(async () => {
    await collector?.stop();
  });

  it('rate-limits new connections per address with 429 and lets other addresses in', async () => {
    const results: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await handshake(`${collector.ocppUrl}/FLOOD-${i}`);
      results.push(r.status);
      r.ws?.terminate();
    }
    expect(results.slice(0, 5)).toEqual([101, 101, 101, 101, 101]);
    expect(results.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'rate_limited' })).toBeGreaterThanOrEqual(4);
    const r = await handshake(`${collector.ocppUrl}/CALM-1`, '127.0.0.4');
    expect(r.status).toBe(101);
    r.ws!.close();
    // Tokens come back at the configured rate.
    await new Promise((res) => setTimeout(res, 600));
    const later = await handshake(`${collector.ocppUrl}/FLOOD-LATER`);
    expect(later.status).toBe(101);
    later.ws!.close();
  });
});
