/**
 * A fresh PostgreSQL database per test file, on the harness's server (TEST_DATABASE_URL): migrations
 * and rows of one file never meet another's, and files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database and returns its URL. */
export async function createTestDatabase(label: string): Promise<string> {
  const name = `test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database made by createTestDatabase, cutting connections a failed test left open. */
export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`));
}
