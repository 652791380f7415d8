import {
  DEFAULT_MEASURAND,
  MAX_TIMESTAMP_AGE_MS,
  MAX_TIMESTAMP_LEAD_MS,
  isEnergyRegister,
  normaliseSampledValue,
  parseMeterNumber,
  parseStationTime,
} from '../../../src/ocpp/adapters/units';

const NOW = Date.parse('2025-03-14T10:00:00.000Z');

function rpcCodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { rpcErrorCode?: string }).rpcErrorCode;
  }
  return undefined;
}

describe('parseMeterNumber', () => {
  it.each([
    ['12.345', 12.345],
    ['-3', -3],
    [' 42 ', 42],
    ['1e3', 1000],
    ['.5', 0.5],
    [17.25, 17.25],
  ])('parses %p', (input, expected) => {
    expect(parseMeterNumber(input)).toBe(expected);
  });

  it.each(['NaN', 'abc', '', '   ', '0x1F', 'Infinity', '12,5', '1.2.3'])('refuses %p', (input) => {
    expect(rpcCodeOf(() => parseMeterNumber(input))).toBe('PropertyConstraintViolation');
  });

  it.each([NaN, Infinity, -Infinity])('refuses the number %p', (input) => {
    expect(rpcCodeOf(() => parseMeterNumber(input))).toBe('PropertyConstraintViolation');
  });
});

describe('readings that overflow to Infinity', () => {
  it.each(['1e400', '-1e400', '1' + '0'.repeat(400), '1.5E+309'])('refuses the 1.6 text %p', (value) => {
    expect(rpcCodeOf(() => normaliseSampledValue({ value, measurand: 'Voltage' }))).toBe('PropertyConstraintViolation');
  });

  it.each([
    [{ value: '1e306', unit: 'kWh' }],
    [{ value: 1e306, unit: 'kW' }],
    [{ value: 1e300, unit: 'Wh', multiplier: 9 }],
    [{ value: -1e300, unit: 'W', multiplier: 9 }],
    [{ value: 1e306, unit: 'K', multiplier: 3 }],
  ])('refuses a finite value that overflows when scaled: %j', (raw) => {
    expect(rpcCodeOf(() => normaliseSampledValue({ measurand: 'Power.Active.Import', ...raw }))).toBe('PropertyConstraintViolation');
  });

  it('keeps the largest values that still fit', () => {
    expect(normaliseSampledValue({ value: '1e300', unit: 'kWh' }).value).toBe(1e303);
  });
});

describe('normaliseSampledValue', () => {
  it.each([
    ['kWh', '12.345', 12345, 'Wh'],
    ['kvarh', '0.251', 251, 'varh'],
    ['kVAh', '2', 2000, 'VAh'],
    ['kW', '11.04', 11040, 'W'],
    ['kvar', '1.5', 1500, 'var'],
    ['kVA', '22', 22000, 'VA'],
    ['K', '311.15', 38, 'Celsius'],
    ['Fahrenheit', '98.6', 37, 'Celsius'],
    ['Celcius', '21.5', 21.5, 'Celsius'],
    ['Celsius', '21.5', 21.5, 'Celsius'],
    ['Wh', '1228712', 1228712, 'Wh'],
    ['A', '16.1', 16.1, 'A'],
    ['Percent', '57', 57, 'Percent'],
  ])('converts %s to base units', (unit, value, expected, base) => {
    const sample = normaliseSampledValue({ value, unit, measurand: 'Voltage' });
    expect(sample.value).toBe(expected);
    expect(sample.unit).toBe(base);
  });

  it('applies the 2.0.1 multiplier as a power of ten, together with the unit prefix', () => {
    expect(normaliseSampledValue({ value: 2201, unit: 'W', multiplier: 1 })).toMatchObject({ value: 22010, unit: 'W' });
    expect(normaliseSampledValue({ value: 1250, unit: 'varh', multiplier: -1 })).toMatchObject({ value: 125, unit: 'varh' });
    expect(normaliseSampledValue({ value: 1234, unit: 'kWh', multiplier: -3 })).toMatchObject({ value: 1234, unit: 'Wh' });
    expect(normaliseSampledValue({ value: 3000, unit: 'K', multiplier: -1 })).toMatchObject({ value: 26.85, unit: 'Celsius' });
  });

  it('keeps units it does not know, scaled by the multiplier', () => {
    expect(normaliseSampledValue({ value: 5, unit: 'Hz', multiplier: 1, measurand: 'Frequency' })).toMatchObject({
      value: 50,
      unit: 'Hz',
    });
  });

  it('defaults the measurand to the import register in Wh, as both specs do', () => {
    expect(normaliseSampledValue({ value: '12530' })).toEqual({ measurand: DEFAULT_MEASURAND, value: 12530, unit: 'Wh' });
  });

  it.each([
    ['SoC', 'Percent'],
    ['Voltage', 'V'],
    ['Current.Import', 'A'],
    ['Power.Active.Import', 'W'],
    ['Power.Reactive.Import', 'var'],
    ['Energy.Reactive.Import.Register', 'varh'],
    ['Frequency', 'Hz'],
    ['Temperature', 'Celsius'],
  ])('assumes the natural unit of %s when the station omits it', (measurand, unit) => {
    expect(normaliseSampledValue({ value: '1', measurand }).unit).toBe(unit);
  });

  it('keeps measurand, phase, location and context', () => {
    expect(
      normaliseSampledValue({
        value: '16.1',
        unit: 'A',
        measurand: 'Current.Import',
        phase: 'L1',
        location: 'Outlet',
        context: 'Sample.Clock',
      }),
    ).toEqual({ measurand: 'Current.Import', value: 16.1, unit: 'A', phase: 'L1', location: 'Outlet', context: 'Sample.Clock' });
  });

  it('refuses a value that is not a number', () => {
    expect(rpcCodeOf(() => normaliseSampledValue({ value: 'NaN', unit: 'Wh' }))).toBe('PropertyConstraintViolation');
  });

  it('refuses a negative energy register but accepts negative power and net energy', () => {
    expect(rpcCodeOf(() => normaliseSampledValue({ value: '-1', unit: 'kWh' }))).toBe('PropertyConstraintViolation');
    expect(
      rpcCodeOf(() => normaliseSampledValue({ value: -5, measurand: 'Energy.Reactive.Export.Register' })),
    ).toBe('PropertyConstraintViolation');
    expect(normaliseSampledValue({ value: '-7.4', unit: 'kW', measurand: 'Power.Active.Import' }).value).toBe(-7400);
    expect(normaliseSampledValue({ value: -12, measurand: 'Energy.Active.Net' }).value).toBe(-12);
  });

  it('classifies registers', () => {
    expect(isEnergyRegister('Energy.Active.Export.Register')).toBe(true);
    expect(isEnergyRegister('Energy.Apparent.Import')).toBe(true);
    expect(isEnergyRegister('Energy.Active.Import.Interval')).toBe(false);
    expect(isEnergyRegister('Energy.Active.Net')).toBe(false);
  });
});

describe('parseStationTime', () => {
  it('parses UTC and offset timestamps with fractions', () => {
    expect(parseStationTime('2025-03-14T09:59:58.512Z', NOW)).toBe(NOW - 1488);
    expect(parseStationTime('2025-03-14T10:30:00+01:00', NOW)).toBe(NOW - 30 * 60_000);
  });

  it('accepts the limits themselves', () => {
    expect(parseStationTime(new Date(NOW - MAX_TIMESTAMP_AGE_MS).toISOString(), NOW)).toBe(NOW - MAX_TIMESTAMP_AGE_MS);
    expect(parseStationTime(new Date(NOW + MAX_TIMESTAMP_LEAD_MS).toISOString(), NOW)).toBe(NOW + MAX_TIMESTAMP_LEAD_MS);
  });

  it('refuses timestamps outside one year back and one day ahead', () => {
    expect(rpcCodeOf(() => parseStationTime('2020-03-14T10:00:00Z', NOW))).toBe('PropertyConstraintViolation');
    expect(rpcCodeOf(() => parseStationTime(new Date(NOW - MAX_TIMESTAMP_AGE_MS - 1).toISOString(), NOW))).toBe(
      'PropertyConstraintViolation',
    );
    expect(rpcCodeOf(() => parseStationTime(new Date(NOW + MAX_TIMESTAMP_LEAD_MS + 1).toISOString(), NOW))).toBe(
      'PropertyConstraintViolation',
    );
  });

  it.each(['yesterday', '2025-03-14 10:00:00Z', '2025-03-14T10:00:00', '2025-02-30T10:00:00Z', '2025-13-01T00:00:00Z'])(
    'refuses the malformed %p as a format violation',
    (text) => {
      expect(rpcCodeOf(() => parseStationTime(text, NOW))).toBe('FormatViolation');
    },
  );
});
