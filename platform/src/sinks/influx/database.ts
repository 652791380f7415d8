/**
 * v1 writes need the database to exist. CREATE DATABASE is idempotent on InfluxDB 1.x; InfluxDB 2.x and
 * 3.x map databases to buckets and are written through the v2 API instead.
 */
export async function ensureInfluxDatabase(url: string, database: string, token = ''): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (token) headers.authorization = `Token ${token}`;
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({ q: `CREATE DATABASE "${database.replace(/"/g, '')}"` }),
  });
  if (!res.ok) throw new Error(`cannot create InfluxDB database ${database}: HTTP ${res.status} ${await res.text()}`);
}
