/**
 * The BullMQ queues and job names of the worker (`chargewatch worker`), named in one place like the
 * Redis keys in keys.ts, so a producer in any process and the worker that consumes agree on them.
 *
 * BullMQ keeps its own keys, `<bull prefix>:<queue>:…` (wait list, active list, job hashes, schedulers,
 * events stream). Their prefix is derived from REDIS_PREFIX, so two deployments sharing one Redis never
 * share a queue: with the default `cw:` a queue's keys are `cw:bull:housekeeping:…`.
 */

/** Every queue the worker consumes. */
export const QUEUES = {
  /** Periodic maintenance of the shared state, one job scheduler per task. */
  housekeeping: 'housekeeping',
  /** Firmware campaigns: one job scheduler ticks every running campaign (worker/src/campaigns). */
  firmware: 'firmware',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job names on the housekeeping queue; each is also the id of its job scheduler. */
export const HOUSEKEEPING_JOBS = {
  /** Closes transactions nothing has named for TX_STALE_AFTER_SEC (platform StaleTransactionSweeper). */
  staleTransactionSweep: 'stale-transaction-sweep',
  /** Removes registry entries of stations that connected but never booted (StationStore.pruneUnbooted). */
  registryPrune: 'registry-prune',
  /** Settles and times out open firmware updates (platform runFirmwareTimeouts); needs DATABASE_URL. */
  firmwareTimeouts: 'firmware-timeouts',
} as const;

export type HousekeepingJobName = (typeof HOUSEKEEPING_JOBS)[keyof typeof HOUSEKEEPING_JOBS];

/** Job names on the firmware queue. */
export const FIRMWARE_JOBS = {
  /** Advances every running campaign by one tick (the scheduler's id too). */
  campaignTicks: 'campaign-ticks',
} as const;

export type FirmwareJobName = (typeof FIRMWARE_JOBS)[keyof typeof FIRMWARE_JOBS];

/**
 * BullMQ's `prefix` option for a deployment's REDIS_PREFIX. BullMQ joins prefix and queue name with `:`,
 * so a trailing `:` of REDIS_PREFIX is dropped rather than doubled.
 */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix.replace(/:$/, '')}${redisPrefix ? ':' : ''}bull`;
}
