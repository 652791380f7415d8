/**
 * Versioned migrations of the business-records database (platform/migrations/*.sql), applied in order at
 * start by node-pg-migrate. Each runs in its own transaction and is recorded in `pgmigrations`, so a
 * second run applies nothing; an advisory lock keeps two processes from migrating at once (the later one
 * waits here and then finds nothing left to apply).
 */
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from '../logger';

/** The migrations folder: beside src/ and dist/, so both the tests and the built image find it. */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** node-pg-migrate's lock is taken, not waited for: another process (or feature) is migrating. */
const LOCK_BUSY = /Another migration is already running/;
const LOCK_RETRY_MS = 250;
const LOCK_ATTEMPTS = 120;

const inFlight = new Map<string, Promise<string[]>>();

/**
 * Applies what is not yet applied. Features of one process that migrate the same database together
 * share one run; a run of another process (a collector and a worker starting together) is waited for
 * rather than failed on.
 */
export function migrateDatabase(databaseUrl: string, logger: Logger): Promise<string[]> {
  let run = inFlight.get(databaseUrl);
  if (!run) {
    run = migrateWaitingForLock(databaseUrl, logger).finally(() => inFlight.delete(databaseUrl));
    inFlight.set(databaseUrl, run);
  }
  return run;
}

async function migrateWaitingForLock(databaseUrl: string, logger: Logger): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(databaseUrl, logger);
    } catch (err) {
      if (!LOCK_BUSY.test(String((err as Error).message)) || attempt >= LOCK_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}

// Our file names are ordinals (0001_…), not the timestamps node-pg-migrate would sort by: it says so
// for every file on every run, which is noise, not a problem (checkOrder still guards the order).
const NOISE = /^Can't determine timestamp for|^Failed to release migration lock/;

async function migrateOnce(databaseUrl: string, logger: Logger): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    checkOrder: true,
    // node-pg-migrate logs every statement at info; ours keeps only what was applied.
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => void (NOISE.test(m) ? undefined : logger.warn(m)),
      error: (m: string) => void (NOISE.test(m) ? undefined : logger.error(m)),
    },
  });
  const names = applied.map((m) => m.name);
  if (names.length) logger.info({ migrations: names }, 'database migrations applied');
  return names;
}
