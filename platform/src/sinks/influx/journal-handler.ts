/**
 * The journal's `influx` consumer: maps each entry's events to line protocol with the station context
 * stored in the entry, queues them on the InfluxDB sink and resolves once every line is settled —
 * accepted by InfluxDB (the sink retries through outages) or durably in the dead-letter stream (the sink
 * waits while that is full). Writing an entry twice is an overwrite in InfluxDB (same measurement, tags
 * and time), so a redelivered entry is harmless.
 */
import { JOURNAL_CONSUMERS } from '@chargewatch/model';
import type { JournalEntry, JournalHandler } from '../../journal/journal-consumer';
import { toLines } from './points';
import type { SinkLogger } from './sink-types';
import type { InfluxSink } from './sink';

/** The line protocol of journal entries: events mapped with their stored station context, old entries as they are. */
export function entriesToLines(entries: JournalEntry[], log: SinkLogger): string[] {
  const lines: string[] = [];
  for (const { id, entry } of entries) {
    if (entry.kind === 'lines') {
      for (const line of entry.lines) lines.push(line);
      continue;
    }
    for (const event of entry.events) {
      try {
        for (const line of toLines(event, entry.stations[event.stationId])) lines.push(line);
      } catch (err) {
        // An event the mapping cannot express stays in no store but this log line: counted, not retried for ever.
        log.error({ err, entryId: id, stationId: event.stationId, eventType: event.type }, 'cannot map event to InfluxDB points');
      }
    }
  }
  return lines;
}

export function influxJournalHandler(sink: InfluxSink, log: SinkLogger): JournalHandler {
  return {
    group: JOURNAL_CONSUMERS.influx,
    async handle(entries) {
      const lines = entriesToLines(entries, log);
      // The events are already durable in the journal, so they bypass the sink's backpressure check.
      const droppedBefore = sink.stats().dropped;
      sink.enqueue(lines, entries.length, true);
      await sink.flush();
      // A sink closed mid-write (shutdown during an outage) gives up on lines: they must stay in the journal.
      if (sink.stats().dropped !== droppedBefore) throw new Error('InfluxDB sink gave up on a batch; entries stay in the journal');
    },
  };
}
