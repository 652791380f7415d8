/**
 * The firmware queue: one job scheduler, `campaign-ticks`, that advances every running campaign. Kept
 * apart from housekeeping so a slow campaign tick (it waits for stations' answers) never delays a sweep.
 */
import { FIRMWARE_JOBS, QUEUES, type FirmwareJobName } from '@chargewatch/model';
import type { WorkerConfig } from '../config';
import type { Schedule } from './housekeeping';

export const FIRMWARE_QUEUE = QUEUES.firmware;

/** Without a database there are no campaigns to tick: the scheduler is removed. */
export function firmwareSchedules(config: WorkerConfig): Array<Schedule<FirmwareJobName>> {
  return [{ name: FIRMWARE_JOBS.campaignTicks, everyMs: config.database.url ? config.schedules.campaignTickSec * 1000 : 0 }];
}
