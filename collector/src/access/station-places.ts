/**
 * Site and time zone of each station, as the authorizer needs them: read from the station metadata in
 * Redis once, then from memory until the metadata changes (the collector forwards the `meta` channel).
 */
import type { StationStore } from '@chargewatch/platform';
import type { StationPlace } from './registry-authorizer';

const MAX_STATIONS = 200_000;

export class StationPlaces {
  private readonly known = new Map<string, StationPlace>();

  constructor(private readonly store: Pick<StationStore, 'getMetadata'>) {}

  place(stationId: string): StationPlace | Promise<StationPlace> {
    return this.known.get(stationId) ?? this.load(stationId);
  }

  forget(stationId: string): void {
    this.known.delete(stationId);
  }

  private async load(stationId: string): Promise<StationPlace> {
    const meta = await this.store.getMetadata(stationId);
    const place: StationPlace = {};
    if (meta.site !== undefined) place.siteId = meta.site;
    if (meta.timeZone !== undefined) place.timeZone = meta.timeZone;
    if (this.known.size >= MAX_STATIONS) this.known.clear();
    this.known.set(stationId, place);
    return place;
  }
}
