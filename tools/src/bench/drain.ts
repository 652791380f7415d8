/**
 * After the load stops: wait until InfluxDB holds every acknowledged sample, wherever the writer runs
 * (INFLUX_WRITER), and measure how long that took. Progress is read twice: the InfluxDB count, and the
 * lag of the journal's consumer group `influx` (entries delivered and unacknowledged plus not yet
 * delivered), which is 0 once the writer has durably written everything.
 */
import Redis from 'ioredis';
import { countsByMeasurand, influxQuery } from './collector-child';
import { SAMPLES_PER_FRAME } from './frames';
import { log, sleep } from './setup';

const ENERGY = 'Energy.Active.Import.Register';

export interface Correctness {
  acked: Record<string, number>;
  stored: Record<string, number>;
  ok: boolean;
  refused: number;
  inDoubt: number;
  /** Time from the end of the load until the InfluxDB count matched (or the wait gave up). */
  waitedMs: number;
  /** Entries of the journal the `influx` group had not handled when the load stopped (undefined: not read). */
  lagAtStop?: number;
  /** Why the wait ended. */
  outcome: DrainOutcome;
}

export type DrainOutcome = 'matched' | 'drained' | 'stalled' | 'timeout';

export interface DrainLimits {
  timeoutMs: number;
  /** Give up when the count has not moved for this long while the journal still has entries for the writer. */
  stallMs: number;
  /** With the journal handled (lag 0) a mismatch is final once the count has not moved for this long. */
  settleMs: number;
}

export const DRAIN_LIMITS: DrainLimits = { timeoutMs: 60_000, stallMs: 5000, settleMs: 1000 };

/**
 * Every acknowledged sample is stored, and at most the samples of the calls in doubt (sent, unanswered
 * when the phase ended: stored or not, nobody knows) are there besides.
 */
export function countsAgree(acked: Record<string, number>, stored: Record<string, number>, inDoubtCalls: number): boolean {
  return Object.keys(acked).every((m) => {
    const n = stored[m] ?? 0;
    return n >= acked[m]! && n <= acked[m]! + (SAMPLES_PER_FRAME[m] ?? 0) * inDoubtCalls;
  });
}

/**
 * Whether to stop waiting; undefined means poll again. Pure, so the rules are unit-tested. `slack` is
 * how many samples beyond `target` the calls in doubt may add; with some in doubt a count in range ends
 * the wait only once the journal is handled, so their samples are in too.
 */
export function drainVerdict(
  p: { target: number; slack?: number; stored: number; lag: number | undefined; unchangedMs: number; elapsedMs: number },
  limits: DrainLimits = DRAIN_LIMITS,
): DrainOutcome | undefined {
  const slack = p.slack ?? 0;
  if (p.stored >= p.target && p.stored <= p.target + slack && (slack === 0 || p.lag === 0)) return 'matched';
  if (p.lag === 0 && p.unchangedMs >= limits.settleMs) return 'drained';
  if (p.unchangedMs >= limits.stallMs) return 'stalled';
  if (p.elapsedMs >= limits.timeoutMs) return 'timeout';
  return undefined;
}

/** The `influx` group's lag from XINFO GROUPS (Redis 7: pending + lag), or undefined without the group. */
export async function influxGroupLag(redis: Redis, journalKey: string): Promise<number | undefined> {
  let groups: unknown[][];
  try {
    groups = (await redis.xinfo('GROUPS', journalKey)) as unknown[][];
  } catch {
    return undefined;
  }
  for (const g of groups) {
    const f: Record<string, unknown> = {};
    for (let i = 0; i + 1 < g.length; i += 2) f[String(g[i])] = g[i + 1];
    if (f.name !== 'influx') continue;
    // lag is null only while deleted entries lie ahead of the group; the stream length bounds it then.
    const undelivered = f.lag === null || f.lag === undefined ? await redis.xlen(journalKey) : Number(f.lag);
    return Number(f.pending) + undelivered;
  }
  return undefined;
}

/** Polls InfluxDB and the journal until every acknowledged sample is stored (or the wait gives up). */
export async function waitForInflux(
  o: { influxUrl: string; database: string; redisUrl: string; prefix: string; ackedMeter: number; refused: number; inDoubt: number; label: string },
  limits: DrainLimits = DRAIN_LIMITS,
): Promise<Correctness> {
  const acked: Record<string, number> = {};
  for (const [m, n] of Object.entries(SAMPLES_PER_FRAME)) acked[m] = n * o.ackedMeter;
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  const key = `${o.prefix}journal`;
  const start = Date.now();
  let outcome: DrainOutcome | undefined;
  let lagAtStop: number | undefined;
  let stored: Record<string, number> = {};
  let waitedMs = 0;
  try {
    await redis.connect();
    lagAtStop = await influxGroupLag(redis, key);
    let last = -1;
    let changedAt = start;
    while (!outcome) {
      const lag = await influxGroupLag(redis, key);
      stored = await countsByMeasurand(o.influxUrl, o.database);
      const now = Date.now();
      const energy = stored[ENERGY] ?? 0;
      if (energy !== last) {
        last = energy;
        changedAt = now;
      }
      waitedMs = now - start;
      outcome = drainVerdict({ target: acked[ENERGY]!, slack: o.inDoubt * SAMPLES_PER_FRAME[ENERGY]!, stored: energy, lag, unchangedMs: now - changedAt, elapsedMs: waitedMs }, limits);
      if (!outcome) await sleep(200);
    }
  } finally {
    redis.disconnect();
  }
  stored = await countsByMeasurand(o.influxUrl, o.database);
  const energyRow = await influxQuery(o.influxUrl, o.database, `SELECT count(value) FROM meter WHERE measurand='${ENERGY}'`);
  const energyStored = energyRow.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
  const ok = countsAgree(acked, stored, o.inDoubt) && countsAgree({ [ENERGY]: acked[ENERGY]! }, { [ENERGY]: energyStored }, o.inDoubt);
  log(`${o.label}: journal lag at stop ${lagAtStop ?? 'n/a'} entries; acked ${acked[ENERGY]} energy samples, InfluxDB holds ${energyStored} after ${(waitedMs / 1000).toFixed(1)} s (${outcome}) → ${ok ? 'OK' : 'MISMATCH'}`);
  return { acked, stored, ok, refused: o.refused, inDoubt: o.inDoubt, waitedMs, lagAtStop, outcome };
}
