/**
 * The Prometheus metrics of the event path that any process may host: the journal's consumer groups
 * (lag, oldest unhandled age, handled and unreadable entries) and the InfluxDB writer. The collector
 * and the worker register the same names, so dashboards and alerts read one set wherever the InfluxDB
 * writer runs (INFLUX_WRITER). Labels are consumer names only: a handful, fixed by JOURNAL_CONSUMERS.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { InfluxSinkMetrics } from '../sinks/influx/sink-types';
import type { JournalConsumerStats, RedisJournal } from './redis-journal';

export class JournalMetrics {
  readonly consumerLag: Gauge<'consumer'>;
  readonly consumerOldestAge: Gauge<'consumer'>;
  readonly consumerHandled: Counter<'consumer'>;
  readonly consumerUnreadable: Counter<'consumer'>;
  readonly entries: Gauge<string>;
  readonly influxPointsWritten: Counter<string>;
  readonly influxWriteFailures: Counter<string>;
  readonly influxPointsRejected: Counter<string>;
  readonly influxDeadLetterFull: Counter<string>;
  readonly influxWriteDuration: Histogram<string>;
  readonly influxBacklog: Gauge<string>;
  readonly influxBacklogAge: Gauge<string>;
  private deadLetterCount?: () => Promise<number>;
  /** The local InfluxDB sink's oldest buffered point, seconds; 0 where no sink runs. */
  private sinkOldestAge: () => number = () => 0;

  constructor(r: Registry) {
    this.consumerLag = new Gauge({ name: 'chargewatch_journal_consumer_lag_entries', help: 'Journal entries a consumer group has not handled yet (delivered and unacknowledged, or not yet delivered)', labelNames: ['consumer'], registers: [r] });
    this.consumerOldestAge = new Gauge({ name: 'chargewatch_journal_consumer_oldest_age_seconds', help: 'Age of the oldest journal entry a consumer group has not handled yet (0 when it is up to date)', labelNames: ['consumer'], registers: [r] });
    this.consumerHandled = new Counter({ name: 'chargewatch_journal_consumer_handled_total', help: 'Journal entries a consumer of this process handled durably and acknowledged', labelNames: ['consumer'], registers: [r] });
    this.consumerUnreadable = new Counter({ name: 'chargewatch_journal_consumer_unreadable_total', help: 'Journal entries a consumer of this process could not read (a newer format) and left unacknowledged', labelNames: ['consumer'], registers: [r] });
    this.entries = new Gauge({ name: 'chargewatch_journal_entries', help: 'Journal entries not yet handled by every registered consumer (the journal is trimmed past the slowest)', registers: [r] });
    const metrics = this;
    new Gauge({
      name: 'chargewatch_influx_deadletters',
      help: 'Lines in the dead-letter stream: refused by InfluxDB, kept with the reason (GET /api/v1/deadletters/influx)',
      registers: [r],
      async collect() {
        // Read at scrape time; Redis down leaves the last value rather than failing the scrape.
        const n = await metrics.deadLetterCount?.().catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
    this.influxDeadLetterFull = new Counter({ name: 'chargewatch_influx_deadletter_full_total', help: 'Refused lines that had to wait because the dead-letter stream was at INFLUX_DEADLETTER_MAX (the journal is not acknowledged meanwhile)', registers: [r] });
    this.influxPointsWritten = new Counter({ name: 'chargewatch_influx_points_written_total', help: 'Points accepted by InfluxDB', registers: [r] });
    this.influxWriteFailures = new Counter({ name: 'chargewatch_influx_write_failures_total', help: 'Failed InfluxDB write attempts', registers: [r] });
    this.influxPointsRejected = new Counter({ name: 'chargewatch_influx_points_rejected_total', help: 'Points InfluxDB refused for good (4xx, exact per line); each went to the dead-letter stream with the reason', registers: [r] });
    this.influxWriteDuration = new Histogram({ name: 'chargewatch_influx_write_duration_seconds', help: 'Duration of one InfluxDB batch write', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [r] });
    this.influxBacklog = new Gauge({ name: 'chargewatch_influx_backlog_points', help: 'Points buffered by this process\'s InfluxDB writer, not yet written', registers: [r] });
    this.influxBacklogAge = new Gauge({ name: 'chargewatch_influx_backlog_oldest_age_seconds', help: 'Age of the oldest acknowledged event not yet in InfluxDB (journal or writer buffer)', registers: [r] });
  }

  /** Where the chargewatch_influx_deadletters gauge reads the dead-letter stream's length. */
  watchDeadLetters(count: () => Promise<number>): void {
    this.deadLetterCount = count;
  }

  /** The hooks an InfluxSink reports through. */
  sinkMetrics(): InfluxSinkMetrics {
    return {
      pointsWritten: (n) => this.influxPointsWritten.inc(n),
      writeFailed: () => this.influxWriteFailures.inc(),
      writeDuration: (s) => this.influxWriteDuration.observe(s),
      backlog: (points, age) => {
        this.influxBacklog.set(points);
        this.influxBacklogAge.set(age);
      },
      rejected: (n) => this.influxPointsRejected.inc(n),
      deadLetterFull: (n) => this.influxDeadLetterFull.inc(n),
    };
  }

  /** Ties the backlog age to the local sink too, so the gauge covers a point buffered after its entry was read. */
  watchSink(oldestAgeSeconds: () => number): void {
    this.sinkOldestAge = oldestAgeSeconds;
  }

  /** Reads the journal's state into the gauges (the collector polls this every few seconds). */
  async poll(journal: RedisJournal): Promise<JournalConsumerStats[]> {
    const backlog = await journal.backlog();
    const stats = await journal.consumerStats(backlog);
    this.entries.set(backlog.entries);
    for (const s of stats) {
      this.consumerLag.set({ consumer: s.consumer }, s.lag);
      this.consumerOldestAge.set({ consumer: s.consumer }, s.oldestAgeSeconds);
    }
    const influx = stats.find((s) => s.consumer === 'influx');
    this.influxBacklogAge.set(Math.max(influx?.oldestAgeSeconds ?? backlog.oldestAgeSeconds, this.sinkOldestAge()));
    return stats;
  }
}
