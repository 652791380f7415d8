/**
 * The fleet's firmware as Prometheus series, computed every WORKER_FIRMWARE_METRICS_INTERVAL_SEC from
 * the inventory (Redis registry against the targets) and the updates table — never per station or per
 * version:
 * - `chargewatch_firmware_stations{vendor,model,target}` (target on|off|none), vendor/model bounded by
 *   PROM_MAX_VENDOR_MODELS as the collector's labels are (later pairs fold into other/other);
 * - `chargewatch_firmware_updates_total{result}`: finished updates, `verified`, `cancelled` or the failure
 *   reason (a fixed set), counted from the table, so every worker reports the same value (use `max`);
 * - `chargewatch_firmware_updates_open{stage}`: open updates by state (requested … installed).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { FIRMWARE_FAILURE_REASONS, FIRMWARE_UPDATE_STATES, isFinalFirmwareState } from '@chargewatch/model';
import { readStationFirmware, type FirmwareCatalogue, type FirmwareUpdates } from '@chargewatch/platform';
import type { Redis } from 'ioredis';

export const FIRMWARE_RESULTS = ['verified', 'cancelled', ...FIRMWARE_FAILURE_REASONS] as const;
export const OPEN_STAGES = FIRMWARE_UPDATE_STATES.filter((s) => !isFinalFirmwareState(s));
const OTHER = 'other';

/** The collector's rule (collector/src/sinks/prometheus/label-budget.ts, which the worker may not import): first pairs keep their names. */
export class VendorModelBudget {
  private readonly admitted = new Set<string>();
  constructor(readonly max: number) {}
  labels(vendor: string, model: string): { vendor: string; model: string } {
    const key = JSON.stringify([vendor, model]);
    if (this.admitted.has(key)) return { vendor, model };
    if (this.admitted.size >= this.max) return { vendor: OTHER, model: OTHER };
    this.admitted.add(key);
    return { vendor, model };
  }
}

export class FirmwareMetrics {
  private readonly stations: Gauge<'vendor' | 'model' | 'target'>;
  private readonly finished: Counter<'result'>;
  private readonly open: Gauge<'stage'>;
  private readonly counted = new Map<string, number>();
  private readonly budget: VendorModelBudget;

  constructor(registry: Registry, maxVendorModels: number) {
    this.budget = new VendorModelBudget(maxVendorModels);
    this.stations = new Gauge({ name: 'chargewatch_firmware_stations', help: 'Booted stations by vendor/model and whether they run the target release (on, off, none)', labelNames: ['vendor', 'model', 'target'], registers: [registry] });
    this.finished = new Counter({ name: 'chargewatch_firmware_updates_total', help: 'Finished firmware updates by result (verified, cancelled, failure reason), from PostgreSQL', labelNames: ['result'], registers: [registry] });
    this.open = new Gauge({ name: 'chargewatch_firmware_updates_open', help: 'Open firmware updates by stage', labelNames: ['stage'], registers: [registry] });
    for (const result of FIRMWARE_RESULTS) this.finished.inc({ result }, 0);
    for (const stage of OPEN_STAGES) this.open.set({ stage }, 0);
  }

  /** Recomputes every series; a failed read leaves the previous values. */
  async refresh(o: { redis: Redis; prefix: string; catalogue: FirmwareCatalogue; updates: FirmwareUpdates }): Promise<void> {
    const targets = await o.catalogue.listTargets();
    const [{ stations }, results, open] = await Promise.all([readStationFirmware(o.redis, o.prefix, targets), o.updates.countByResult(), o.updates.countOpenByState()]);
    const counts = new Map<string, { vendor: string; model: string; target: string; n: number }>();
    // Sorted, so which pairs keep their names does not depend on the registry's order.
    for (const s of [...stations].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model))) {
      const l = this.budget.labels(s.vendor, s.model);
      const key = JSON.stringify([l.vendor, l.model, s.target]);
      const c = counts.get(key) ?? { ...l, target: s.target, n: 0 };
      c.n++;
      counts.set(key, c);
    }
    this.stations.reset();
    for (const c of counts.values()) this.stations.set({ vendor: c.vendor, model: c.model, target: c.target }, c.n);
    for (const { result, count } of results) {
      if (!(FIRMWARE_RESULTS as readonly string[]).includes(result)) continue;
      const delta = count - (this.counted.get(result) ?? 0);
      if (delta > 0) this.finished.inc({ result }, delta);
      this.counted.set(result, Math.max(count, this.counted.get(result) ?? 0));
    }
    for (const stage of OPEN_STAGES) this.open.set({ stage }, open.find((x) => x.state === stage)?.count ?? 0);
  }
}
