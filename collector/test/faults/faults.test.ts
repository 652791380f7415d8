/**
 * The fault suite: real InfluxDB, Redis and collector processes are paused, stopped, killed and
 * restarted while reliable stations send load; hostile input goes in on the side. At the end every
 * acknowledged event must be in InfluxDB exactly once. Writes docs/reliability.md with the figures.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { extractBlock } from '../fuzz/report';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort, influxQuery } from '@chargewatch/tools';
import { HOSTILE_INPUTS, runHostileInputs, type HostileOutcome } from './hostile';
import { renderReport, type FaultRecord, type RunReport } from './report';
import { CollectorProcess, DurableRedis, REPO_ROOT, RestartableInflux } from './services';
import { diffCounters, emptyCounters, type StationCounters } from './counters';
import { ReliableFleet } from './stations';
import { verifyInInflux, type Verification } from './verify';

const STATIONS = Number(process.env.FAULT_STATIONS ?? 30);
const INTERVAL_MS = Number(process.env.FAULT_INTERVAL_MS ?? 50);
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 10_000);
const REPORT = process.env.FAULT_REPORT ?? join(REPO_ROOT, 'docs', 'reliability.md');
const DATABASE = 'chargewatch';
const RECOVERY_LIMIT_MS = 45_000;
/** Journal entries that count as "caught up": well under a second of load. */
const JOURNAL_STEADY = 200;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Samples chargewatch_journal_entries in the background; keeps the highest value since reset(). */
class JournalWatch {
  peak: number | undefined;
  private timer?: NodeJS.Timeout;
  private busy = false;
  constructor(private readonly collector: CollectorProcess) {}
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.collector
        .metric('chargewatch_journal_entries')
        .then((v) => {
          if (v !== undefined) this.peak = Math.max(this.peak ?? 0, v);
        })
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 500);
  }
  reset(): void {
    this.peak = undefined;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

describe('fault suite: acknowledged means stored exactly once', () => {
  const started = Date.now();
  let dir: string;
  let redis: DurableRedis;
  let influx: RestartableInflux;
  let collector: CollectorProcess;
  let fleet: ReliableFleet | undefined;
  let watch: JournalWatch | undefined;
  let failed = true;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cw-faults-'));
    redis = new DurableRedis(dir, await freePort());
    influx = new RestartableInflux(dir, await freePort());
    await Promise.all([redis.start(), influx.start()]);
    collector = await CollectorProcess.create(dir, {
      redisUrl: redis.url,
      influxUrl: influx.url,
      database: DATABASE,
      collectorId: 'faults-collector-1',
      apiToken: 'faults-token',
    });
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    watch?.stop();
    await fleet?.close().catch(() => undefined);
    // Resume anything left paused by a failure, then stop everything we started.
    for (const s of [collector, influx, redis]) s?.resume();
    await Promise.all([collector?.stop(15_000), influx?.stop(), redis?.stop()].map((p) => p?.catch(() => undefined)));
    if (!failed && !process.env.KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
    else if (dir) console.log(`fault suite data and process logs kept in ${dir}`);
  }, 60_000);

  it('loses and duplicates nothing acknowledged through InfluxDB, Redis and collector faults', async () => {
    const failures: string[] = [];
    const faults: FaultRecord[] = [];
    fleet = new ReliableFleet({ url: collector.url, count: STATIONS, prefix: 'REL-', intervalMs: INTERVAL_MS });
    await fleet.start();
    const loadStarted = Date.now();
    watch = new JournalWatch(collector);
    watch.start();
    await sleep(5000); // warm-up: steady load before anything breaks

    // Hostile inputs on their own identities, while the load runs.
    const beforeHostile = fleet.totals();
    const hostile: HostileOutcome[] = await runHostileInputs(collector.url, 'HOSTILE-');
    await sleep(1000);
    const hostileDisturbance = diffCounters(fleet.totals(), beforeHostile);

    const runFault = async (name: string, act: () => Promise<string[]>) => {
      await sleep(2000); // steady load between faults
      const before = fleet!.totals();
      watch!.reset();
      const t0 = Date.now();
      const notes = await act();
      const t1 = Date.now();
      const recoveryMs = await fleet!.allAckedSince(t1, RECOVERY_LIMIT_MS);
      // The next fault starts once InfluxDB has caught up with the journal again.
      let backlogClearedMs: number | null = null;
      for (let i = 0; i < 240 && Date.now() - t1 < 60_000; i++) {
        const entries = await collector.metric('chargewatch_journal_entries').catch(() => undefined);
        if (entries !== undefined && entries <= JOURNAL_STEADY) {
          backlogClearedMs = Date.now() - t1;
          break;
        }
        await sleep(250);
      }
      faults.push({
        name,
        faultMs: t1 - t0,
        recoveryMs,
        backlogClearedMs,
        during: diffCounters(fleet!.totals(), before),
        journalPeak: watch!.peak,
        notes,
      });
      if (recoveryMs === null) failures.push(`${name}: not every station had a call acknowledged within ${RECOVERY_LIMIT_MS / 1000} s after the fault`);
      if (backlogClearedMs === null) failures.push(`${name}: the journal stayed above ${JOURNAL_STEADY} entries for 60 s after the fault`);
    };

    await runFault('InfluxDB paused (SIGSTOP, SIGCONT)', async () => {
      influx.pause();
      // Longer than the collector's 10 s write timeout: a write it gave up on may still land when InfluxDB resumes.
      await sleep(OUTAGE_MS * 1.2);
      influx.resume();
      return [];
    });

    await runFault('InfluxDB stopped (SIGTERM), restarted on the same port and data', async () => {
      const code = await influx.stop();
      await sleep(OUTAGE_MS / 2);
      await influx.start();
      return [`influxd exit code ${code}`];
    });

    await runFault('Redis stopped (SIGTERM), restarted from its AOF', async () => {
      const code = await redis.stop();
      await sleep(OUTAGE_MS / 2);
      await redis.start();
      return [`redis-server exit code ${code}`];
    });

    await runFault('Redis stopped (SIGTERM) while InfluxDB is paused, both back', async () => {
      // The drain holds a batch it has read but cannot write; InfluxDB takes it once resumed, while Redis,
      // where the batch must be acknowledged, is still down.
      influx.pause();
      await sleep(3000);
      const code = await redis.stop();
      await sleep(1000);
      influx.resume();
      await sleep(OUTAGE_MS / 4);
      await redis.start();
      return [`redis-server exit code ${code}`];
    });

    await runFault('Redis killed (SIGKILL), restarted from its AOF', async () => {
      await redis.kill();
      await sleep(OUTAGE_MS / 2);
      await redis.start();
      return [];
    });

    await runFault('collector killed (SIGKILL), restarted with the same COLLECTOR_ID', async () => {
      await collector.kill();
      await sleep(2000);
      await collector.start();
      return [];
    });

    await runFault('collector killed (SIGKILL) while InfluxDB is paused, restarted, InfluxDB resumed', async () => {
      // Entries the drain had read but not yet written are left pending in the consumer group.
      influx.pause();
      await sleep(3000);
      const pending = await collector.metric('chargewatch_journal_entries').catch(() => undefined);
      await collector.kill();
      await sleep(1000);
      await collector.start();
      await sleep(2000);
      influx.resume();
      return [`journal held ${pending ?? '?'} entries at the kill`];
    });

    await runFault('collector paused (SIGSTOP, SIGCONT)', async () => {
      collector.pause();
      await sleep(OUTAGE_MS);
      collector.resume();
      return [];
    });

    let termCloses: StationCounters = emptyCounters();
    await runFault('collector stopped (SIGTERM), restarted', async () => {
      const connected = fleet!.connectedCount();
      const before = fleet!.totals();
      const t = Date.now();
      const code = await collector.stop(30_000);
      const shutdownMs = Date.now() - t;
      termCloses = diffCounters(fleet!.totals(), before);
      if (code !== 0) failures.push(`collector exited with code ${code} on SIGTERM, expected 0`);
      if ((termCloses.closes['1001'] ?? 0) < connected) {
        failures.push(`on SIGTERM ${termCloses.closes['1001'] ?? 0} of ${connected} connected stations saw close code 1001 (closes: ${JSON.stringify(termCloses.closes)})`);
      }
      const drops = fleet!.stations.flatMap((s) => s.drops.filter((d) => d.at >= t));
      const inFlight = drops.filter((d) => d.sentAt < t).length;
      await sleep(1000);
      await collector.start();
      return [
        `exit code ${code} after ${(shutdownMs / 1000).toFixed(1)} s`,
        `close 1001 seen by ${termCloses.closes['1001'] ?? 0} of ${connected} connected stations`,
        `calls lost with the closing connection: ${inFlight} sent before SIGTERM, ${drops.length - inFlight} sent after it`,
      ];
    });

    await sleep(3000);
    await fleet.stop(20_000);
    const loadSeconds = (fleet.stoppedAt - loadStarted) / 1000;

    // Drain: the journal must empty (InfluxDB has everything), then count.
    const drainStarted = Date.now();
    let drainSeconds: number | null = null;
    let staleOpenTx = 0;
    const staleExamples: string[] = [];
    const redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    await redisClient.connect();
    try {
      for (let i = 0; i < 600 && Date.now() - drainStarted < 60_000; i++) {
        const [metric, xlen] = await Promise.all([collector.metric('chargewatch_journal_entries').catch(() => undefined), redisClient.xlen('cw:journal')]);
        if (metric === 0 && xlen === 0) {
          drainSeconds = (Date.now() - drainStarted) / 1000;
          break;
        }
        await sleep(250);
      }
      // Not a durability figure, but the same resends leave state behind: transactions the collector still
      // holds open although every station ended all but (at most) its last one.
      for (const st of fleet.stations) {
        const open = await redisClient.hkeys(`cw:station:${st.id}:tx`);
        const stale = open.filter((id) => id !== st.openTransaction);
        staleOpenTx += stale.length;
        if (stale.length && staleExamples.length < 3) staleExamples.push(`${st.id} (${st.protocol}): ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''}`);
      }
    } finally {
      redisClient.disconnect();
    }
    if (drainSeconds === null) failures.push('the journal did not drain to 0 entries within 60 s after the load stopped');
    watch.stop();

    const verification: Verification = await verifyInInflux(influx.url, DATABASE, fleet.stations);
    if (verification.samplesLost || verification.txLost) failures.push(`lost: ${verification.samplesLost} meter samples, ${verification.txLost} transaction events`);
    if (verification.sampleDuplicates || verification.txDuplicates) {
      failures.push(`duplicates: ${verification.sampleDuplicates} meter points, ${verification.txDuplicates} transaction points`);
    }
    if (verification.valueMismatches) failures.push(`${verification.valueMismatches} samples stored with a different value`);
    const mishandled = hostile.filter((o) => !o.ok);
    if (mishandled.length) failures.push(`hostile inputs not handled as expected: ${mishandled.map((o) => `${o.name} → ${o.observed}`).join('; ')}`);
    if (Object.keys(hostileDisturbance.closes).length) failures.push(`reliable stations disconnected during the hostile inputs: ${JSON.stringify(hostileDisturbance.closes)}`);
    const hostilePoints = await influxQuery(influx.url, DATABASE, `SELECT count(value) FROM meter WHERE station_id =~ /^HOSTILE-/`);
    const storedHostile = Number(hostilePoints[0]?.count ?? 0);
    if (storedHostile) failures.push(`${storedHostile} meter points stored from hostile inputs`);

    const totals = fleet.totals();
    const byProtocol: Record<string, number> = {};
    for (const s of fleet.stations) byProtocol[s.protocol] = (byProtocol[s.protocol] ?? 0) + 1;
    const report: RunReport = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      passed: failures.length === 0,
      failures,
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}`,
      software: `Node ${process.version}, Redis ${await redis.version().catch(() => '?')}, InfluxDB ${await influx.version().catch(() => '?')}`,
      wallSeconds: (Date.now() - started) / 1000,
      load: {
        stations: fleet.stations.length,
        byProtocol,
        intervalMs: INTERVAL_MS,
        loadSeconds,
        totals,
        samplesAcked: verification.samplesAcked,
        txAcked: verification.txAcked,
      },
      faults,
      hostile: { outcomes: hostile, disturbance: hostileDisturbance },
      drainSeconds,
      verification,
      staleOpenTx: { count: staleOpenTx, examples: staleExamples },
    };
    // Keep the hostile-input suite's section, which that suite writes into the same file.
    const previous = existsSync(REPORT) ? extractBlock(readFileSync(REPORT, 'utf8')) : undefined;
    writeFileSync(REPORT, renderReport(report) + (previous ? `\n${previous}\n` : ''));
    console.log(
      `fault suite: ${totals.acked} calls acked (${(totals.acked / loadSeconds).toFixed(0)}/s) by ${fleet.stations.length} stations over ${loadSeconds.toFixed(0)} s; ` +
        `${faults.length} faults; ${hostile.length} hostile inputs; lost ${verification.samplesLost + verification.txLost}, duplicates ${verification.sampleDuplicates + verification.txDuplicates}` +
        (verification.examples.length ? `\n${verification.examples.join('\n')}` : ''),
    );

    expect(HOSTILE_INPUTS.length).toBe(hostile.length);
    expect({ lost: verification.samplesLost + verification.txLost, duplicates: verification.sampleDuplicates + verification.txDuplicates }).toEqual({ lost: 0, duplicates: 0 });
    expect(failures).toEqual([]);
    failed = false;
  }, 360_000);
});
