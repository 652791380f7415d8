/**
 * Misuse incidents as Prometheus series, labelled only by rule and severity (9 × 3 at most):
 * - `chargewatch_misuse_incidents_total{rule,severity}`: incidents this worker's consumer opened (a
 *   finding merged into an open incident is not a new one); sum over workers;
 * - `chargewatch_misuse_incidents_open{rule,severity}`: incidents open (nobody acknowledged them yet), read from PostgreSQL
 *   every WORKER_MISUSE_METRICS_INTERVAL_SEC, the same in every worker (use max).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { MISUSE_RULES, MISUSE_SEVERITIES, RULE_SEVERITY, type MisuseRule, type MisuseSeverity } from '@chargewatch/model';
import type { IncidentStore } from '@chargewatch/platform';

export class MisuseMetrics {
  readonly incidents: Counter<'rule' | 'severity'>;
  private readonly open: Gauge<'rule' | 'severity'>;

  constructor(registry: Registry) {
    this.incidents = new Counter({ name: 'chargewatch_misuse_incidents_total', help: 'Misuse incidents opened by this worker, by rule and severity', labelNames: ['rule', 'severity'], registers: [registry] });
    this.open = new Gauge({ name: 'chargewatch_misuse_incidents_open', help: 'Misuse incidents open (not yet acknowledged or resolved), by rule and severity (from PostgreSQL)', labelNames: ['rule', 'severity'], registers: [registry] });
    // Every rule's usual severity from the start, so increase() sees the first incident.
    for (const rule of MISUSE_RULES) this.incidents.inc({ rule, severity: RULE_SEVERITY[rule] }, 0);
    this.incidents.inc({ rule: 'security_event', severity: 'critical' }, 0);
  }

  opened(rule: MisuseRule, severity: MisuseSeverity): void {
    this.incidents.inc({ rule, severity });
  }

  /** Recomputes the gauge; a failed read leaves the previous values. */
  async refresh(incidents: IncidentStore): Promise<void> {
    const counts = await incidents.openCounts();
    const by = new Map(counts.map((c) => [`${c.rule}|${c.severity}`, c.count]));
    for (const rule of MISUSE_RULES) for (const severity of MISUSE_SEVERITIES) {
      const n = by.get(`${rule}|${severity}`);
      if (n !== undefined || severity === RULE_SEVERITY[rule]) this.open.set({ rule, severity }, n ?? 0);
      else this.open.remove({ rule, severity });
    }
  }
}
