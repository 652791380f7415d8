/**
 * Vendor and model come from the station's BootNotification: free text an attacker picks. They label
 * the fleet aggregates (sessions, energy, boots, connectors by status), whose counters are never
 * removed, so each new pair would be series for the life of the process. The first `max` pairs seen
 * keep their names; every later pair is labelled `other`/`other` (the real values stay in Redis and
 * InfluxDB). A pair once admitted stays admitted, so a station's labels do not change under it.
 */
export const OTHER_LABEL = 'other';
/** What a station is labelled before it has booted; never counted against the budget. */
export const UNKNOWN_LABEL = 'unknown';

export class VendorModelBudget {
  private readonly admitted = new Set<string>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
  }

  /** The label values for a station reporting this vendor and model. */
  labels(vendor: string, model: string): { vendor: string; model: string } {
    const v = vendor || UNKNOWN_LABEL;
    const m = model || UNKNOWN_LABEL;
    if (v === UNKNOWN_LABEL && m === UNKNOWN_LABEL) return { vendor: v, model: m };
    const key = JSON.stringify([v, m]);
    if (this.admitted.has(key)) return { vendor: v, model: m };
    if (this.admitted.size >= this.max) return { vendor: OTHER_LABEL, model: OTHER_LABEL };
    this.admitted.add(key);
    return { vendor: v, model: m };
  }

  /** Pairs with their own label values (at most `max`). */
  get size(): number {
    return this.admitted.size;
  }
}
