/**
 * The event journal's entry format, shared by every process that appends to it or consumes it.
 *
 * One entry of the Redis stream `journal` (keys.ts) is a versioned batch of events: fields
 * `v` (format version, "1") and `b` (JSON `{ "e": ChargeEvent[], "s": { stationId: StationContext } }`).
 * `s` is the operator metadata of the batch's stations as the appender knew it, so a consumer that
 * replays an entry an hour later tags it as it would have then (and needs no lookup of its own).
 *
 * Entries written before this format held InfluxDB line protocol (`l`, lines joined by "\n", or `j`, a
 * JSON array of lines); they decode as `lines` so an upgraded InfluxDB consumer still writes what an
 * older collector acknowledged, and other consumers skip them (they predate those consumers).
 *
 * A consumer identifies an event by its entry id and position (`eventKey`): the same event read twice
 * (a redelivery after a crash, a claim from a stalled consumer) has the same key, which is what makes
 * replays idempotent per consumer.
 */
import type { ChargeEvent } from './events';

export const JOURNAL_FORMAT_VERSION = 1;

/** The consumer groups of the journal, one per consumer. Each acknowledges only what it has durably handled. */
export const JOURNAL_CONSUMERS = {
  /** Writes every event to InfluxDB (the collector's or the worker's, INFLUX_WRITER). */
  influx: 'influx',
  /** Moves firmware updates along from statuses, boots and closes; records versions and maintenance (worker). */
  firmware: 'firmware',
  /** Judges authorizations, sessions, statuses and security events by the misuse rules; stores incidents (worker). */
  misuse: 'misuse',
  /** Keeps one charging-session row per transaction in PostgreSQL, linked to its registry token (worker). */
  sessions: 'sessions',
} as const;

export type JournalConsumerName = (typeof JOURNAL_CONSUMERS)[keyof typeof JOURNAL_CONSUMERS];

/** What the appender knew of a station: its site and operator tags. */
export interface StationContext {
  site?: string;
  tags?: Record<string, string>;
}

export interface JournalBatch {
  events: ChargeEvent[];
  stations: Record<string, StationContext>;
}

export type DecodedJournalEntry =
  | ({ kind: 'events'; version: number } & JournalBatch)
  /** An entry of the format before version 1: InfluxDB line protocol. */
  | { kind: 'lines'; lines: string[] }
  /** Deleted while pending (XREADGROUP returns no fields): nothing to handle, only to acknowledge. */
  | { kind: 'deleted' }
  /** A newer format, or a damaged entry: a consumer leaves it unacknowledged and reports it. */
  | { kind: 'unreadable'; reason: string };

/** The stream fields of one entry. */
export function encodeJournalEntry(batch: JournalBatch): string[] {
  return ['v', String(JOURNAL_FORMAT_VERSION), 'b', JSON.stringify({ e: batch.events, s: batch.stations })];
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

export function decodeJournalEntry(fields: string[] | null | undefined): DecodedJournalEntry {
  if (!fields || fields.length === 0) return { kind: 'deleted' };
  const version = field(fields, 'v');
  if (version === undefined) {
    const joined = field(fields, 'l');
    if (joined !== undefined) return { kind: 'lines', lines: joined ? joined.split('\n') : [] };
    const json = field(fields, 'j');
    if (json !== undefined) {
      try {
        const lines: unknown = JSON.parse(json);
        if (Array.isArray(lines) && lines.every((l) => typeof l === 'string')) return { kind: 'lines', lines };
      } catch {
        // falls through to unreadable
      }
      return { kind: 'unreadable', reason: 'line-protocol entry whose `j` field is not a JSON array of strings' };
    }
    return { kind: 'unreadable', reason: 'entry without a format version' };
  }
  if (version !== String(JOURNAL_FORMAT_VERSION)) return { kind: 'unreadable', reason: `journal format version ${version} is not known to this process (it reads ${JOURNAL_FORMAT_VERSION})` };
  let body: unknown;
  try {
    body = JSON.parse(field(fields, 'b') ?? '');
  } catch {
    return { kind: 'unreadable', reason: 'batch is not JSON' };
  }
  const b = body as { e?: unknown; s?: unknown };
  if (typeof b !== 'object' || b === null || !Array.isArray(b.e) || typeof b.s !== 'object' || b.s === null) {
    return { kind: 'unreadable', reason: 'batch lacks its events or stations' };
  }
  return { kind: 'events', version: JOURNAL_FORMAT_VERSION, events: b.e as ChargeEvent[], stations: b.s as Record<string, StationContext> };
}

/** The stable identity of the `index`-th event of entry `entryId`: the same on every redelivery. */
export function eventKey(entryId: string, index: number): string {
  return `${entryId}/${index}`;
}

/**
 * Orders two event keys as the journal orders their events (stream id `ms-seq`, then position), for
 * consumers that remember the last event they applied: negative when `a` came first.
 */
export function compareEventKeys(a: string, b: string): number {
  const parse = (k: string): [number, number, number] => {
    const [entry = '', index = '0'] = k.split('/');
    const [ms = '0', seq = '0'] = entry.split('-');
    return [Number(ms), Number(seq), Number(index)];
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return 0;
}
