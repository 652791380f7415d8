/**
 * What happens when this process ends a command (a result written by the executor, a sweep, a take that
 * met an expired or interrupted one, a fail-fast `offline` at submit): it is counted by name and outcome
 * and its result goes to the audit log. Each command ends exactly once, in one process, so it is
 * counted and audited once.
 */
import { commandEndedEntry, redact, type AuditLog, type CommandBus, type EndedCommand, type Logger } from '@chargewatch/platform';
import type { CollectorMetrics } from '../sinks/prometheus/metrics';

export class CommandOutcomes {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: { bus: CommandBus; audit: AuditLog; metrics: CollectorMetrics; logger: Logger }) {}

  /** Never throws and never blocks the caller (a station's command loop or an API request). */
  report(ended: readonly EndedCommand[]): void {
    for (const e of ended) {
      const p = this.record(e.id).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async record(id: string): Promise<void> {
    const { bus, audit, metrics, logger } = this.opts;
    try {
      const record = await bus.get(id);
      if (!record) return;
      metrics.commands.inc({ command: record.name, outcome: record.status });
      const entry = commandEndedEntry(record);
      try {
        await audit.record(entry);
      } catch (err) {
        // The log line keeps the entry (secrets removed) when the audit store cannot.
        logger.error({ err: (err as Error).message, audit: { ...entry, details: redact(entry.details), at: entry.at.toISOString() } }, 'could not audit a command result; it is in this log line');
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message, commandId: id }, 'could not read a command to audit its result');
    }
  }

  /** On shutdown: let the last results reach the audit log. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }
}
