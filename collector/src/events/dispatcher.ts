/**
 * Hands each call's events to every sink before the station gets its answer.
 *
 * Order matters: Redis state first (the next call from the same station may need it, e.g. a 1.6
 * StopTransaction looking up its connector), then InfluxDB (enqueue only, so a slow InfluxDB never
 * holds a handler open; a full buffer throws and the station is told to retry), then Prometheus.
 */
import type { ChargeEvent } from '@chargewatch/model';

export interface EventSink {
  readonly name: string;
  record(events: ChargeEvent[]): void | Promise<void>;
}

export class EventDispatcher {
  constructor(private readonly sinks: EventSink[]) {}

  async record(events: ChargeEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const sink of this.sinks) await sink.record(events);
  }
}
