import { silentLogger } from '@chargewatch/platform';
import type RPCServerClient from 'ocpp-rpc/lib/server-client';
import { guardFrames } from '../../../src/ocpp/frame-guard';
import { CollectorMetrics } from '../../../src/sinks/prometheus/metrics';

/**
 * Stands in for ocpp-rpc's client where the guard hooks in: like ocpp-rpc, `_onMessage` answers a frame
 * it cannot parse with message id "-1" synchronously, and a call's result later (after its handler).
 */
class FakeClient {
  identity = 'CP-1';
  protocol = 'ocpp1.6';
  sent: string[] = [];
  later: Array<() => void> = [];
  sendRaw(frame: string): void {
    this.sent.push(frame);
  }
  _onMessage(message: string): void {
    let msg: unknown[];
    try {
      msg = JSON.parse(message);
    } catch {
      this.sendRaw('[4,"-1","RpcFrameworkError","Message must be a JSON structure",{}]');
      return;
    }
    this.later.push(() => this.sendRaw(`[3,${JSON.stringify(msg[1])},{"currentTime":"2026-01-01T00:00:00Z"}]`));
  }
}

function guarded(): FakeClient {
  const c = new FakeClient();
  guardFrames(c as unknown as RPCServerClient, { metrics: new CollectorMetrics(), logger: silentLogger });
  return c;
}

describe('the frame guard', () => {
  it('answers an unparsable frame with its own message id, read from the frame', () => {
    const c = guarded();
    c._onMessage('[2,"abc-1","Heartbeat",{');
    expect(c.sent).toHaveLength(1);
    expect(c.sent[0]).toMatch(/^\[4,"abc-1","FormationViolation",/);
  });

  it('keeps no frame once it is handled: a later "-1" reply is not given an old id', () => {
    const c = guarded();
    const boot = '[2,"boot-1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]';
    c._onMessage(boot);
    const own: unknown[] = [...Object.values(c), ...Object.getOwnPropertySymbols(c).map((k) => (c as never)[k])];
    const strings = own.flatMap((v) => (typeof v === 'string' ? [v] : v instanceof Map ? [...v].flat() : []));
    expect(strings.filter((v) => String(v).includes('BootNotification'))).toEqual([]);
    c.sendRaw('[4,"-1","GenericError","",{}]');
    expect(c.sent.at(-1)).toMatch(/^\[4,"-1",/);
  });

  it('gives an escaped message id back byte for byte, and only such a frame gets a table of raw ids', () => {
    const c = guarded();
    c._onMessage('[2,"plain","Heartbeat",{}]');
    const symbols = Object.getOwnPropertySymbols(c).length;
    c._onMessage('[2,"\\u00e9-1","Heartbeat",{}]');
    expect(Object.getOwnPropertySymbols(c).length).toBe(symbols + 1);
    for (const f of c.later) f();
    expect(c.sent).toEqual(['[3,"plain",{"currentTime":"2026-01-01T00:00:00Z"}]', '[3,"\\u00e9-1",{"currentTime":"2026-01-01T00:00:00Z"}]']);
  });

  it('shares its functions between connections', () => {
    const [a, b] = [guarded(), guarded()];
    expect(a._onMessage).toBe(b._onMessage);
    expect(a.sendRaw).toBe(b.sendRaw);
  });
});
