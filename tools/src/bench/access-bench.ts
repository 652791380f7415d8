/**
 * The Authorize benchmark of `npm run bench`: what the token registry adds to an Authorize with
 * 100,000 tokens registered (target: p99 added < 2 ms).
 *
 * - In-process: the collector's hot path as it runs — TokenCache look-up (loaded with the tokens) plus
 *   the model's decideAuthorization — timed call by call, for hits of every kind and misses.
 * - End to end: two collector children on the same Redis and PostgreSQL, one with ACCESS_MODE=accept-all
 *   (the baseline: no registry) and one with the registry; one strict ocpp-rpc 1.6 station each sends
 *   Authorize calls one after another; p99 added = registry p99 − baseline p99, in the same run.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { RPCClient } from 'ocpp-rpc';
import { decideAuthorization, type IdToken } from '@chargewatch/model';
import { TokenCache, accessTokenOf, migrateDatabase, pinHash, silentLogger, type CacheToken } from '@chargewatch/platform';
import { freePort, waitFor } from '../devstack/ports';
import { ManagedProcess } from '../devstack/process';
import { startPostgres } from '../devstack/postgres';
import type { Service } from '../devstack/services';
import { Histogram } from './histogram';
import { BIN, cleanups, log } from './setup';

export const ACCESS_TARGET_P99_ADDED_MS = 2;
const TOKENS = Number(process.env.BENCH_ACCESS_TOKENS ?? 100_000);
const CALLS = Number(process.env.BENCH_ACCESS_CALLS ?? 3000);
const SECRET = Buffer.alloc(32, 5);

export interface AccessBenchResults {
  tokens: number;
  inProcess: { calls: number; p50Us: number; p99Us: number; maxUs: number; loadMs: number };
  endToEnd: { calls: number; baseline: { p50: number; p99: number }; registry: { p50: number; p99: number }; addedP99Ms: number; statuses: Record<string, number> };
}

const uidOf = (i: number) => `04${i.toString(16).toUpperCase().padStart(12, '0')}`;

function syntheticTokens(n: number): CacheToken[] {
  const out: CacheToken[] = [];
  for (let i = 0; i < n; i++) {
    const base = { id: String(i + 1), ocpiType: 'RFID' as const, status: (i % 50 === 0 ? 'Blocked' : 'Accepted') as 'Blocked' | 'Accepted', createdAt: '', createdBy: 'bench', updatedAt: '', updatedBy: 'bench' };
    const where = { allowedSites: i % 3 === 0 ? ['S1', 'S2'] : [], allowedStations: [], allowedEvses: [], allowedHours: i % 7 === 0 ? [{ start: '00:00', end: '23:59' }] : [] };
    if (i % 10 === 9) out.push({ ...base, ...where, type: 'KeyCode', hasPin: true, pinHash: pinHash(String(100000 + i), SECRET), ocpiType: 'OTHER' });
    else out.push({ ...base, ...where, type: 'ISO14443', uid: uidOf(i), maxConcurrentTx: 1, groupId: `G${i % 100}` });
  }
  return out;
}

async function inProcess(redisUrl: string, runId: string): Promise<AccessBenchResults['inProcess']> {
  const tokens = syntheticTokens(TOKENS);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const cache = new TokenCache({ source: { loadForCache: async (ids) => (ids ? tokens.filter((t) => ids.includes(t.id)) : tokens) }, redis, prefix: `cwb${runId}access:`, hashSecret: SECRET, fullReloadMs: 3_600_000 });
  const t0 = Date.now();
  await cache.start();
  const loadMs = Date.now() - t0;
  const asked: IdToken[] = [];
  for (let i = 0; i < 200_000; i++) {
    const k = (i * 7919) % TOKENS;
    if (i % 10 === 9) asked.push({ id: String(100000 + (Math.floor(k / 10) * 10 + 9)), type: 'KeyCode' });
    else if (i % 5 === 0) asked.push({ id: `FF${i}`, type: 'ISO14443' });
    else if (i % 2 === 0) asked.push({ id: uidOf(k - (k % 10 === 9 ? 1 : 0)), type: 'Unknown' });
    else asked.push({ id: uidOf(k - (k % 10 === 9 ? 1 : 0)).toLowerCase(), type: 'ISO14443' });
  }
  const h = new Histogram();
  const now = Date.now();
  let accepted = 0;
  for (const [i, t] of asked.entries()) {
    const s = process.hrtime.bigint();
    const hit = cache.lookup(t);
    const d = decideAuthorization(hit && accessTokenOf(hit), { now, stationId: 'CP-1', siteId: 'S1', timeZone: 'Europe/Berlin', purpose: i % 2 ? 'start' : 'authorize', openTransactions: 0 });
    const us = Number(process.hrtime.bigint() - s) / 1000;
    if (d.status === 'Accepted') accepted++;
    if (i >= 20_000) h.record(us / 1000); // the first 10 % warm the JIT
  }
  await cache.stop();
  redis.disconnect();
  log(`access in-process: ${TOKENS} tokens loaded in ${loadMs} ms; ${h.count} look-ups + decisions, ${accepted} accepted`);
  return { calls: h.count, p50Us: h.quantile(0.5) * 1000, p99Us: h.quantile(0.99) * 1000, maxUs: h.max * 1000, loadMs };
}

async function collectorChild(name: string, dir: string, redisUrl: string, runId: string, env: Record<string, string>) {
  const ocppPort = await freePort();
  const apiPort = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ocppPort),
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    API_AUTH: 'off',
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `cwb${runId}acc${name}:`,
    INFLUX_URL: 'http://127.0.0.1:9',
    INFLUX_WRITER: 'worker',
    COLLECTOR_ID: `bench-${runId}-access-${name}`,
    LOG_LEVEL: 'warn',
    ...env,
  };
  delete childEnv.NODE_OPTIONS;
  const proc = new ManagedProcess(`collector-access-${name}`, process.execPath, [BIN, 'collector'], dir, childEnv);
  const stop = () => proc.stop(30_000);
  cleanups.push(stop);
  await waitFor(`collector access-${name}`, async () => {
    if (!proc.running) throw new Error(`collector exited; see ${proc.logFile}`);
    return (await fetch(`http://127.0.0.1:${apiPort}/metrics`, { signal: AbortSignal.timeout(1000) })).ok;
  });
  return { url: `ws://127.0.0.1:${ocppPort}/ocpp`, apiUrl: `http://127.0.0.1:${apiPort}`, stop };
}

async function authorizeRun(url: string, ids: string[], statuses: Record<string, number>): Promise<Histogram> {
  const cp = new RPCClient({ endpoint: url, identity: `BENCH-AUTH-${randomBytes(3).toString('hex')}`, protocols: ['ocpp1.6'], strictMode: true, reconnect: false } as ConstructorParameters<typeof RPCClient>[0]);
  await cp.connect();
  await cp.call('BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'Auth' });
  const h = new Histogram();
  for (const [i, idTag] of ids.entries()) {
    const s = process.hrtime.bigint();
    const res = (await cp.call('Authorize', { idTag })) as { idTagInfo: { status: string } };
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (i >= ids.length / 10) {
      h.record(ms);
      statuses[res.idTagInfo.status] = (statuses[res.idTagInfo.status] ?? 0) + 1;
    }
  }
  await cp.close();
  return h;
}

async function endToEnd(dir: string, redis: Service, runId: string): Promise<AccessBenchResults['endToEnd']> {
  const pg = await startPostgres(dir);
  cleanups.push(() => pg.stop());
  const secret = 'ab'.repeat(32);
  // The registry's tables, then 100,000 rows in one statement, before the collector loads its cache.
  await migrateDatabase(pg.url, silentLogger);
  const db = new Client({ connectionString: pg.url });
  await db.connect();
  await db.query(
    `INSERT INTO tokens (type, uid, ocpi_type, status, group_id, max_concurrent_tx, allowed_sites, created_by, updated_by)
     SELECT 'ISO14443', '04' || lpad(upper(to_hex(i)), 12, '0'), 'RFID', CASE WHEN i % 50 = 0 THEN 'Blocked' ELSE 'Accepted' END,
            'G' || (i % 100), 1, CASE WHEN i % 3 = 0 THEN ARRAY['S1'] ELSE '{}' END, 'bench', 'bench'
     FROM generate_series(0, $1::int - 1) AS i`,
    [TOKENS],
  );
  await db.end();
  const withRegistry = await collectorChild('registry', dir, redis.url, runId, { DATABASE_URL: pg.url, ACCESS_MODE: 'registry', ACCESS_PIN_SECRET: secret });
  await waitFor('token cache loaded', async () => {
    const text = await (await fetch(`${withRegistry.apiUrl}/metrics`)).text();
    const line = /^chargewatch_access_tokens (\d+)/m.exec(text);
    if (process.env.BENCH_DEBUG) log(`cache: ${line?.[0] ?? 'no gauge'}`);
    return Number(line?.[1]) === TOKENS;
  }, 60_000);
  const baseline = await collectorChild('baseline', dir, redis.url, runId, { ACCESS_MODE: 'accept-all' });
  const ids = Array.from({ length: CALLS }, (_, i) => (i % 4 === 3 ? `FFFF${i}` : uidOf((i * 7919) % TOKENS)));
  const statuses: Record<string, number> = {};
  // Alternate the two so drift on a shared machine hits both alike.
  const hb: Histogram[] = [];
  const hr: Histogram[] = [];
  for (let round = 0; round < 2; round++) {
    hb.push(await authorizeRun(baseline.url, ids, {}));
    hr.push(await authorizeRun(withRegistry.url, ids, statuses));
  }
  await Promise.all([baseline.stop(), withRegistry.stop()]);
  await pg.stop();
  const b = Histogram.merge(hb.map((h) => h.toJSON()));
  const r = Histogram.merge(hr.map((h) => h.toJSON()));
  const out = { calls: r.count, baseline: { p50: b.quantile(0.5), p99: b.quantile(0.99) }, registry: { p50: r.quantile(0.5), p99: r.quantile(0.99) }, addedP99Ms: r.quantile(0.99) - b.quantile(0.99), statuses };
  log(`access end to end: Authorize p99 ${out.baseline.p99.toFixed(2)} ms accept-all, ${out.registry.p99.toFixed(2)} ms registry (${TOKENS} tokens) → added ${out.addedP99Ms.toFixed(2)} ms`);
  return out;
}

export async function runAccessBench(dir: string, svc: { redis: Service }, runId: string): Promise<AccessBenchResults> {
  const inproc = await inProcess(svc.redis.url, runId);
  return { tokens: TOKENS, inProcess: inproc, endToEnd: await endToEnd(dir, svc.redis, runId) };
}

const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** Rows of the summary table (report.ts). */
export function accessRows(a: AccessBenchResults | undefined): Array<[string, string, string, string]> {
  if (!a) return [];
  const ok = a.endToEnd.addedP99Ms < ACCESS_TARGET_P99_ADDED_MS;
  return [
    [`6. Authorize, ${a.tokens.toLocaleString('en-US')} tokens: p99 added (registry − accept-all)`, `${fmt(a.endToEnd.addedP99Ms)} ms`, `< ${ACCESS_TARGET_P99_ADDED_MS} ms`, ok ? 'pass' : '**FAIL**'],
    ['   in-process look-up + decision p50 / p99', `${fmt(a.inProcess.p50Us)} / ${fmt(a.inProcess.p99Us)} µs`, '', ''],
  ];
}

/** The section of docs/benchmarks.md (report.ts). */
export function accessMarkdown(a: AccessBenchResults | undefined): string[] {
  if (!a) return [];
  const e = a.endToEnd;
  return [
    '## Authorize with the token registry',
    '',
    `- ${a.tokens.toLocaleString('en-US')} tokens (every 50th blocked, a third limited to sites, synthetic ISO 14443 UIDs; in-process also every 10th a KeyCode PIN), loaded into a collector's cache in ${a.inProcess.loadMs} ms (in-process).`,
    `- In-process (cache look-up + decideAuthorization, ${a.inProcess.calls.toLocaleString('en-US')} calls after warm-up; hits by type and id, 1.6 ids without type, PINs by keyed hash, misses): p50 ${fmt(a.inProcess.p50Us)} µs, p99 ${fmt(a.inProcess.p99Us)} µs, max ${fmt(a.inProcess.maxUs, 0)} µs.`,
    `- End to end (one strict 1.6 station, Authorize one after another, ${e.calls.toLocaleString('en-US')} measured per collector in two alternating rounds): accept-all p50 / p99 ${fmt(e.baseline.p50)} / ${fmt(e.baseline.p99)} ms; registry ${fmt(e.registry.p50)} / ${fmt(e.registry.p99)} ms; answers ${Object.entries(e.statuses).map(([k, v]) => `${k} ${v}`).join(', ')}. The difference is what the registry adds; PostgreSQL is not on the path (the cache is).`,
    '',
  ];
}
