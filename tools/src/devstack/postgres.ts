/**
 * Starts a real PostgreSQL (Debian's package) on a free loopback port with its own data directory, for
 * the integration tests and the demo. initdb and postgres refuse to run as root, and CI runs as root:
 * then the data directory belongs to the `postgres` user and both run as that user.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitFor } from './ports';
import { ManagedProcess } from './process';
import type { Service } from './services';

export interface PostgresService extends Service {
  /** postgres://cw@127.0.0.1:PORT/chargewatch — the superuser; the database exists. */
  url: string;
  database: string;
}

/** The directory holding initdb and postgres: POSTGRES_BIN, else the newest Debian cluster version. */
export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('PostgreSQL not found under /usr/lib/postgresql; install the postgresql package or set POSTGRES_BIN');
  return join(root, versions[0], 'bin');
}

const isRoot = () => process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/** Runs a PostgreSQL program as a user it accepts: root drops to `postgres`, anyone else is themselves. */
function asPostgresUser(program: string, args: string[]): [string, string[]] {
  // setpriv execs the program (no lingering parent), so the stop signal reaches postgres itself.
  return isRoot() ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', program, ...args]] : [program, args];
}

export async function startPostgres(baseDir: string, opts: { port?: number; database?: string } = {}): Promise<PostgresService> {
  const bin = postgresBinDir();
  const dataDir = join(baseDir, 'postgres');
  const pgData = join(dataDir, 'data');
  const database = opts.database ?? 'chargewatch';
  mkdirSync(dataDir, { recursive: true });
  if (isRoot()) {
    // The postgres user must reach its directory: traverse (not list) the parents, own the rest.
    chmodSync(baseDir, 0o711);
    const { uid, gid } = postgresIds();
    chownSync(dataDir, uid, gid);
  }
  const fresh = !existsSync(join(pgData, 'PG_VERSION'));
  if (fresh) {
    const [cmd, args] = asPostgresUser(join(bin, 'initdb'), ['-D', pgData, '-A', 'trust', '-U', 'cw', '--no-sync', '-E', 'UTF8', '--locale=C']);
    execFileSync(cmd, args, { stdio: 'pipe' });
  }
  const port = opts.port ?? (await freePort());
  const [cmd, args] = asPostgresUser(join(bin, 'postgres'), [
    '-D', pgData,
    '-p', String(port),
    '-k', dataDir,
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'log_min_messages=warning',
  ]);
  const proc = new ManagedProcess('postgres', cmd, args, baseDir);
  const { Client } = await import('pg');
  const adminUrl = `postgres://cw@127.0.0.1:${port}/postgres`;
  await waitFor('postgres', async () => {
    if (!proc.running) throw new Error(`postgres exited; see ${proc.logFile}`);
    const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!exists.rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
      return true;
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients a failed test left open.
  const stop = async () => {
    proc.signal('SIGINT');
    await proc.stop();
  };
  return { name: 'postgres', url: `postgres://cw@127.0.0.1:${port}/${database}`, port, dataDir, database, process: proc, stop };
}
