/**
 * The direct rendering of meter samples (meter-lines.ts) is an optimisation only: for any meter sample
 * and any station context it must give exactly the lines the general point builders give, in order.
 */
import fc from 'fast-check';
import type { ChargeEvent, StationContext } from '@chargewatch/model';
import { linesByBuilders, toLines } from '../../../src/sinks/influx/points';

type MeterSample = Extract<ChargeEvent, { type: 'meter.sample' }>;

const nasty = fc.string({
  unit: fc.oneof(fc.constantFrom('\\', ' ', '\n', '"', ',', '=', '%', 'é', '😀', '\u0000', 'a', 'Z', '0'), fc.string({ unit: 'grapheme', maxLength: 1 })),
  maxLength: 12,
});
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e21, 5e-324, Number.NaN, Number.POSITIVE_INFINITY));

const sampledValue = fc.record(
  { measurand: fc.oneof(nasty, fc.constantFrom('Energy.Active.Import.Register', 'Voltage')), value: number, unit: fc.oneof(nasty, fc.constantFrom('Wh', 'V')), phase: nasty, location: nasty, context: nasty },
  { requiredKeys: ['measurand', 'value'] },
);

const meterSample: fc.Arbitrary<MeterSample> = fc
  .record({
    stationId: nasty,
    time: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: 0, max: 4e12, noNaN: true })),
    evseId: maybe(fc.integer({ min: 0, max: 99 })),
    connectorId: maybe(fc.integer({ min: 0, max: 99 })),
    transactionId: maybe(nasty),
    context: maybe(nasty),
    values: fc.array(sampledValue, { maxLength: 10 }),
  })
  .map((e) => ({ type: 'meter.sample', receivedAt: e.time, ...e }) as MeterSample);

const context: fc.Arbitrary<StationContext | undefined> = maybe(fc.record({ site: nasty, tags: fc.dictionary(nasty, nasty, { maxKeys: 4 }) }, { requiredKeys: [] }));

describe('meter sample lines', () => {
  it('equal the point builders’ lines for any sample and station context', () => {
    fc.assert(
      fc.property(meterSample, context, (event, meta) => {
        expect(toLines(event, meta)).toEqual(linesByBuilders(event, meta));
      }),
      { numRuns: 2000 },
    );
  });

  it('render a typical three-phase sample as one sorted line per value', () => {
    const event: MeterSample = {
      type: 'meter.sample',
      stationId: 'CP 1',
      time: 1_700_000_000_000,
      receivedAt: 1_700_000_000_000,
      evseId: 1,
      connectorId: 1,
      transactionId: '42',
      context: 'Sample.Periodic',
      values: [
        { measurand: 'Voltage', value: 230.9, unit: 'V', phase: 'L1-N', location: 'Outlet' },
        { measurand: 'SoC', value: Number.NaN, unit: 'Percent' },
      ],
    };
    expect(toLines(event, { site: 'quay', tags: { Region: 'north' } })).toEqual([
      'meter,connector=1,context=Sample.Periodic,evse=1,location=Outlet,measurand=Voltage,phase=L1-N,site=quay,station_id=CP\\ 1,tag_region=north transaction_id="42",unit="V",value=230.9 1700000000000',
    ]);
  });
});
