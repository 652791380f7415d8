/**
 * An audit log that writes every entry to the structured log (one `audit` line each, for a log pipeline
 * to keep) and answers `list` from the most recent entries of this process. For deployments and tests
 * without PostgreSQL; the PostgreSQL audit log is the durable, queryable one.
 */
import type { Logger } from '../logger';
import type { AuditEntry, AuditLog, AuditQuery } from './audit-log';

export class LogAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];
  private seq = 0;

  constructor(
    private readonly logger: Logger,
    private readonly keep = 1000,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const stored = { ...entry, id: entry.id ?? `log-${++this.seq}` };
    this.entries.push(stored);
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
    this.logger.info({ audit: { ...stored, at: stored.at.toISOString() } }, `audit ${stored.action}`);
  }

  async list(q: AuditQuery): Promise<{ total: number; items: AuditEntry[] }> {
    const hits = this.entries
      .filter(
        (e) =>
          (q.target === undefined || e.target === q.target) &&
          (q.actor === undefined || e.actor.name === q.actor) &&
          (q.action === undefined || e.action === q.action || e.action.startsWith(`${q.action}.`)) &&
          (q.from === undefined || e.at >= q.from) &&
          (q.to === undefined || e.at < q.to),
      )
      .reverse();
    const offset = q.offset ?? 0;
    return { total: hits.length, items: hits.slice(offset, offset + (q.limit ?? 100)) };
  }
}
