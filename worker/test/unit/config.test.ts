import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MISUSE_THRESHOLDS } from '@chargewatch/model';
import { ConfigError, SETTINGS, loadConfig, type WorkerConfig } from '../../src/config';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const expected: WorkerConfig = {
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'cw:' },
      metrics: { host: '0.0.0.0', port: 9102 },
      concurrency: 1,
      shutdownGraceSec: 10,
      schedules: { staleSweepSec: 300, registryPruneSec: 600, firmwareTimeoutsSec: 60, campaignTickSec: 10 },
      transactions: { staleAfterSec: 86400 },
      registry: { pruneUnbootedAfterSec: 86400 },
      journalMaxEntries: 2000000,
      influx: {
        url: 'http://127.0.0.1:8086',
        api: 'auto',
        database: 'chargewatch',
        org: '',
        bucket: 'chargewatch',
        token: '',
        writer: 'collector',
        batchSize: 5000,
        flushIntervalMs: 500,
        maxBufferLines: 200000,
        deadLetterMax: 100000,
      },
      database: { url: '' },
      firmware: { timeouts: { downloadSec: 3600, installStartSec: 7200, installSec: 1800, returnSec: 900 }, metricsIntervalSec: 60, maxVendorModels: 100 },
      commands: { deadlineSec: 300, retentionDays: 30 },
      misuse: { thresholds: DEFAULT_MISUSE_THRESHOLDS, blockOn: new Set(), hashSecret: '', metricsIntervalSec: 60 },
      localLists: { scanSec: 60, debounceSec: 5, checkIntervalSec: 3600, retryBaseSec: 60, commandWaitSec: 60 },
      access: { sendPins: false },
      workerId: hostname(),
      logLevel: 'info',
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      REDIS_URL: 'rediss://redis.internal:6380/2',
      REDIS_PREFIX: 'prod:',
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: '9300',
      WORKER_CONCURRENCY: '4',
      WORKER_SHUTDOWN_GRACE_SEC: '30',
      WORKER_STALE_SWEEP_INTERVAL_SEC: '60',
      WORKER_REGISTRY_PRUNE_INTERVAL_SEC: '0',
      WORKER_CAMPAIGN_TICK_SEC: '5',
      TX_STALE_AFTER_SEC: '7200',
      REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: '0',
      JOURNAL_MAX_ENTRIES: '1000',
      INFLUX_URL: 'http://influx.internal:8086',
      INFLUX_API: 'v1',
      INFLUX_DATABASE: 'cw_prod',
      INFLUX_ORG: 'acme',
      INFLUX_BUCKET: 'cw-bucket',
      INFLUX_TOKEN: 'itok',
      INFLUX_WRITER: 'worker',
      INFLUX_BATCH_SIZE: '1000',
      INFLUX_FLUSH_INTERVAL_MS: '50',
      INFLUX_MAX_BUFFER_LINES: '5000',
      INFLUX_DEADLETTER_MAX: '10',
      DATABASE_URL: 'postgres://cw:pw@db.internal:5432/chargewatch',
      WORKER_FIRMWARE_TIMEOUTS_INTERVAL_SEC: '30',
      WORKER_FIRMWARE_METRICS_INTERVAL_SEC: '15',
      FIRMWARE_TIMEOUT_DOWNLOAD_SEC: '600',
      FIRMWARE_TIMEOUT_INSTALL_START_SEC: '700',
      FIRMWARE_TIMEOUT_INSTALL_SEC: '800',
      FIRMWARE_TIMEOUT_RETURN_SEC: '900',
      WORKER_LOCAL_LIST_SCAN_SEC: '0',
      LOCAL_LIST_DEBOUNCE_SEC: '1',
      LOCAL_LIST_CHECK_INTERVAL_SEC: '600',
      LOCAL_LIST_RETRY_BASE_SEC: '10',
      LOCAL_LIST_COMMAND_WAIT_SEC: '20',
      COMMAND_DEADLINE_SEC: '60',
      COMMAND_RETENTION_DAYS: '7',
      PROM_MAX_VENDOR_MODELS: '5',
      MISUSE_RULES: 'pin_guessing, impossible_travel',
      MISUSE_UNKNOWN_BURST_COUNT: '10',
      MISUSE_UNKNOWN_BURST_WINDOW_SEC: '60',
      MISUSE_BLOCKED_RETRY_COUNT: '2',
      MISUSE_BLOCKED_RETRY_WINDOW_SEC: '120',
      MISUSE_PIN_FAILURES: '3',
      MISUSE_PIN_WINDOW_SEC: '90',
      MISUSE_PIN_LOCKOUT_SEC: '600',
      MISUSE_CONCURRENT_STALE_SEC: '3600',
      MISUSE_TRAVEL_MAX_KMH: '120',
      MISUSE_TRAVEL_MIN_KM: '2',
      MISUSE_TRAVEL_WINDOW_SEC: '7200',
      MISUSE_IDLE_GRACE_SEC: '900',
      MISUSE_SECURITY_EVENTS: 'TamperDetectionActivated, InvalidMessages',
      MISUSE_MERGE_SEC: '600',
      MISUSE_BLOCK_TOKEN_RULES: 'impossible_travel',
      MISUSE_TOKEN_HASH_SECRET: 's3cret',
      WORKER_MISUSE_METRICS_INTERVAL_SEC: '30',
      ACCESS_PIN_SECRET: 'ab'.repeat(32),
      ACCESS_SEND_PINS: 'on',
      ACCESS_PIN_KEY: 'cd'.repeat(32),
      WORKER_ID: 'worker-a',
      LOG_LEVEL: 'debug',
    });
    expect(c).toEqual({
      redis: { url: 'rediss://redis.internal:6380/2', prefix: 'prod:' },
      metrics: { host: '127.0.0.1', port: 9300 },
      concurrency: 4,
      shutdownGraceSec: 30,
      schedules: { staleSweepSec: 60, registryPruneSec: 0, firmwareTimeoutsSec: 30, campaignTickSec: 5 },
      transactions: { staleAfterSec: 7200 },
      registry: { pruneUnbootedAfterSec: 0 },
      journalMaxEntries: 1000,
      influx: {
        url: 'http://influx.internal:8086',
        api: 'v1',
        database: 'cw_prod',
        org: 'acme',
        bucket: 'cw-bucket',
        token: 'itok',
        writer: 'worker',
        batchSize: 1000,
        flushIntervalMs: 50,
        maxBufferLines: 5000,
        deadLetterMax: 10,
      },
      database: { url: 'postgres://cw:pw@db.internal:5432/chargewatch' },
      firmware: { timeouts: { downloadSec: 600, installStartSec: 700, installSec: 800, returnSec: 900 }, metricsIntervalSec: 15, maxVendorModels: 5 },
      commands: { deadlineSec: 60, retentionDays: 7 },
      misuse: {
        thresholds: {
          enabled: new Set(['pin_guessing', 'impossible_travel']),
          unknownBurst: { count: 10, windowSec: 60 },
          blockedRetry: { count: 2, windowSec: 120 },
          pinGuessing: { count: 3, windowSec: 90, lockoutSec: 600 },
          concurrentSessions: { staleSec: 3600 },
          impossibleTravel: { maxSpeedKmh: 120, minDistanceKm: 2, windowSec: 7200 },
          idleBay: { graceSec: 900 },
          securityEvents: new Set(['TamperDetectionActivated', 'InvalidMessages']),
          mergeSec: 600,
        },
        blockOn: new Set(['impossible_travel']),
        hashSecret: 's3cret',
        metricsIntervalSec: 30,
      },
      localLists: { scanSec: 0, debounceSec: 1, checkIntervalSec: 600, retryBaseSec: 10, commandWaitSec: 20 },
      access: { pinSecret: Buffer.from('ab'.repeat(32), 'hex'), pinKey: Buffer.from('cd'.repeat(32), 'hex'), sendPins: true },
      workerId: 'worker-a',
      logLevel: 'debug',
    });
  });

  it('treats blank values as the default (compose sets unset variables to "")', () => {
    expect(loadConfig({ WORKER_METRICS_PORT: '', WORKER_CONCURRENCY: ' ', WORKER_ID: '', LOG_LEVEL: '' })).toMatchObject({
      metrics: { port: 9102 },
      concurrency: 1,
      workerId: hostname(),
      logLevel: 'info',
    });
  });

  it('keeps an empty REDIS_PREFIX empty (a deployment alone on its Redis)', () => {
    expect(loadConfig({ REDIS_PREFIX: '' }).redis.prefix).toBe('');
  });

  it.each([
    ['WORKER_METRICS_PORT', '70000', 'WORKER_METRICS_PORT must be an integer >= 0 and <= 65535, got "70000"'],
    ['WORKER_CONCURRENCY', '0', 'WORKER_CONCURRENCY must be an integer >= 1 and <= 100, got "0"'],
    ['INFLUX_WRITER', 'both', 'INFLUX_WRITER must be one of collector, worker, got "both"'],
    ['WORKER_CONCURRENCY', '2.5', 'WORKER_CONCURRENCY must be an integer >= 1 and <= 100, got "2.5"'],
    ['WORKER_STALE_SWEEP_INTERVAL_SEC', '-1', 'WORKER_STALE_SWEEP_INTERVAL_SEC must be an integer >= 0 and <= 604800, got "-1"'],
    ['WORKER_REGISTRY_PRUNE_INTERVAL_SEC', 'hourly', 'WORKER_REGISTRY_PRUNE_INTERVAL_SEC must be an integer >= 0 and <= 604800, got "hourly"'],
    ['TX_STALE_AFTER_SEC', '60', 'TX_STALE_AFTER_SEC must be an integer >= 600, got "60"'],
    ['JOURNAL_MAX_ENTRIES', '0', 'JOURNAL_MAX_ENTRIES must be an integer >= 1, got "0"'],
    ['WORKER_SHUTDOWN_GRACE_SEC', '9999', 'WORKER_SHUTDOWN_GRACE_SEC must be an integer >= 0 and <= 600, got "9999"'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must use redis:// or rediss://, got "localhost:"'],
    ['MISUSE_RULES', 'pin_guessing,typo', 'MISUSE_RULES names an unknown rule "typo" (rules: unknown_token_burst, blocked_token_retry, pin_guessing, concurrent_sessions, impossible_travel, outside_allowed_hours, idle_bay, local_list_conflict, security_event)'],
    ['MISUSE_PIN_FAILURES', '1', 'MISUSE_PIN_FAILURES must be an integer >= 2 and <= 10000, got "1"'],
    ['ACCESS_PIN_SECRET', 'c2hvcnQ=', 'ACCESS_PIN_SECRET must be at least 32 bytes, as hex or base64 (generate one with: openssl rand -hex 32)'],
    ['ACCESS_SEND_PINS', 'yes', 'ACCESS_SEND_PINS must be on or off, got "yes"'],
    ['ACCESS_SEND_PINS', 'on', "ACCESS_SEND_PINS=on needs ACCESS_PIN_KEY (the collectors' key) to open the PINs"],
    ['REDIS_URL', 'not a url', 'REDIS_URL must be a URL such as redis://127.0.0.1:6379, got "not a url"'],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(configError({ [name]: value }).message).toBe(message);
  });
});

/** The README's worker table (its own section, so the collector's table test does not see it). */
describe('README worker configuration table', () => {
  function workerRows(): Map<string, string> {
    const text = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    const start = text.indexOf('\n## The worker');
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf('\n## ', start + 1);
    const rows = new Map<string, string>();
    for (const line of text.slice(start, end < 0 ? undefined : end).split(/\r?\n/)) {
      const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|/.exec(line.trim());
      if (!m) continue;
      const def = m[2]!.trim();
      rows.set(m[1]!, /^\(empty\)$/i.test(def) ? '' : (/^`(.*)`$/.exec(def)?.[1] ?? def));
    }
    return rows;
  }

  it('lists every variable with its default and none the worker does not read', () => {
    const rows = workerRows();
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(SETTINGS.map((s) => [s.env, s.default])));
  });
});
