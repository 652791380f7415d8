/**
 * The collector's audit log: PostgreSQL when DATABASE_URL is set, else the structured log.
 *
 * PostgreSQL being down must not stop ingest, so the collector starts without it: migrations are
 * retried in the background until they succeed, and until then (or whenever the database is
 * unreachable) an entry that cannot be stored is counted in `chargewatch_audit_write_failures_total`
 * and written to the log in full by the caller, so it is never silently lost.
 */
import { Counter, type Registry } from 'prom-client';
import { createDatabasePool, databaseReady, LogAuditLog, migrateDatabase, PgAuditLog, type AuditEntry, type AuditLog, type AuditQuery, type Logger } from '@chargewatch/platform';

export interface OpenedAuditLog {
  audit: AuditLog;
  /** Readiness probe of the store; absent for the log-backed audit. */
  ready?: () => Promise<boolean>;
  /** The PostgreSQL pool (business records: firmware); absent without DATABASE_URL. */
  pool?: ReturnType<typeof createDatabasePool>;
  /** true once the migrations have applied. */
  migrated?: () => boolean;
  close(): Promise<void>;
}

const MIGRATE_RETRY_MS = 10_000;

/** Counts failed writes of any audit log, whoever writes (API changes, command results). */
class CountingAuditLog implements AuditLog {
  constructor(
    private readonly inner: AuditLog,
    private readonly failures: Counter,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.inner.record(entry);
    } catch (err) {
      this.failures.inc();
      throw err;
    }
  }

  list(q: AuditQuery) {
    return this.inner.list(q);
  }
}

function failureCounter(registry: Registry): Counter {
  return (
    (registry.getSingleMetric('chargewatch_audit_write_failures_total') as Counter | undefined) ??
    new Counter({ name: 'chargewatch_audit_write_failures_total', help: 'Audit entries that could not be stored (each is then in the collector log in full)', registers: [registry] })
  );
}

export async function openAuditLog(databaseUrl: string, registry: Registry, logger: Logger): Promise<OpenedAuditLog> {
  const failures = failureCounter(registry);
  if (!databaseUrl) {
    logger.warn('DATABASE_URL is not set: the audit goes to the log only and GET /api/v1/audit shows this process\'s recent entries');
    return { audit: new CountingAuditLog(new LogAuditLog(logger), failures), close: async () => undefined };
  }
  const pool = createDatabasePool(databaseUrl, logger);
  let migrated = false;
  let retry: NodeJS.Timeout | undefined;
  const migrate = async () => {
    try {
      await migrateDatabase(databaseUrl, logger);
      migrated = true;
    } catch (err) {
      logger.error({ err: (err as Error).message }, `PostgreSQL migrations failed; retrying in ${MIGRATE_RETRY_MS / 1000} s (audit entries go to the log meanwhile)`);
      retry = setTimeout(() => void migrate(), MIGRATE_RETRY_MS);
      retry.unref();
    }
  };
  await migrate();
  return {
    audit: new CountingAuditLog(new PgAuditLog(pool), failures),
    ready: async () => migrated && (await databaseReady(pool)),
    pool,
    migrated: () => migrated,
    close: async () => {
      clearTimeout(retry);
      await pool.end().catch(() => undefined);
    },
  };
}
