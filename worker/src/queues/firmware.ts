/**
 * The firmware queue: one job scheduler, `campaign-ticks`, that advances every running campaign. Kept
 * apart from housekeeping so a slow campaign tick (it waits for stations' answers) never delays a sweep.
 */
import { FIRMWARE_JOBS, QUEUES } from '@chargewatch/model';
import type { WorkerConfig } from '../config';
import type { Schedule } from './housekeeping';

export const FIRMWARE_QUEUE = QUEUES.firmware;

export function firmwareSchedules(config: WorkerConfig, enabled: boolean): Array<Omit<Schedule, 'name'> & { name: string }> {
  return [{ name: FIRMWARE_JOBS.campaignTicks, everyMs: enabled ? config.schedules.campaignTickSec * 1000 : 0 }];
}
