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
  /** Access control: local authorization list syncs per station and their scan (worker/src/access). */
  access: 'access',
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

/** Job names on the access queue. */
export const ACCESS_JOBS = {
  /**
   * Syncs one station's local list (data `{stationId, full?, check?}`); its job id is derived from the
   * station (localListJobId), so a burst of triggers while it waits coalesces into one job.
   */
  localListSync: 'local-list-sync',
  /** Finds stations due for a sync or drift check (boots, reconnects, schedule); the scheduler's id too. */
  localListScan: 'local-list-scan',
} as const;

export type AccessJobName = (typeof ACCESS_JOBS)[keyof typeof ACCESS_JOBS];

/** The job id of a station's local-list sync: BullMQ ids may not hold `:` (hex of the UTF-16 code units). */
export function localListJobId(stationId: string): string {
  let hex = '';
  for (let i = 0; i < stationId.length; i++) hex += stationId.charCodeAt(i).toString(16).padStart(4, '0');
  return `local-list-${hex}`;
}

/**
 * BullMQ's `prefix` option for a deployment's REDIS_PREFIX. BullMQ joins prefix and queue name with `:`,
 * so a trailing `:` of REDIS_PREFIX is dropped rather than doubled.
 */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix.replace(/:$/, '')}${redisPrefix ? ':' : ''}bull`;
}
