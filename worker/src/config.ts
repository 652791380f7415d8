/**
 * Configuration of `chargewatch worker` from the environment. Every variable is listed in SETTINGS with
 * its default and meaning; a unit test keeps the README's worker table in step with it. Variables the
 * worker shares with the collector (REDIS_*, TX_STALE_AFTER_SEC, REGISTRY_PRUNE_UNBOOTED_AFTER_SEC,
 * JOURNAL_MAX_ENTRIES, LOG_LEVEL) have the same names and defaults, so one env file serves both.
 */
import { hostname } from 'node:os';
import type { FirmwareTimeouts } from '@chargewatch/model';
import { INFLUX_SETTINGS, parseKey, readInfluxSettings, type InfluxSettings } from '@chargewatch/platform';
import { MISUSE_SETTINGS, readMisuseSettings, type MisuseSettings } from './misuse/misuse-config';

export interface Setting {
  env: string;
  default: string;
  meaning: string;
}

export const SETTINGS: Setting[] = [
  { env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', meaning: 'Redis holding the station state and the BullMQ queues' },
  { env: 'REDIS_PREFIX', default: 'cw:', meaning: 'Key prefix of the deployment; BullMQ\'s keys go under `<prefix>bull:`' },
  { env: 'WORKER_METRICS_HOST', default: '0.0.0.0', meaning: 'Address of the worker\'s /metrics and /healthz listener' },
  { env: 'WORKER_METRICS_PORT', default: '9102', meaning: 'Port of the worker\'s /metrics and /healthz' },
  { env: 'WORKER_CONCURRENCY', default: '1', meaning: 'Jobs one worker process runs at the same time per queue' },
  { env: 'WORKER_SHUTDOWN_GRACE_SEC', default: '10', meaning: 'On SIGTERM/SIGINT, how long active jobs may finish before the worker closes anyway' },
  { env: 'WORKER_STALE_SWEEP_INTERVAL_SEC', default: '300', meaning: 'How often the housekeeping queue runs the stale-transaction sweep; 0 = not scheduled (collectors then keep TX_STALE_SWEEP_INTERVAL_SEC)' },
  { env: 'WORKER_REGISTRY_PRUNE_INTERVAL_SEC', default: '600', meaning: 'How often the housekeeping queue prunes stations that never booted; 0 = not scheduled' },
  { env: 'WORKER_CAMPAIGN_TICK_SEC', default: '10', meaning: 'How often the firmware queue advances every running firmware campaign (gates, waves, sending updates); 0 = campaigns do not advance' },
  { env: 'TX_STALE_AFTER_SEC', default: '86400', meaning: 'A transaction nothing has named for this long is closed by the sweep (stoppedReason StaleNoActivity); at least 600, as in the collector' },
  { env: 'REGISTRY_PRUNE_UNBOOTED_AFTER_SEC', default: '86400', meaning: 'Age (last seen) after which a never-booted station without metadata or security profile is pruned. 0 = never' },
  { env: 'JOURNAL_MAX_ENTRIES', default: '2000000', meaning: 'Journal bound, as in the collector: the sweep\'s closes are journaled like every event and refused beyond it' },
  // INFLUX_* (used with INFLUX_WRITER=worker, when the worker writes the journal to InfluxDB): platform's influx-settings.ts.
  ...INFLUX_SETTINGS,
  { env: 'DATABASE_URL', default: '', meaning: 'PostgreSQL of business records (as the collector\'s); migrations run at start. Firmware, misuse detection and charging sessions need it: empty, the `firmware`, `misuse` and `sessions` journal consumers, firmware timeouts and their metrics do not run' },
  { env: 'WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC', default: '60', meaning: 'How often the housekeeping queue ends firmware updates stalled past their stage timeout; 0 = not scheduled' },
  { env: 'WORKER_FIRMWARE_METRICS_INTERVAL_SEC', default: '60', meaning: 'How often the firmware gauges and counters are computed from the inventory and the updates table' },
  { env: 'FIRMWARE_TIMEOUT_DOWNLOAD_SEC', default: '3600', meaning: 'A firmware update not downloaded this long after its retrieve time ends failed stage_timeout' },
  { env: 'FIRMWARE_TIMEOUT_INSTALL_START_SEC', default: '7200', meaning: 'Downloaded firmware not installing this long after download (or its install time) ends stage_timeout; stations wait for sessions to end' },
  { env: 'FIRMWARE_TIMEOUT_INSTALL_SEC', default: '1800', meaning: 'Installing this long without Installed or a boot ends stage_timeout' },
  { env: 'FIRMWARE_TIMEOUT_RETURN_SEC', default: '900', meaning: 'A station down to install (or reporting Installed) that has not booted this long after ends no_return' },
  { env: 'COMMAND_DEADLINE_SEC', default: '300', meaning: 'As in the collector: how long a command the worker submits (a firmware form retry) waits for its station' },
  { env: 'COMMAND_RETENTION_DAYS', default: '30', meaning: 'As in the collector: how long command records are kept in Redis' },
  { env: 'PROM_MAX_VENDOR_MODELS', default: '100', meaning: 'As in the collector: distinct vendor/model pairs used as label values of the firmware metrics; further pairs are labelled other' },
  // MISUSE_* and WORKER_MISUSE_METRICS_INTERVAL_SEC (the `misuse` journal consumer, with DATABASE_URL): misuse/misuse-config.ts.
  ...MISUSE_SETTINGS,
  { env: 'WORKER_LOCAL_LIST_SCAN_SEC', default: '60', meaning: 'How often the access queue looks for stations whose local list is due: never synced, booted or reconnected since, a request not yet served, a retry or drift check due; 0 = local lists are synced only on token changes and requests. Needs DATABASE_URL' },
  { env: 'LOCAL_LIST_DEBOUNCE_SEC', default: '5', meaning: 'A token change syncs the local lists of the stations it is allowed at this long after it (further changes meanwhile join the same sync)' },
  { env: 'LOCAL_LIST_CHECK_INTERVAL_SEC', default: '3600', meaning: 'How often a station\'s local list version is checked (GetLocalListVersion); a version other than the stored one is resynced with a Full' },
  { env: 'LOCAL_LIST_RETRY_BASE_SEC', default: '60', meaning: 'First retry after a refused or unanswered local-list sync; doubled per failure up to LOCAL_LIST_CHECK_INTERVAL_SEC' },
  { env: 'LOCAL_LIST_COMMAND_WAIT_SEC', default: '60', meaning: 'How long one local-list command (SendLocalList, GetLocalListVersion, GetConfiguration/GetVariables) may wait for its station' },
  { env: 'ACCESS_PIN_SECRET', default: '', meaning: 'As in the collector (the same value): the sessions consumer links KeyCode (PIN) sessions to their registry token; empty: PIN sessions are recorded with the masked PIN only' },
  { env: 'ACCESS_SEND_PINS', default: 'off', meaning: 'As in the collector: on sends KeyCode PINs in local lists (opened with ACCESS_PIN_KEY); off leaves KeyCode tokens out of them' },
  { env: 'ACCESS_PIN_KEY', default: '', meaning: 'As in the collector (the same value): the AES-256-GCM key the sealed PINs are opened with; needed only with ACCESS_SEND_PINS=on' },
  { env: 'WORKER_ID', default: '<hostname>', meaning: 'Stable id of this worker process (BullMQ worker name, holder of the sweep lock)' },
  { env: 'LOG_LEVEL', default: 'info', meaning: 'pino log level: fatal, error, warn, info, debug, trace' },
];

export interface WorkerConfig {
  redis: { url: string; prefix: string };
  metrics: { host: string; port: number };
  concurrency: number;
  shutdownGraceSec: number;
  /** Seconds between runs of each housekeeping job; 0 = its scheduler is removed. */
  schedules: { staleSweepSec: number; registryPruneSec: number; firmwareTimeoutsSec: number; campaignTickSec: number };
  transactions: { staleAfterSec: number };
  registry: { pruneUnbootedAfterSec: number };
  journalMaxEntries: number;
  influx: InfluxSettings;
  /** PostgreSQL; empty: no firmware. */
  database: { url: string };
  firmware: { timeouts: FirmwareTimeouts; metricsIntervalSec: number; maxVendorModels: number };
  commands: { deadlineSec: number; retentionDays: number };
  /** Misuse detection (with DATABASE_URL). */
  misuse: MisuseSettings;
  localLists: { scanSec: number; debounceSec: number; checkIntervalSec: number; retryBaseSec: number; commandWaitSec: number };
  /** PIN keys as the collectors': the secret finds KeyCode tokens (sessions), the key opens sealed PINs (local lists). */
  access: { pinSecret?: Buffer; pinKey?: Buffer; sendPins: boolean };
  workerId: string;
  logLevel: string;
}

export class ConfigError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const defaults = Object.fromEntries(SETTINGS.map((s) => [s.env, s.default]));

function int(env: NodeJS.ProcessEnv, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  // Compose and env files set variables to "" when left blank; that means "use the default", not 0.
  const raw = env[name]?.trim() || defaults[name]!;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name} must be an integer >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got "${raw}"`);
  return n;
}

function redisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`REDIS_URL must be a URL such as redis://127.0.0.1:6379, got "${raw}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError(`REDIS_URL must use redis:// or rediss://, got "${url.protocol}"`);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const str = (name: string) => env[name]?.trim() || defaults[name]!;
  const logLevel = str('LOG_LEVEL');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  return {
    redis: { url: redisUrl(str('REDIS_URL')), prefix: env.REDIS_PREFIX ?? defaults.REDIS_PREFIX! },
    metrics: { host: str('WORKER_METRICS_HOST'), port: int(env, 'WORKER_METRICS_PORT', 0, 65535) },
    concurrency: int(env, 'WORKER_CONCURRENCY', 1, 100),
    shutdownGraceSec: int(env, 'WORKER_SHUTDOWN_GRACE_SEC', 0, 600),
    schedules: {
      staleSweepSec: interval(env, 'WORKER_STALE_SWEEP_INTERVAL_SEC'),
      registryPruneSec: interval(env, 'WORKER_REGISTRY_PRUNE_INTERVAL_SEC'),
      firmwareTimeoutsSec: interval(env, 'WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC'),
      campaignTickSec: interval(env, 'WORKER_CAMPAIGN_TICK_SEC'),
    },
    // Meter values refresh a transaction's activity about once a minute: far shorter thresholds would close live ones.
    transactions: { staleAfterSec: int(env, 'TX_STALE_AFTER_SEC', 600) },
    registry: { pruneUnbootedAfterSec: int(env, 'REGISTRY_PRUNE_UNBOOTED_AFTER_SEC') },
    journalMaxEntries: int(env, 'JOURNAL_MAX_ENTRIES', 1),
    influx: readInfluxSettings(env, (message) => new ConfigError(message)),
    database: { url: databaseUrl(env.DATABASE_URL?.trim() ?? '') },
    firmware: {
      timeouts: {
        downloadSec: int(env, 'FIRMWARE_TIMEOUT_DOWNLOAD_SEC', 1, 30 * 24 * 3600),
        installStartSec: int(env, 'FIRMWARE_TIMEOUT_INSTALL_START_SEC', 1, 30 * 24 * 3600),
        installSec: int(env, 'FIRMWARE_TIMEOUT_INSTALL_SEC', 1, 30 * 24 * 3600),
        returnSec: int(env, 'FIRMWARE_TIMEOUT_RETURN_SEC', 1, 30 * 24 * 3600),
      },
      metricsIntervalSec: int(env, 'WORKER_FIRMWARE_METRICS_INTERVAL_SEC', 1, 24 * 3600),
      maxVendorModels: int(env, 'PROM_MAX_VENDOR_MODELS', 1, 100_000),
    },
    commands: { deadlineSec: int(env, 'COMMAND_DEADLINE_SEC', 1, 7 * 24 * 3600), retentionDays: int(env, 'COMMAND_RETENTION_DAYS', 1, 3650) },
    misuse: readMisuseSettings(env, (message) => new ConfigError(message)),
    localLists: {
      scanSec: interval(env, 'WORKER_LOCAL_LIST_SCAN_SEC'),
      debounceSec: int(env, 'LOCAL_LIST_DEBOUNCE_SEC', 0, 3600),
      checkIntervalSec: int(env, 'LOCAL_LIST_CHECK_INTERVAL_SEC', 10, 30 * 24 * 3600),
      retryBaseSec: int(env, 'LOCAL_LIST_RETRY_BASE_SEC', 1, 24 * 3600),
      commandWaitSec: int(env, 'LOCAL_LIST_COMMAND_WAIT_SEC', 5, 3600),
    },
    access: accessKeys(env),
    workerId: env.WORKER_ID?.trim() || hostname(),
    logLevel,
  };
}

function databaseUrl(raw: string): string {
  if (!raw) return '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DATABASE_URL must be a URL such as postgres://user:password@host:5432/chargewatch');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new ConfigError(`DATABASE_URL must use postgres:// or postgresql://, got "${url.protocol}"`);
  return raw;
}

function accessKeys(env: NodeJS.ProcessEnv): WorkerConfig['access'] {
  const key = (name: string, exact?: number) => {
    const raw = env[name]?.trim() ?? '';
    if (!raw) return undefined;
    try {
      return parseKey(raw, name, exact);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
  };
  const send = env.ACCESS_SEND_PINS?.trim() || 'off';
  if (send !== 'on' && send !== 'off') throw new ConfigError(`ACCESS_SEND_PINS must be on or off, got "${send}"`);
  const out: WorkerConfig['access'] = { sendPins: send === 'on' };
  const pinSecret = key('ACCESS_PIN_SECRET');
  if (pinSecret) out.pinSecret = pinSecret;
  const pinKey = key('ACCESS_PIN_KEY', 32);
  if (pinKey) out.pinKey = pinKey;
  if (out.sendPins && !pinKey) throw new ConfigError('ACCESS_SEND_PINS=on needs ACCESS_PIN_KEY (the collectors\' key) to open the PINs');
  return out;
}

/** 0 (off) or 1 s .. 1 week. */
function interval(env: NodeJS.ProcessEnv, name: string): number {
  return int(env, name, 0, 7 * 24 * 3600);
}
