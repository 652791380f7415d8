/**
 * How the worker makes a sweep's closes durable: the same journal lines the collector would append for
 * them (tagged with the station's site and tags, as every point is), so InfluxDB and every journal
 * consumer see a worker's close exactly like a collector's. Collectors' Prometheus state learns of the
 * close from the shared state at its next open-transaction reconcile.
 */
import type { ChargeEvent } from '@chargewatch/model';
import { toLines, type Logger, type RedisJournal, type StationMeta, type StationStore } from '@chargewatch/platform';

export function journalCloses(store: StationStore, journal: RedisJournal, logger: Logger): (events: ChargeEvent[]) => Promise<void> {
  return async (events) => {
    const meta = new Map<string, StationMeta>();
    for (const id of new Set(events.map((e) => e.stationId))) {
      const m = await store.getMetadata(id);
      meta.set(id, { site: m.site, tags: m.tags });
    }
    const lines: string[] = [];
    for (const event of events) {
      try {
        lines.push(...toLines(event, meta.get(event.stationId)));
      } catch (err) {
        logger.error({ err, stationId: event.stationId, eventType: event.type }, 'cannot map event to InfluxDB points');
      }
    }
    await journal.append(lines);
  };
}
