/**
 * Hostile and broken input on the OCPP port: every case gets the spec's CALLERROR or a clean close
 * with a reason, is counted in /metrics, and leaves the collector and other stations working.
 */
import WebSocket from 'ws';
import type { RPCClient } from 'ocpp-rpc';
import { stationClient } from '../harness/station-client';
import { startTestCollector, type TestCollector } from '../harness/collector';
import { OCPP16_ERROR_CODES, OCPP201_ERROR_CODES } from '../../src/ocpp/adapters/error-codes';
import { metric } from '../harness/metrics';

type Frame = unknown[];

class RawStation {
  readonly frames: Frame[] = [];
  private waiters: Array<(f: Frame) => void> = [];
  closed?: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as Frame;
      const w = this.waiters.shift();
      if (w) w(f);
      else this.frames.push(f);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, protocol: string, maxPayload?: number): Promise<RawStation> {
    const ws = new WebSocket(url, [protocol], maxPayload ? { maxPayload } : {});
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawStation(ws);
  }

  next(timeoutMs = 3000): Promise<Frame> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame received')), timeoutMs);
      this.waiters.push((f) => {
        clearTimeout(t);
        resolve(f);
      });
    });
  }

  send(text: string | Buffer, binary = false): void {
    this.ws.send(text, { binary });
  }
}

describe('bad input on the OCPP port', () => {
  let collector: TestCollector;
  let healthy: RPCClient;

  beforeAll(async () => {
    collector = await startTestCollector({ OCPP_MAX_PAYLOAD_BYTES: '4096', OCPP_MAX_BAD_MESSAGES: '5' });
    healthy = stationClient(collector.ocppUrl, 'HEALTHY-1', 'ocpp1.6');
    await healthy.connect();
    await healthy.call('BootNotification', { chargePointVendor: 'V', chargePointModel: 'M' });
  });

  afterAll(async () => {
    await healthy.close({ force: true });
    await collector.stop();
  });

  afterEach(async () => {
    // Whatever the previous case did, another station's calls still succeed.
    await expect(healthy.call('Heartbeat', {})).resolves.toHaveProperty('currentTime');
  });

  it.each([
    ['ocpp1.6', OCPP16_ERROR_CODES as readonly string[], 'FormationViolation'],
    ['ocpp2.0.1', OCPP201_ERROR_CODES as readonly string[], 'RpcFrameworkError'],
  ])('answers malformed JSON with a %s CALLERROR', async (protocol, codes, expected) => {
    const before = await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'malformed_json' });
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-JSON-${protocol}`, protocol);
    st.send('[2, "m1", "Heartbeat", {');
    const f = await st.next();
    expect(f[0]).toBe(4);
    expect(codes).toContain(f[2]);
    expect(f[2]).toBe(expected);
    expect(await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'malformed_json' })).toBe(before + 1);
    st.ws.close();
  });

  it('answers an unknown message type id', async () => {
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-TYPE`, 'ocpp2.0.1');
    st.send(JSON.stringify([7, 'm2', 'Heartbeat', {}]));
    expect(await st.next()).toEqual([4, 'm2', 'MessageTypeNotSupported', expect.any(String), {}]);
    st.ws.close();
  });

  it('answers an unknown action with NotImplemented', async () => {
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-ACTION`, 'ocpp1.6');
    st.send(JSON.stringify([2, 'm3', 'MakeCoffee', {}]));
    const f = await st.next();
    expect(f.slice(0, 3)).toEqual([4, 'm3', 'NotImplemented']);
    st.ws.close();
  });

  it('answers a schema violation and counts it', async () => {
    const before = await metric(collector, 'chargewatch_ocpp_validation_failures_total', { action: 'BootNotification' });
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-SCHEMA`, 'ocpp1.6');
    st.send(JSON.stringify([2, 'm4', 'BootNotification', { chargePointVendor: 'V' }]));
    const f = await st.next();
    expect(f[0]).toBe(4);
    expect(OCPP16_ERROR_CODES).toContain(f[2]);
    expect(f[2]).toMatch(/Violation$/);
    expect(await metric(collector, 'chargewatch_ocpp_validation_failures_total', { action: 'BootNotification' })).toBe(before + 1);
    st.ws.close();
  });

  it('refuses values the schema allows but the meaning does not (NaN meter value)', async () => {
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-NAN`, 'ocpp1.6');
    st.send(JSON.stringify([2, 'm5', 'MeterValues', { connectorId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 'NaN' }] }] }]));
    expect((await st.next()).slice(0, 3)).toEqual([4, 'm5', 'PropertyConstraintViolation']);
    expect(await metric(collector, 'chargewatch_ocpp_messages_total', { action: 'MeterValues', outcome: 'error' })).toBeGreaterThanOrEqual(1);
    st.ws.close();
  });

  it('ignores a CALLRESULT for no call, counts it, and stays connected', async () => {
    const before = await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'unmatched_response' });
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-RESULT`, 'ocpp2.0.1');
    st.send(JSON.stringify([3, 'nobody-asked', {}]));
    st.send(JSON.stringify([2, 'm6', 'Heartbeat', {}]));
    const f = await st.next();
    expect(f.slice(0, 2)).toEqual([3, 'm6']);
    expect(await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'unmatched_response' })).toBe(before + 1);
    st.ws.close();
  });

  it('closes on an oversize frame with 1009', async () => {
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-BIG`, 'ocpp1.6');
    st.send(JSON.stringify([2, 'm7', 'DataTransfer', { vendorId: 'x', data: 'y'.repeat(10_000) }]));
    expect((await st.closed)!.code).toBe(1009);
  });

  it('closes on a binary frame with 1003 and a reason', async () => {
    const before = await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'binary_frame' });
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-BIN`, 'ocpp1.6');
    st.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), true);
    const closed = await st.closed!;
    expect(closed).toEqual({ code: 1003, reason: 'binary frames are not OCPP-J' });
    expect(await metric(collector, 'chargewatch_ocpp_bad_messages_total', { reason: 'binary_frame' })).toBe(before + 1);
  });

  it('closes a connection that floods bad messages', async () => {
    const st = await RawStation.open(`${collector.ocppUrl}/RAW-FLOOD`, 'ocpp2.0.1');
    for (let i = 0; i < 50; i++) st.send(`garbage ${i}`);
    const closed = await st.closed!;
    expect(closed.code).toBe(1002);
    // maxBadMessages 5: five answered, the sixth closes the connection.
    expect(st.frames.length).toBe(5);
  });

  it('refuses the handshake for a wrong path or no OCPP subprotocol', async () => {
    const base = collector.ocppUrl.replace(/\/ocpp$/, '');
    await expect(RawStation.open(`${base}/other/CP1`, 'ocpp1.6')).rejects.toThrow(/404/);
    await expect(RawStation.open(`${collector.ocppUrl}/CP1`, 'mqtt')).rejects.toThrow(/400/);
    expect(await metric(collector, 'chargewatch_connections_rejected_total', { reason: 'bad_path' })).toBeGreaterThanOrEqual(1);
  });

  it('replaces an older connection with the same identity without leaving it online', async () => {
    const first = await RawStation.open(`${collector.ocppUrl}/DUP-1`, 'ocpp1.6');
    const second = await RawStation.open(`${collector.ocppUrl}/DUP-1`, 'ocpp1.6');
    expect((await first.closed)!.code).toBe(4000);
    second.send(JSON.stringify([2, 'd1', 'Heartbeat', {}]));
    expect((await second.next()).slice(0, 2)).toEqual([3, 'd1']);
    // The old socket's close must not mark the station offline while the new one is connected.
    await new Promise((r) => setTimeout(r, 200));
    const state = (await (await collector.api('/api/v1/stations/DUP-1')).json()) as { online: boolean };
    expect(state.online).toBe(true);
    expect(await metric(collector, 'chargewatch_connections_replaced_total')).toBeGreaterThanOrEqual(1);
    second.ws.close();
  });
});
