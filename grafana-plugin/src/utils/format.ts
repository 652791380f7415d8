const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInt(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : integer.format(value);
}

/** 0..1 → "97.3%" */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) {
    return '–';
  }
  return `${(ratio * 100).toFixed(digits)}%`;
}

/** Watt-hours → "812 Wh", "12.4 kWh", "3.21 MWh". */
export function formatEnergy(wh: number | null | undefined): string {
  if (wh === null || wh === undefined || !Number.isFinite(wh)) {
    return '–';
  }
  const abs = Math.abs(wh);
  if (abs < 1000) {
    return `${Math.round(wh)} Wh`;
  }
  if (abs < 1_000_000) {
    return `${(wh / 1000).toFixed(1)} kWh`;
  }
  return `${(wh / 1_000_000).toFixed(2)} MWh`;
}

/** Seconds → "42 s", "5 min", "3 h 10 min", "2 d 4 h". */
export function formatDuration(totalSec: number | null | undefined): string {
  if (totalSec === null || totalSec === undefined || !Number.isFinite(totalSec)) {
    return '–';
  }
  const s = Math.max(0, Math.round(totalSec));
  if (s < 60) {
    return `${s} s`;
  }
  const min = Math.floor(s / 60);
  if (min < 60) {
    return `${min} min`;
  }
  const h = Math.floor(min / 60);
  if (h < 24) {
    const rest = min % 60;
    return rest ? `${h} h ${rest} min` : `${h} h`;
  }
  const d = Math.floor(h / 24);
  const rest = h % 24;
  return rest ? `${d} d ${rest} h` : `${d} d`;
}

export function secondsSince(iso: string | undefined, now: number = Date.now()): number | undefined {
  if (!iso) {
    return undefined;
  }
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : (now - t) / 1000;
}

/** "5 min ago" from an ISO time. */
export function formatAgo(iso: string | undefined, now: number = Date.now()): string {
  const sec = secondsSince(iso, now);
  return sec === undefined ? '–' : `${formatDuration(sec)} ago`;
}

/** ISO → "2025-01-31 14:05:09 UTC" (stable, timezone explicit: NOC screens span time zones). */
export function formatTime(iso: string | undefined): string {
  if (!iso) {
    return '–';
  }
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
