/**
 * The housekeeping queue: one BullMQ job scheduler per periodic task (upsertJobScheduler, so every
 * worker process that starts declares the same schedulers and Redis keeps exactly one of each, however
 * many workers run). A task whose interval is 0 has its scheduler removed, so turning one off in the
 * config takes effect at the next start.
 */
import { HOUSEKEEPING_JOBS, QUEUES, type HousekeepingJobName } from '@chargewatch/model';
import type { Queue } from 'bullmq';
import type { WorkerConfig } from '../config';

export const HOUSEKEEPING_QUEUE = QUEUES.housekeeping;

export interface Schedule<N extends string = HousekeepingJobName> {
  name: N;
  /** 0: not scheduled. */
  everyMs: number;
}

export function housekeepingSchedules(config: WorkerConfig): Schedule[] {
  return [
    { name: HOUSEKEEPING_JOBS.staleTransactionSweep, everyMs: config.schedules.staleSweepSec * 1000 },
    // Nothing to prune when pruning is off, however often the job would run.
    { name: HOUSEKEEPING_JOBS.registryPrune, everyMs: config.registry.pruneUnbootedAfterSec > 0 ? config.schedules.registryPruneSec * 1000 : 0 },
    // Firmware lives in PostgreSQL: without DATABASE_URL there is nothing to time out (give every worker the same).
    { name: HOUSEKEEPING_JOBS.firmwareTimeouts, everyMs: config.database.url ? config.schedules.firmwareTimeoutsSec * 1000 : 0 },
  ];
}

/** What a scheduled job's runs keep in Redis: enough to look into recent failures, not an ever-growing list. */
const JOB_OPTIONS = { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } } as const;

export async function applySchedules(queue: Pick<Queue, 'upsertJobScheduler' | 'removeJobScheduler'>, schedules: Array<Schedule<string>>): Promise<void> {
  for (const s of schedules) {
    if (s.everyMs > 0) await queue.upsertJobScheduler(s.name, { every: s.everyMs }, { name: s.name, data: {}, opts: JOB_OPTIONS });
    else await queue.removeJobScheduler(s.name);
  }
}
