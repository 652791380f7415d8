/**
 * The access queue: `local-list-sync` jobs, one per station at a time (worker/src/access), and the
 * `local-list-scan` job scheduler that finds stations due for one. Kept apart from the other queues:
 * a sync waits on its station's answers.
 */
import { ACCESS_JOBS, QUEUES, type AccessJobName } from '@chargewatch/model';
import type { WorkerConfig } from '../config';
import type { Schedule } from './housekeeping';

export const ACCESS_QUEUE = QUEUES.access;

/** Without a database there are no lists to keep: the scheduler is removed. */
export function accessSchedules(config: WorkerConfig): Array<Schedule<AccessJobName>> {
  return [{ name: ACCESS_JOBS.localListScan, everyMs: config.database.url ? config.localLists.scanSec * 1000 : 0 }];
}
