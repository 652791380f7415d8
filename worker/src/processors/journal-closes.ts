/**
 * How the worker makes a sweep's closes durable: the same journal batches the collector appends for
 * them, with the station's site and tags, so InfluxDB and every journal consumer see a worker's close
 * exactly like a collector's. Collectors' Prometheus state learns of the close from the shared state at
 * its next open-transaction reconcile.
 */
import type { ChargeEvent, StationContext } from '@chargewatch/model';
import type { RedisJournal, StationStore } from '@chargewatch/platform';

/**
 * `contexts` is what the worker's journal reads each batch's station context from (its
 * `stationContext` option); it is filled for the batch and emptied once the batch is stored.
 */
export function journalCloses(store: StationStore, journal: RedisJournal, contexts: Map<string, StationContext>): (events: ChargeEvent[]) => Promise<void> {
  return async (events) => {
    const ids = [...new Set(events.map((e) => e.stationId))];
    for (const id of ids) {
      const m = await store.getMetadata(id);
      contexts.set(id, { site: m.site, tags: m.tags });
    }
    try {
      await journal.append(events);
    } finally {
      for (const id of ids) contexts.delete(id);
    }
  };
}
