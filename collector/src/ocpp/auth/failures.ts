/**
 * Refused handshakes counted per station identity and per address, in memory, for the API. They are
 * not Prometheus labels: identities and addresses are chosen by whoever connects, and each label value
 * would be a series forever. Both maps are capped LRUs, so a scan with random identities or from many
 * addresses evicts old entries instead of growing memory. Counts are per collector instance, since start.
 */
import { BoundedLru } from './lru';

export interface FailureStats {
  count: number;
  firstAt: number;
  lastAt: number;
  lastReason: string;
  byReason: Record<string, number>;
}

export interface FailureRow extends FailureStats {
  key: string;
}

export class FailureTracker {
  private readonly stations: BoundedLru<string, FailureStats>;
  private readonly addresses: BoundedLru<string, FailureStats>;
  /** Totals by reason since start, never evicted (the reason set is fixed). */
  readonly totals: Record<string, number> = {};

  constructor(
    readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.stations = new BoundedLru(capacity, 0, now);
    this.addresses = new BoundedLru(capacity, 0, now);
  }

  /** Counts one refusal; `stationId` is left out for refusals that are about the address only. */
  record(reason: string, address: string | undefined, stationId?: string): void {
    const t = this.now();
    this.totals[reason] = (this.totals[reason] ?? 0) + 1;
    if (address) bump(this.addresses, address, reason, t);
    if (stationId) bump(this.stations, stationId, reason, t);
  }

  forStation(stationId: string): FailureStats | undefined {
    const s = this.stations.peek(stationId);
    return s && { ...s, byReason: { ...s.byReason } };
  }

  forAddress(address: string): FailureStats | undefined {
    const s = this.addresses.peek(address);
    return s && { ...s, byReason: { ...s.byReason } };
  }

  /** The `limit` keys with most failures (ties: most recent first). */
  top(kind: 'stations' | 'addresses', limit: number): FailureRow[] {
    const rows: FailureRow[] = [];
    for (const [key, s] of (kind === 'stations' ? this.stations : this.addresses).entries()) rows.push({ key, ...s, byReason: { ...s.byReason } });
    rows.sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
    return rows.slice(0, limit);
  }

  get tracked(): { stations: number; addresses: number } {
    return { stations: this.stations.size, addresses: this.addresses.size };
  }
}

function bump(lru: BoundedLru<string, FailureStats>, key: string, reason: string, t: number): void {
  const s = lru.get(key) ?? { count: 0, firstAt: t, lastAt: t, lastReason: reason, byReason: {} };
  s.count++;
  s.lastAt = t;
  s.lastReason = reason;
  s.byReason[reason] = (s.byReason[reason] ?? 0) + 1;
  lru.set(key, s);
}
