import { formatDuration, formatEnergy, formatInt, formatPercent, formatTime, formatAgo } from './format';

describe('format', () => {
  it('formats numbers for KPIs', () => {
    expect(formatInt(12034)).toBe('12,034');
    expect(formatInt(undefined)).toBe('–');
    expect(formatPercent(0.97314)).toBe('97.3%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatEnergy(812)).toBe('812 Wh');
    expect(formatEnergy(12_400)).toBe('12.4 kWh');
    expect(formatEnergy(412_345_678)).toBe('412.35 MWh');
  });

  it('formats durations and times', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(300)).toBe('5 min');
    expect(formatDuration(3 * 3600 + 600)).toBe('3 h 10 min');
    expect(formatDuration(2 * 86400 + 4 * 3600)).toBe('2 d 4 h');
    expect(formatTime('2025-06-01T10:30:00.000Z')).toBe('2025-06-01 10:30:00 UTC');
    expect(formatAgo('2025-06-01T10:30:00Z', Date.parse('2025-06-01T10:35:00Z'))).toBe('5 min ago');
  });
});
