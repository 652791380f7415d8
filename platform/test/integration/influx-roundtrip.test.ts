/**
 * The serialiser proven against the harness's real influxd 1.6.7: random strings (backslashes,
 * whitespace, newlines, quotes, %, unicode) as station ids, tag values and string fields are written
 * through the sink and read back with InfluxQL; after decodeTagValue they are exactly what went in.
 */
import fc from 'fast-check';
import type { ChargeEvent } from '@chargewatch/model';
import { influxQuery } from '@chargewatch/tools';
import { ensureInfluxDatabase } from '../../src/sinks/influx/database';
import { decodeTagValue } from '../../src/sinks/influx/line-protocol';
import { InfluxSink } from '../../src/sinks/influx/sink';
import { V1Writer } from '../../src/sinks/influx/writer';

const url = process.env.TEST_INFLUX_URL!;
/** A missing tag reads as '' in InfluxQL; empty values are left out of the point. */
const tag = (v: unknown) => decodeTagValue(v === null || v === undefined ? '' : String(v));

const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\\', ' ', '\t', '\n', '\r', '"', "'", ',', '=', '%', '%5C', 'é', '😀', '\u0001', '\u007f', 'a', 'Z', '0'),
    fc.string({ unit: 'grapheme', maxLength: 1 }),
  ),
  minLength: 1,
  maxLength: 20,
});

describe('line protocol round trip through real InfluxDB 1.6', () => {
  it('random station ids, tags and string fields come back exactly', async () => {
    const db = `cw_roundtrip_${process.pid}`;
    await ensureInfluxDatabase(url, db);
    const samples = fc.sample(fc.tuple(nasty, nasty, nasty, fc.string({ maxLength: 30 })), { numRuns: 300, seed: 42 }).filter(([id]) => id.length > 0);
    // Vendor strings like the one of issue 9: a backslash followed by a space at the end.
    samples.push(['CP\\ ', 'ACME \\ ', 'site\\', 'tech\\ ']);
    const base = Date.now() - 60_000;
    const events: ChargeEvent[] = samples.map(([stationId, vendor, site, info], i) => ({
      type: 'station.booted',
      stationId,
      time: base + i,
      receivedAt: base + i,
      vendor,
      model: site,
      firmwareVersion: info,
      serialNumber: vendor,
      reason: 'PowerUp',
      registration: 'Accepted',
    }));
    const sites = new Map(samples.map(([id, , site]) => [id, site]));
    const sink = new InfluxSink({ writer: new V1Writer({ url, api: 'v1', database: db }), stationMeta: (id) => ({ site: sites.get(id) }), flushIntervalMs: 10 });
    sink.record(events);
    await sink.flush();
    expect(sink.stats()).toMatchObject({ written: events.length, rejected: 0 });
    await sink.close();

    const rows = await influxQuery(url, db, 'SELECT * FROM "boot"');
    expect(rows).toHaveLength(events.length);
    const byTime = new Map(rows.map((r) => [Number(r.time), r]));
    for (const e of events) {
      if (e.type !== 'station.booted') throw new Error('unexpected');
      const r = byTime.get(e.time)!;
      expect({
        station_id: tag(r.station_id),
        vendor: tag(r.vendor),
        model: tag(r.model),
        site: tag(r.site),
        firmware_version: r.firmware_version,
        serial_number: r.serial_number,
      }).toEqual({
        station_id: e.stationId,
        vendor: e.vendor,
        model: e.model,
        site: sites.get(e.stationId),
        firmware_version: e.firmwareVersion,
        serial_number: e.serialNumber,
      });
    }
    // Ids differing only by trailing backslash, space or newline are distinct series.
    const ids = await influxQuery(url, db, 'SHOW TAG VALUES FROM "boot" WITH KEY = "station_id"');
    expect(new Set(ids.map((r) => decodeTagValue(String(r.value))))).toEqual(new Set(samples.map(([id]) => id)));
  });
});
