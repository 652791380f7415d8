import { PassThrough } from 'node:stream';
import { StormAdmission, pendingBootReply, spread } from '../../../src/ocpp/admission';

/** A socket stand-in that records what was written and can be closed like a real one. */
function socket() {
  const s = new PassThrough();
  let written = '';
  s.on('data', (d: Buffer) => (written += d.toString()));
  return { s, written: () => written, close: () => s.destroy() };
}

const settings = { maxHandshakes: 2, handshakeRetryAfterSec: 3, maxBoots: 1, bootPendingIntervalSec: 10 };

describe('StormAdmission', () => {
  it('answers handshakes beyond the limit 503 with a Retry-After in [base, 2×base), and counts them', async () => {
    let deferred = 0;
    const a = new StormAdmission(settings, { handshakeDeferred: () => deferred++, bootDeferred: () => undefined }, () => 0.99);
    const [x, y, z] = [socket(), socket(), socket()];
    expect(a.admitHandshake(x.s)).toBe(true);
    expect(a.admitHandshake(y.s)).toBe(true);
    expect(a.admitHandshake(z.s)).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(z.written()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(z.written()).toContain('Retry-After: 5\r\n');
    expect(x.written()).toBe('');
    expect(deferred).toBe(1);
    expect(a.handshakesInProgress).toBe(2);
  });

  it('frees a place when a handshake completes or its socket closes, once per socket', async () => {
    const a = new StormAdmission(settings);
    const [x, y, z] = [socket(), socket(), socket()];
    a.admitHandshake(x.s);
    a.admitHandshake(y.s);
    a.handshakeDone(x.s);
    a.handshakeDone(x.s);
    expect(a.handshakesInProgress).toBe(1);
    y.close();
    await new Promise((r) => setImmediate(r));
    expect(a.handshakesInProgress).toBe(0);
    expect(a.admitHandshake(z.s)).toBe(true);
  });

  it('leaves no listener on the socket once the handshake is done, and shares one between sockets', () => {
    const a = new StormAdmission(settings);
    const [x, y] = [socket(), socket()];
    const before = x.s.listenerCount('close');
    a.admitHandshake(x.s);
    a.admitHandshake(y.s);
    expect(x.s.listenerCount('close')).toBe(before + 1);
    // One function for every socket: a closure per socket would stay for the connection's life.
    expect(x.s.listeners('close').at(-1)).toBe(y.s.listeners('close').at(-1));
    a.handshakeDone(x.s);
    expect(x.s.listenerCount('close')).toBe(before);
    expect(a.handshakesInProgress).toBe(1);
  });

  it('answers boots beyond the limit with a Pending interval and admits again once one is done', () => {
    let deferred = 0;
    const a = new StormAdmission(settings, { handshakeDeferred: () => undefined, bootDeferred: () => deferred++ }, () => 0);
    expect(a.beginBoot()).toBeUndefined();
    expect(a.beginBoot()).toBe(10);
    expect(deferred).toBe(1);
    a.bootDone();
    expect(a.beginBoot()).toBeUndefined();
    expect(a.bootsInProgress).toBe(1);
  });

  it('widens the Retry-After window while more are sent away than admitted, and narrows it back', () => {
    let t = 1_000_000;
    const a = new StormAdmission({ ...settings, maxHandshakes: 1 }, undefined, () => 0.5, () => t);
    const held = socket();
    a.admitHandshake(held.s);
    expect(a.retryWindowSec).toBe(3);
    const widths: number[] = [];
    for (let i = 0; i < 12; i++) {
      for (let k = 0; k < 5; k++) expect(a.admitHandshake(socket().s)).toBe(false);
      t += 1000;
      widths.push(a.retryWindowSec);
    }
    expect(widths[0]).toBe(4.5);
    expect(widths.every((w, i) => i === 0 || w >= widths[i - 1]!)).toBe(true);
    expect(Math.max(...widths)).toBe(60);
    a.handshakeDone(held.s);
    for (let i = 0; i < 30; i++) {
      t += 1000;
      a.retryWindowSec;
    }
    expect(a.retryWindowSec).toBe(3);
  });

  it('answers Retry-After from the widened window', async () => {
    let t = 0;
    const a = new StormAdmission({ ...settings, maxHandshakes: 1 }, undefined, () => 0.5, () => t);
    a.admitHandshake(socket().s);
    for (let i = 0; i < 20; i++) {
      a.admitHandshake(socket().s);
      t += 1000;
    }
    const x = socket();
    a.admitHandshake(x.s);
    await new Promise((r) => setImmediate(r));
    expect(x.written()).toContain(`Retry-After: ${3 + Math.floor(0.5 * a.retryWindowSec)}\r\n`);
    expect(a.retryWindowSec).toBe(60);
  });

  it('limits nothing when the limits are 0', () => {
    const a = new StormAdmission({ ...settings, maxHandshakes: 0, maxBoots: 0 });
    for (let i = 0; i < 1000; i++) {
      expect(a.admitHandshake(socket().s)).toBe(true);
      expect(a.beginBoot()).toBeUndefined();
    }
  });
});

describe('spread and the Pending answer', () => {
  it('spreads whole seconds over [base, 2×base)', () => {
    expect(spread(5, () => 0)).toBe(5);
    expect(spread(5, () => 0.999)).toBe(9);
    for (let i = 0; i < 100; i++) {
      const v = spread(4);
      expect(Number.isInteger(v) && v >= 4 && v < 8).toBe(true);
    }
  });

  it('is a valid BootNotification answer in both versions: status, currentTime and interval', () => {
    expect(pendingBootReply(7, Date.UTC(2026, 0, 1))).toEqual({ status: 'Pending', currentTime: '2026-01-01T00:00:00.000Z', interval: 7 });
  });
});
