/**
 * Refused lines never vanish: the sink splits a refused batch until each bad line is alone, dead-letters
 * it with InfluxDB's reason before the batch counts as done, and waits while the dead-letter store is
 * full. The fake server answers like influxd 1.6.7 (stores the good lines of a partial write, quotes
 * unparsable lines, names only the first type conflict).
 */
import { DeadLetterFullError, InfluxSink, type RejectedLine } from '../../../src/sinks/influx/sink';
import { InfluxWriteError, type InfluxWriter } from '../../../src/sinks/influx/writer';
import { parseWriteError } from '../../../src/sinks/influx/write-errors';

/** Lines containing BADPARSE are unparsable, BADTYPE a type conflict; the rest are stored. */
class Influx16 implements InfluxWriter {
  readonly api = 'v1' as const;
  stored = new Map<string, number>();
  requests = 0;
  async write(lines: string[]): Promise<void> {
    this.requests++;
    const unparsable = lines.filter((l) => l.includes('BADPARSE'));
    const conflicts = lines.filter((l) => l.includes('BADTYPE'));
    for (const l of lines) if (!unparsable.includes(l) && !conflicts.includes(l)) this.stored.set(l, (this.stored.get(l) ?? 0) + 1);
    if (!unparsable.length && !conflicts.length) return;
    const partial = unparsable.length + conflicts.length < lines.length;
    const msg = conflicts.length
      ? `field type conflict: input field "v" on measurement "m" is type string, already exists as type float dropped=${conflicts.length}`
      : `${unparsable.map((l) => `unable to parse '${l}': invalid tag format`).join('\n')}${partial ? ' dropped=0' : ''}`;
    throw new InfluxWriteError('HTTP 400', 400, JSON.stringify({ error: `${partial ? 'partial write: ' : ''}${msg}` }), undefined);
  }
  async ping() {
    return true;
  }
  async close() {}
}

class MemoryDeadLetters {
  items: RejectedLine[] = [];
  constructor(public room = Infinity) {}
  async add(items: RejectedLine[]): Promise<void> {
    if (this.items.length + items.length > this.room) throw new DeadLetterFullError(this.items.length, this.room);
    this.items.push(...items);
  }
}

const line = (i: number, tag = '') => `m,t=${i}${tag} v=${i} ${1000 + i}`;
const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn() });

describe('InfluxSink: refused lines', () => {
  it('finds exactly the bad lines of a refused batch; every line ends written or dead-lettered, once', async () => {
    const writer = new Influx16();
    const deadLetters = new MemoryDeadLetters();
    const counted = { written: 0, rejected: 0 };
    const sink = new InfluxSink({
      writer,
      deadLetters,
      logger: logger(),
      batchSize: 1000,
      metrics: { pointsWritten: (n) => (counted.written += n), rejected: (n) => (counted.rejected += n), writeFailed() {}, writeDuration() {}, backlog() {} },
    });
    const lines = Array.from({ length: 64 }, (_x, i) => line(i, i % 9 === 4 ? 'BADPARSE' : i % 13 === 7 ? 'BADTYPE' : ''));
    const bad = lines.filter((l) => l.includes('BAD'));
    sink.enqueue(lines);
    await sink.flush();
    expect(deadLetters.items.map((d) => d.line).sort()).toEqual([...bad].sort());
    expect(new Set(writer.stored.keys())).toEqual(new Set(lines.filter((l) => !l.includes('BAD'))));
    expect(counted).toEqual({ written: lines.length - bad.length, rejected: bad.length });
    expect(sink.stats()).toMatchObject({ written: lines.length - bad.length, rejected: bad.length, dropped: 0 });
    const reasons = new Map(deadLetters.items.map((d) => [d.line, d.reason]));
    expect(reasons.get(line(4, 'BADPARSE'))).toBe('HTTP 400: unable to parse: invalid tag format');
    expect(reasons.get(line(7, 'BADTYPE'))).toMatch(/^HTTP 400: partial write: field type conflict|^HTTP 400: field type conflict/);
    await sink.close();
  });

  it('while the dead-letter store is full it waits (flush does not resolve), counts it, and goes on when there is room', async () => {
    const writer = new Influx16();
    const deadLetters = new MemoryDeadLetters(0);
    const full = { n: 0 };
    const sink = new InfluxSink({
      writer,
      deadLetters,
      logger: logger(),
      retryMinDelayMs: 5,
      retryMaxDelayMs: 10,
      metrics: { deadLetterFull: (n) => (full.n += n), pointsWritten() {}, rejected() {}, writeFailed() {}, writeDuration() {}, backlog() {} },
    });
    sink.enqueue([line(1), line(2, 'BADPARSE')]);
    let flushed = false;
    const flushing = sink.flush().then(() => (flushed = true));
    await new Promise((r) => setTimeout(r, 60));
    expect(flushed).toBe(false);
    expect(full.n).toBeGreaterThan(1);
    expect(sink.stats().deadLetterFull).toBe(full.n);
    deadLetters.room = 10;
    await flushing;
    expect(deadLetters.items.map((d) => d.line)).toEqual([line(2, 'BADPARSE')]);
    expect(sink.stats()).toMatchObject({ rejected: 1, written: 1, dropped: 0 });
    await sink.close();
  });

  it('closing while the store is full drops nothing silently: the unsettled lines count as dropped', async () => {
    const sink = new InfluxSink({ writer: new Influx16(), deadLetters: new MemoryDeadLetters(0), logger: logger(), retryMinDelayMs: 5, retryMaxDelayMs: 10 });
    sink.enqueue([line(1, 'BADPARSE')]);
    await sink.close({ timeoutMs: 50 });
    expect(sink.stats()).toMatchObject({ rejected: 0, dropped: 1 });
  });
});

describe('parseWriteError', () => {
  it('1.x: quoted unparsable lines, partial write, dropped=N', () => {
    const info = parseWriteError(
      `{"error":"partial write: unable to parse 'a,t=x\\\\ v=2 1': invalid tag format\\nunable to parse 'a,t=y': it's ': odd v=4 3': missing fields dropped=0"}`,
    );
    expect(info).toMatchObject({ partial: true, dropped: 0 });
    expect(info.unparsable).toEqual([
      { line: 'a,t=x\\ v=2 1', reason: 'invalid tag format' },
      { line: "a,t=y': it's ': odd v=4 3", reason: 'missing fields' },
    ]);
  });

  it('1.x: type conflict without a line', () => {
    const info = parseWriteError('{"error":"partial write: field type conflict: input field \\"v\\" on measurement \\"b\\" is type string, already exists as type float dropped=2"}');
    expect(info).toMatchObject({ partial: true, dropped: 2, unparsable: [], lineNumbers: [] });
  });

  it('2.x: JSON code/message with line numbers', () => {
    const info = parseWriteError('{"code":"invalid","message":"failed to parse line protocol: errors encountered on line(s):\\nline 2: invalid field format\\nline 5: missing tag value"}');
    expect(info).toMatchObject({ partial: false, lineNumbers: [2, 5] });
    expect(info.message).toMatch(/^failed to parse line protocol/);
  });

  it('3.x: data array; a non-JSON body is the message', () => {
    expect(parseWriteError('{"error":"partial write of line protocol occurred","data":[{"original_line":"x","line_number":3,"error_message":"bad"}]}')).toMatchObject({
      lineNumbers: [3],
      unparsable: [{ line: 'x', reason: 'bad' }],
    });
    expect(parseWriteError('<html>Bad Request</html>')).toMatchObject({ message: '<html>Bad Request</html>', unparsable: [], lineNumbers: [] });
  });
});
