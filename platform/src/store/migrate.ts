/**
 * Versioned migrations of the business-records database (platform/migrations/*.sql), applied in order at
 * start by node-pg-migrate. Each runs in its own transaction and is recorded in `pgmigrations`, so a
 * second run applies nothing; an advisory lock makes collectors that start together wait for each other.
 */
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger';

/** The migrations folder: beside src/ and dist/, so both the tests and the built image find it. */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

export async function migrateDatabase(databaseUrl: string, logger: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    checkOrder: true,
    // node-pg-migrate logs every statement at info; ours keeps only what was applied.
    logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => logger.warn(m), error: (m: string) => logger.error(m) },
  });
  const names = applied.map((m) => m.name);
  if (names.length) logger.info({ migrations: names }, 'database migrations applied');
  return names;
}
