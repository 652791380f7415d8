/**
 * The PostgreSQL connection pool for business records. A pool error (the server restarted, a connection
 * was cut) is logged and the pool reconnects on the next query; it must never crash the process.
 */
import { Pool } from 'pg';
import type { Logger } from '../logger';

export function createDatabasePool(databaseUrl: string, logger: Logger, opts: { max?: number } = {}): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 5,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    // A query that hangs must not hold an API request or a command result forever.
    statement_timeout: 10_000,
    application_name: 'chargewatch',
  });
  pool.on('error', (err) => logger.warn({ err: err.message }, 'PostgreSQL connection lost; reconnecting on next use'));
  return pool;
}

/** Readiness: the database answers a trivial query. */
export async function databaseReady(pool: Pool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
