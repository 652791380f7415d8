import type { ChargeEvent } from '@chargewatch/model';
import { InfluxBackpressureError, InfluxSink, firstFailingLine, type InfluxSinkMetrics } from '../../../src/sinks/influx/sink';
import { InfluxWriteError, apiForVersion, type InfluxWriter } from '../../../src/sinks/influx/writer';
import { TX_ID, sessionEvents } from './events';

type Outcome = 'ok' | InfluxWriteError | Error;

/** Records every write; answers with the queued outcomes, then 'ok'. */
class FakeWriter implements InfluxWriter {
  readonly api = 'v1' as const;
  calls: string[][] = [];
  outcomes: Outcome[] = [];
  /** When set, write() waits for it (to hold a batch in flight). */
  gate: Promise<void> | undefined;
  closed = false;

  async write(lines: string[]): Promise<void> {
    this.calls.push([...lines]);
    if (this.gate) await this.gate;
    const outcome = this.outcomes.shift() ?? 'ok';
    if (outcome !== 'ok') throw outcome;
  }
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  get lines(): string[] {
    return this.calls.flat();
  }
}

function recordingMetrics() {
  const m = { written: 0, failed: 0, durations: 0, rejected: 0, backpressure: 0, backlog: [] as Array<[number, number]> };
  const metrics: InfluxSinkMetrics = {
    pointsWritten: (n) => (m.written += n),
    writeFailed: () => m.failed++,
    writeDuration: () => m.durations++,
    backlog: (p, age) => m.backlog.push([p, age]),
    rejected: (n) => (m.rejected += n),
    backpressure: (n) => (m.backpressure += n),
  };
  return { m, metrics };
}

const T0 = 1_700_000_000_000;
const hb = (i: number, stationId = 'CP-1'): ChargeEvent => ({ type: 'station.heartbeat', stationId, time: T0 + i, receivedAt: T0 + i });
const hbs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => hb(from + i));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn() });

describe('InfluxSink batching', () => {
  it('record() is synchronous and does not write until flush interval or batch size', async () => {
    const writer = new FakeWriter();
    const sink = new InfluxSink({ writer, flushIntervalMs: 50, batchSize: 100 });
    sink.record(hbs(3));
    expect(writer.calls).toHaveLength(0);
    await sleep(20);
    expect(writer.calls).toHaveLength(0);
    await sleep(80);
    expect(writer.calls).toHaveLength(1);
    expect(writer.calls[0]).toHaveLength(3);
    await sink.close();
    expect(writer.closed).toBe(true);
  });

  it('a full batch leaves at once; batches never exceed batchSize', async () => {
    const writer = new FakeWriter();
    const sink = new InfluxSink({ writer, flushIntervalMs: 1000, batchSize: 10 });
    sink.record(hbs(25));
    await sleep(5);
    expect(writer.calls.length).toBeGreaterThanOrEqual(1);
    await sink.flush();
    expect(writer.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(writer.lines).toHaveLength(25);
    expect(writer.lines[0]).toBe(`heartbeat,station_id=CP-1 skew_ms=0 ${T0}`);
    await sink.close();
  });

  it('flush interval is capped at 1 s', async () => {
    const writer = new FakeWriter();
    const sink = new InfluxSink({ writer, flushIntervalMs: 60_000 });
    jest.useFakeTimers();
    try {
      sink.record(hbs(1));
      jest.advanceTimersByTime(999);
      expect(writer.calls).toHaveLength(0);
      jest.advanceTimersByTime(2);
      await Promise.resolve();
      await Promise.resolve();
      expect(writer.calls).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
    await sink.close();
  });

  it('flush() writes everything, including events recorded while a batch is in flight', async () => {
    const writer = new FakeWriter();
    let open!: () => void;
    writer.gate = new Promise((r) => (open = r));
    const sink = new InfluxSink({ writer, flushIntervalMs: 1, batchSize: 2 });
    sink.record(hbs(2));
    await sleep(5);
    sink.record(hbs(3, 2));
    const flushed = sink.flush();
    open();
    writer.gate = undefined;
    await flushed;
    expect(writer.lines).toHaveLength(5);
    expect(sink.stats()).toMatchObject({ written: 5, backlog: 0 });
    await sink.close();
  });

  it('passes station metadata to the mapping', async () => {
    const writer = new FakeWriter();
    const lookup = jest.fn((id: string) => (id === 'CP-1' ? { site: 'north', tags: { Zone: 'A' } } : undefined));
    const sink = new InfluxSink({ writer, stationMeta: lookup });
    sink.record([hb(0), hb(1, 'CP-2')]);
    await sink.flush();
    expect(writer.lines).toEqual([
      `heartbeat,site=north,station_id=CP-1,tag_zone=A skew_ms=0 ${T0}`,
      `heartbeat,station_id=CP-2 skew_ms=0 ${T0 + 1}`,
    ]);
    await sink.close();
  });

  it('writes energy_wh and duration_s from the start the end carries, not from starts it saw itself', async () => {
    // The start was handled by another collector (or before a restart): this sink never sees it.
    const writer = new FakeWriter();
    const sink = new InfluxSink({ writer });
    const events = sessionEvents('CP-1', T0);
    sink.record(events.filter((e) => e.type === 'transaction.ended'));
    await sink.flush();
    const end = writer.lines.find((l) => l.includes('event=ended'))!;
    expect(end).toContain('energy_wh=11500');
    expect(end).toContain('duration_s=3');
    expect(end).toContain(`transaction_id="${TX_ID}"`);
    await sink.close();
  });

  it('reports backlog points and age to the metrics hook', async () => {
    const writer = new FakeWriter();
    const { m, metrics } = recordingMetrics();
    let now = 1000;
    const sink = new InfluxSink({ writer, metrics, now: () => now, flushIntervalMs: 1000 });
    sink.record(hbs(3));
    now += 2500;
    sink.record(hbs(2, 3));
    expect(m.backlog.at(-1)).toEqual([5, 2.5]);
    expect(sink.stats().oldestAgeSeconds).toBe(2.5);
    await sink.flush();
    expect(m.backlog.at(-1)).toEqual([0, 0]);
    expect(m.written).toBe(5);
    expect(m.durations).toBe(1);
    await sink.close();
  });
});

describe('InfluxSink backpressure', () => {
  it('throws InfluxBackpressureError when the buffer is full and keeps nothing of that call', async () => {
    const writer = new FakeWriter();
    let open!: () => void;
    writer.gate = new Promise((r) => (open = r));
    const { m, metrics } = recordingMetrics();
    const sink = new InfluxSink({ writer, metrics, maxBufferLines: 10, batchSize: 5, flushIntervalMs: 1 });
    sink.record(hbs(8));
    expect(sink.isFull()).toBe(false);
    let thrown: unknown;
    try {
      sink.record(hbs(3, 8));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InfluxBackpressureError);
    expect((thrown as InfluxBackpressureError).code).toBe('INFLUX_BACKPRESSURE');
    expect(sink.stats()).toMatchObject({ backpressureCalls: 1, backlog: 8 });
    expect(m.backpressure).toBe(3);
    sink.record(hbs(2, 8)); // fits exactly
    expect(sink.isFull()).toBe(true);
    expect(() => sink.record([hb(99)])).toThrow(InfluxBackpressureError);

    // Once InfluxDB catches up, the oldest lines were all kept and new ones are accepted again.
    open();
    writer.gate = undefined;
    await sink.flush();
    expect(sink.isFull()).toBe(false);
    expect(writer.lines).toHaveLength(10);
    expect(writer.lines[0]).toContain(` ${T0}`);
    sink.record([hb(100)]);
    await sink.flush();
    expect(writer.lines).toHaveLength(11);
    await sink.close();
  });

  it('counts a batch in flight as part of the backlog', async () => {
    const writer = new FakeWriter();
    let open!: () => void;
    writer.gate = new Promise((r) => (open = r));
    const sink = new InfluxSink({ writer, maxBufferLines: 4, batchSize: 4, flushIntervalMs: 1 });
    sink.record(hbs(4));
    await sleep(5);
    expect(writer.calls).toHaveLength(1); // in flight
    expect(sink.isFull()).toBe(true);
    expect(() => sink.record([hb(5)])).toThrow(InfluxBackpressureError);
    open();
    writer.gate = undefined;
    await sink.flush();
    await sink.close();
  });

  it('accepts one oversized call into an empty buffer', async () => {
    const writer = new FakeWriter();
    const sink = new InfluxSink({ writer, maxBufferLines: 2 });
    sink.record(hbs(5));
    expect(sink.isFull()).toBe(true);
    await sink.flush();
    expect(writer.lines).toHaveLength(5);
    await sink.close();
  });

  it('record() after close() throws', async () => {
    const sink = new InfluxSink({ writer: new FakeWriter() });
    await sink.close();
    expect(() => sink.record([hb(0)])).toThrow(/closed/);
  });
});

describe('InfluxSink retries', () => {
  it('retries 5xx and network errors with backoff, then succeeds', async () => {
    const writer = new FakeWriter();
    writer.outcomes = [
      new InfluxWriteError('HTTP 503', 503, 'unavailable', undefined),
      new InfluxWriteError('ECONNREFUSED', undefined, undefined, undefined),
      new InfluxWriteError('HTTP 500', 500, 'timeout', undefined),
    ];
    const { m, metrics } = recordingMetrics();
    const log = logger();
    const sink = new InfluxSink({ writer, metrics, logger: log, retryMinDelayMs: 10 });
    const started = Date.now();
    sink.record(hbs(3));
    await sink.flush();
    const elapsed = Date.now() - started;
    expect(writer.calls).toHaveLength(4);
    for (const c of writer.calls) expect(c).toEqual(writer.calls[0]);
    // 10 + 20 + 40 ms ±20 %
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(m).toMatchObject({ written: 3, failed: 3, rejected: 0 });
    expect(log.warn).toHaveBeenCalledTimes(3);
    expect(sink.stats()).toMatchObject({ written: 3, failedAttempts: 3, dropped: 0 });
    await sink.close();
  });

  it('retries 429 and honours Retry-After', async () => {
    const writer = new FakeWriter();
    writer.outcomes = [new InfluxWriteError('HTTP 429', 429, 'slow down', 60)];
    const sink = new InfluxSink({ writer, retryMinDelayMs: 1 });
    const started = Date.now();
    sink.record(hbs(1));
    await sink.flush();
    expect(writer.calls).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await sink.close();
  });

  it.each([401, 403, 404])('retries HTTP %i (a setup error, not bad lines): nothing rejected', async (status) => {
    const writer = new FakeWriter();
    writer.outcomes = [new InfluxWriteError(`HTTP ${status}`, status, 'no', undefined)];
    const { m, metrics } = recordingMetrics();
    const sink = new InfluxSink({ writer, metrics, retryMinDelayMs: 1 });
    sink.record(hbs(2));
    await sink.flush();
    expect(writer.calls).toHaveLength(2);
    expect(m).toMatchObject({ rejected: 0, written: 2 });
    await sink.close();
  });

  it('retries within a probe interval of InfluxDB answering /ping again, not after the whole backoff', async () => {
    const writer = new FakeWriter();
    let up = false;
    writer.ping = async () => up;
    writer.outcomes = [new InfluxWriteError('ECONNREFUSED', undefined, undefined, undefined)];
    const log = logger();
    const sink = new InfluxSink({ writer, logger: log, retryMinDelayMs: 20_000, retryMaxDelayMs: 20_000, reachableProbeMs: 10 });
    sink.record(hbs(2));
    const flushed = sink.flush();
    await sleep(100);
    expect(writer.calls).toHaveLength(1);
    up = true;
    const cameBack = Date.now();
    await flushed;
    expect(Date.now() - cameBack).toBeLessThan(1000);
    expect(writer.calls).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ written: 2, dropped: 0 });
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ waitedMs: expect.any(Number) }), 'InfluxDB answers again; retrying now');
    await sink.close();
  });

  it('does not ping for a backoff no longer than the probe interval', async () => {
    const writer = new FakeWriter();
    const ping = jest.spyOn(writer, 'ping');
    writer.outcomes = [new InfluxWriteError('ECONNREFUSED', undefined, undefined, undefined)];
    const sink = new InfluxSink({ writer, retryMinDelayMs: 10, retryMaxDelayMs: 10, reachableProbeMs: 1000 });
    sink.record(hbs(1));
    await sink.flush();
    expect(writer.calls).toHaveLength(2);
    expect(ping).not.toHaveBeenCalled();
    await sink.close();
  });

  it('waits out the backoff when InfluxDB answers /ping but the write got no answer (slow, not down)', async () => {
    const writer = new FakeWriter();
    writer.outcomes = [new InfluxWriteError('timeout', undefined, undefined, undefined)];
    const sink = new InfluxSink({ writer, retryMinDelayMs: 300, retryMaxDelayMs: 300, reachableProbeMs: 5 });
    const started = Date.now();
    sink.record(hbs(1));
    await sink.flush();
    // 300 ms ±20 %
    expect(Date.now() - started).toBeGreaterThanOrEqual(235);
    expect(writer.calls).toHaveLength(2);
    await sink.close();
  });

  it('413 splits the batch in two', async () => {
    const writer = new FakeWriter();
    writer.outcomes = [new InfluxWriteError('HTTP 413', 413, 'too large', undefined)];
    const sink = new InfluxSink({ writer });
    sink.record(hbs(5));
    await sink.flush();
    expect(writer.calls.map((c) => c.length)).toEqual([5, 3, 2]);
    expect(sink.stats()).toMatchObject({ written: 5, rejected: 0 });
    await sink.close();
  });

  it('gives up after maxRetries and counts the batch as dropped', async () => {
    const writer = new FakeWriter();
    writer.outcomes = Array.from({ length: 5 }, () => new InfluxWriteError('HTTP 503', 503, '', undefined));
    const sink = new InfluxSink({ writer, maxRetries: 2, retryMinDelayMs: 1 });
    sink.record(hbs(2));
    await sink.flush();
    expect(writer.calls).toHaveLength(3);
    expect(sink.stats()).toMatchObject({ dropped: 2, written: 0 });
    await sink.close();
  });

  it('close() stops retrying after its timeout and reports the unwritten points', async () => {
    const writer = new FakeWriter();
    writer.outcomes = Array.from({ length: 1000 }, () => new InfluxWriteError('down', undefined, undefined, undefined));
    const log = logger();
    const sink = new InfluxSink({ writer, logger: log, retryMinDelayMs: 5, batchSize: 2 });
    sink.record(hbs(5));
    const started = Date.now();
    await sink.close({ timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(sink.stats()).toMatchObject({ dropped: 5, written: 0, backlog: 0 });
    expect(log.error).toHaveBeenCalled();
    expect(writer.closed).toBe(true);
  });

  it('keeps order: a failing batch blocks later ones until it is written', async () => {
    const writer = new FakeWriter();
    writer.outcomes = [new InfluxWriteError('HTTP 502', 502, '', undefined)];
    const sink = new InfluxSink({ writer, batchSize: 2, retryMinDelayMs: 5 });
    sink.record(hbs(4));
    await sink.flush();
    const [first, retried, second] = writer.calls;
    expect(writer.calls).toHaveLength(3);
    expect(retried).toEqual(first);
    expect(first).toEqual([`heartbeat,station_id=CP-1 skew_ms=0 ${T0}`, `heartbeat,station_id=CP-1 skew_ms=0 ${T0 + 1}`]);
    expect(second).toEqual([`heartbeat,station_id=CP-1 skew_ms=0 ${T0 + 2}`, `heartbeat,station_id=CP-1 skew_ms=0 ${T0 + 3}`]);
    await sink.close();
  });
});

describe('firstFailingLine', () => {
  const lines = ['a,t=1 v=1 1', 'meter,t=2 v=2 2', 'b v=3 3'];
  it('finds the line 1.x quotes', () => {
    expect(firstFailingLine(lines, `{"error":"unable to parse 'b v=3 3': bad"}`)).toBe('b v=3 3');
  });
  it('finds the line number 2.x names', () => {
    expect(firstFailingLine(lines, '{"message":"partial write error: line 2: invalid"}')).toBe('meter,t=2 v=2 2');
  });
  it('finds the measurement of a field type conflict, else the first line', () => {
    expect(firstFailingLine(lines, 'field type conflict: on measurement \\"meter\\" is type')).toBe('meter,t=2 v=2 2');
    expect(firstFailingLine(lines, 'whatever')).toBe('a,t=1 v=1 1');
  });
});

describe('apiForVersion (detectApi decision table)', () => {
  it.each([
    ['1.6.7~rc0', true, 'v1'],
    ['1.7.11', true, 'v1'],
    ['1.8.10', true, 'v2'],
    ['1.8.10', false, 'v1'],
    ['v2.7.4', true, 'v2'],
    ['2.7.4', false, 'v1'],
    ['3.0.1', true, 'v2'],
    [undefined, true, 'v2'],
    [undefined, false, 'v1'],
  ] as const)('%s with org/bucket %s → %s', (version, orgBucket, api) => {
    expect(apiForVersion(version, orgBucket)).toBe(api);
  });
});
