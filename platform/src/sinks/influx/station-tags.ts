/**
 * The tags every point of a station carries: `station_id`, `site` and `tag_<key>` from the operator's
 * metadata (docs/data-model.md, section InfluxDB). Shared by the general point mapping (points.ts) and
 * the meter samples' direct rendering (meter-lines.ts).
 */
import type { StationContext } from '@chargewatch/model';
import { encodeTagValue } from './line-protocol';

/** `tag_` + the key lowercased, every character outside [a-z0-9_] replaced by `_`; undefined when empty. */
export function metaTagKey(key: string): string | undefined {
  const k = key.trim().toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return k.length > 0 ? `tag_${k}` : undefined;
}

/**
 * station_id, site and tag_<key>, encoded once per event and shared by its points. Tag values are never
 * trimmed or cleaned: encodeTagValue makes every value representable (line-protocol.ts).
 */
export function commonTags(stationId: string, meta: StationContext | undefined): Array<[string, string]> {
  const tags: Array<[string, string]> = [];
  const add = (k: string, v: string) => {
    if (v.length > 0) tags.push([k, encodeTagValue(v)]);
  };
  add('station_id', stationId);
  if (meta?.site) add('site', meta.site);
  if (meta?.tags) {
    for (const [key, value] of Object.entries(meta.tags)) {
      const tagKey = metaTagKey(key);
      if (tagKey && typeof value === 'string') add(tagKey, value);
    }
  }
  return tags;
}
