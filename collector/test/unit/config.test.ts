import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SETTINGS, loadConfig, type CollectorConfig } from '../../src/config';

const TOKEN = { API_TOKEN: 'secret-token' };

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it throws something else or nothing). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

describe('loadConfig defaults', () => {
  it('gives the documented defaults when only API_TOKEN is set', () => {
    const expected: CollectorConfig = {
      ocpp: {
        host: '0.0.0.0',
        port: 9000,
        tlsCert: undefined,
        tlsKey: undefined,
        tlsCa: undefined,
        defaultSecurityProfile: 0,
        maxConnectionsPerAddress: 100,
        connectRatePerAddress: 20,
        connectBurstPerAddress: 50,
        handshakeTimeoutMs: 10000,
        maxPayloadBytes: 65536,
        pingIntervalSec: 30,
        heartbeatIntervalSec: 300,
        admission: { maxHandshakes: 500, handshakeRetryAfterSec: 2, maxBoots: 200, bootPendingIntervalSec: 5 },
        identityPolicy: { name: 'identifierString', maxLength: 48 },
        maxBadMessages: 20,
        callTimeoutSec: 30,
        maxEvseId: 32,
        maxConnectorId: 8,
        newIdentitiesPerAddressPerMin: 20,
        authLockout: { threshold: 5, baseSec: 60, maxSec: 3600 },
      },
      registry: { pruneUnbootedAfterSec: 86400 },
      prometheus: { maxVendorModels: 100 },
      unknownStations: 'accept',
      commands: { deadlineSec: 300, waitSec: 5, waitMaxSec: 30, retentionDays: 30 },
      api: { host: '127.0.0.1', port: 9100, token: 'secret-token', auth: true },
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'cw:' },
      database: { url: '' },
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
      journalMaxEntries: 2000000,
      transactions: { staleAfterSec: 86400, sweepIntervalSec: 300 },
      collectorId: hostname(),
      processes: 1,
      logLevel: 'info',
      access: { mode: 'accept-all', freeVendSites: [], sendPins: false, reloadSec: 60, tokenHashSecret: '' },
    };
    expect(loadConfig(TOKEN)).toEqual(expected);
  });

  it('reads the environment passed in, not process.env', () => {
    const saved = process.env.OCPP_PORT;
    process.env.OCPP_PORT = '1234';
    try {
      expect(loadConfig(TOKEN).ocpp.port).toBe(9000);
    } finally {
      if (saved === undefined) delete process.env.OCPP_PORT;
      else process.env.OCPP_PORT = saved;
    }
  });

  it('setting every variable to its SETTINGS default changes nothing', () => {
    const env: NodeJS.ProcessEnv = { ...TOKEN };
    for (const s of SETTINGS) if (s.env !== 'COLLECTOR_ID' && s.default !== '') env[s.env] = s.default;
    expect(loadConfig(env)).toEqual(loadConfig(TOKEN));
  });

  it('an empty COLLECTOR_ID falls back to the host name', () => {
    expect(loadConfig({ ...TOKEN, COLLECTOR_ID: '' }).collectorId).toBe(hostname());
    expect(loadConfig({ ...TOKEN, COLLECTOR_ID: 'col-a' }).collectorId).toBe('col-a');
  });
});

describe('loadConfig overrides', () => {
  // A valid, non-default value for every setting, and where it lands in the config.
  const overrides: Record<string, [string, (c: CollectorConfig) => unknown, unknown]> = {
    OCPP_HOST: ['127.0.0.2', (c) => c.ocpp.host, '127.0.0.2'],
    OCPP_PORT: ['19000', (c) => c.ocpp.port, 19000],
    OCPP_DEFAULT_SECURITY_PROFILE: ['1', (c) => c.ocpp.defaultSecurityProfile, 1],
    OCPP_MAX_CONNECTIONS_PER_ADDRESS: ['0', (c) => c.ocpp.maxConnectionsPerAddress, 0],
    OCPP_CONNECT_RATE_PER_ADDRESS: ['5', (c) => c.ocpp.connectRatePerAddress, 5],
    OCPP_CONNECT_BURST_PER_ADDRESS: ['10', (c) => c.ocpp.connectBurstPerAddress, 10],
    OCPP_HANDSHAKE_TIMEOUT_MS: ['2000', (c) => c.ocpp.handshakeTimeoutMs, 2000],
    OCPP_MAX_PAYLOAD_BYTES: ['1024', (c) => c.ocpp.maxPayloadBytes, 1024],
    OCPP_PING_INTERVAL_SEC: ['0', (c) => c.ocpp.pingIntervalSec, 0],
    OCPP_HEARTBEAT_INTERVAL_SEC: ['60', (c) => c.ocpp.heartbeatIntervalSec, 60],
    OCPP_MAX_BAD_MESSAGES: ['3', (c) => c.ocpp.maxBadMessages, 3],
    INFLUX_DEADLETTER_MAX: ['50', (c) => c.influx.deadLetterMax, 50],
    OCPP_IDENTITY_POLICY: ['printable', (c) => c.ocpp.identityPolicy.name, 'printable'],
    OCPP_IDENTITY_MAX_LENGTH: ['64', (c) => c.ocpp.identityPolicy.maxLength, 64],
    OCPP_CALL_TIMEOUT_SEC: ['5', (c) => c.ocpp.callTimeoutSec, 5],
    COMMAND_DEADLINE_SEC: ['60', (c) => c.commands.deadlineSec, 60],
    COMMAND_WAIT_SEC: ['2', (c) => c.commands.waitSec, 2],
    COMMAND_WAIT_MAX_SEC: ['120', (c) => c.commands.waitMaxSec, 120],
    COMMAND_RETENTION_DAYS: ['7', (c) => c.commands.retentionDays, 7],
    UNKNOWN_STATIONS: ['reject', (c) => c.unknownStations, 'reject'],
    API_HOST: ['0.0.0.0', (c) => c.api.host, '0.0.0.0'],
    API_PORT: ['0', (c) => c.api.port, 0],
    API_TOKEN: ['other-token', (c) => c.api.token, 'other-token'],
    REDIS_URL: ['redis://redis:6380/2', (c) => c.redis.url, 'redis://redis:6380/2'],
    REDIS_PREFIX: ['prod:', (c) => c.redis.prefix, 'prod:'],
    DATABASE_URL: ['postgres://db:5432/cw', (c) => c.database.url, 'postgres://db:5432/cw'],
    INFLUX_URL: ['https://influx.example:8086', (c) => c.influx.url, 'https://influx.example:8086'],
    INFLUX_API: ['v2', (c) => c.influx.api, 'v2'],
    INFLUX_DATABASE: ['cw_test', (c) => c.influx.database, 'cw_test'],
    INFLUX_ORG: ['acme', (c) => c.influx.org, 'acme'],
    INFLUX_BUCKET: ['cw-bucket', (c) => c.influx.bucket, 'cw-bucket'],
    INFLUX_TOKEN: ['itok', (c) => c.influx.token, 'itok'],
    INFLUX_WRITER: ['worker', (c) => c.influx.writer, 'worker'],
    INFLUX_BATCH_SIZE: ['1', (c) => c.influx.batchSize, 1],
    INFLUX_FLUSH_INTERVAL_MS: ['10', (c) => c.influx.flushIntervalMs, 10],
    INFLUX_MAX_BUFFER_LINES: ['1000', (c) => c.influx.maxBufferLines, 1000],
    JOURNAL_MAX_ENTRIES: ['5000', (c) => c.journalMaxEntries, 5000],
    TX_STALE_AFTER_SEC: ['7200', (c) => c.transactions.staleAfterSec, 7200],
    TX_STALE_SWEEP_INTERVAL_SEC: ['0', (c) => c.transactions.sweepIntervalSec, 0],
    OCPP_MAX_EVSE_ID: ['4', (c) => c.ocpp.maxEvseId, 4],
    OCPP_MAX_CONNECTOR_ID: ['2', (c) => c.ocpp.maxConnectorId, 2],
    OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN: ['0', (c) => c.ocpp.newIdentitiesPerAddressPerMin, 0],
    OCPP_AUTH_LOCKOUT_THRESHOLD: ['3', (c) => c.ocpp.authLockout.threshold, 3],
    OCPP_AUTH_LOCKOUT_BASE_SEC: ['10', (c) => c.ocpp.authLockout.baseSec, 10],
    OCPP_AUTH_LOCKOUT_MAX_SEC: ['7200', (c) => c.ocpp.authLockout.maxSec, 7200],
    REGISTRY_PRUNE_UNBOOTED_AFTER_SEC: ['0', (c) => c.registry.pruneUnbootedAfterSec, 0],
    PROM_MAX_VENDOR_MODELS: ['5', (c) => c.prometheus.maxVendorModels, 5],
    COLLECTOR_ID: ['collector-7', (c) => c.collectorId, 'collector-7'],
    COLLECTOR_PROCESSES: ['4', (c) => c.processes, 4],
    OCPP_MAX_CONCURRENT_HANDSHAKES: ['0', (c) => c.ocpp.admission.maxHandshakes, 0],
    OCPP_HANDSHAKE_RETRY_AFTER_SEC: ['7', (c) => c.ocpp.admission.handshakeRetryAfterSec, 7],
    OCPP_MAX_CONCURRENT_BOOTS: ['0', (c) => c.ocpp.admission.maxBoots, 0],
    OCPP_BOOT_PENDING_INTERVAL_SEC: ['30', (c) => c.ocpp.admission.bootPendingIntervalSec, 30],
    LOG_LEVEL: ['debug', (c) => c.logLevel, 'debug'],
    ACCESS_FREE_VEND_SITES: ['Depot 1, Lot B', (c) => c.access.freeVendSites, ['Depot 1', 'Lot B']],
    ACCESS_PIN_SECRET: ['ab'.repeat(32), (c) => c.access.pinSecret, Buffer.from('ab'.repeat(32), 'hex')],
    ACCESS_PIN_KEY: ['cd'.repeat(32), (c) => c.access.pinKey, Buffer.from('cd'.repeat(32), 'hex')],
    ACCESS_RELOAD_SEC: ['5', (c) => c.access.reloadSec, 5],
    MISUSE_TOKEN_HASH_SECRET: ['s3cret', (c) => c.access.tokenHashSecret, 's3cret'],
  };

  it.each(Object.entries(overrides))('%s is read', (name, [raw, pick, expected]) => {
    const config = loadConfig({ ...TOKEN, [name]: raw });
    expect(pick(config)).toEqual(expected);
    expect(pick(config)).not.toEqual(pick(loadConfig(TOKEN)));
  });

  it('reads the access mode from DATABASE_URL unless set, and refuses what cannot work', () => {
    expect(loadConfig(TOKEN).access.mode).toBe('accept-all');
    expect(loadConfig({ ...TOKEN, DATABASE_URL: 'postgres://db/cw' }).access.mode).toBe('registry');
    expect(() => loadConfig({ ...TOKEN, ACCESS_MODE: 'registry' })).toThrow(/needs DATABASE_URL/);
    expect(() => loadConfig({ ...TOKEN, ACCESS_MODE: 'open' })).toThrow(/ACCESS_MODE/);
    expect(() => loadConfig({ ...TOKEN, ACCESS_SEND_PINS: 'on' })).toThrow(/ACCESS_PIN_KEY/);
    expect(loadConfig({ ...TOKEN, ACCESS_SEND_PINS: 'on', ACCESS_PIN_KEY: 'cd'.repeat(32) }).access.sendPins).toBe(true);
    expect(() => loadConfig({ ...TOKEN, ACCESS_PIN_SECRET: 'short' })).toThrow(/ACCESS_PIN_SECRET/);
  });

  it('every SETTINGS entry other than the TLS pair (tested below) and API_AUTH has an override case here', () => {
    const covered = new Set([...Object.keys(overrides), 'OCPP_TLS_CERT', 'OCPP_TLS_KEY', 'OCPP_TLS_CA', 'API_AUTH', 'ACCESS_SEND_PINS', 'ACCESS_MODE']);
    expect(SETTINGS.map((s) => s.env).filter((e) => !covered.has(e))).toEqual([]);
  });

  it('refuses a lockout maximum below its base', () => {
    expect(configError({ ...TOKEN, OCPP_AUTH_LOCKOUT_BASE_SEC: '600', OCPP_AUTH_LOCKOUT_MAX_SEC: '60' }).message).toMatch(/OCPP_AUTH_LOCKOUT_MAX_SEC/);
  });

  it('SETTINGS names are unique and every entry has a meaning', () => {
    const names = SETTINGS.map((s) => s.env);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(s.meaning.length).toBeGreaterThan(10);
    }
  });
});

describe('loadConfig validation', () => {
  const ints: Array<[string, number]> = [
    ['OCPP_PORT', 0],
    ['OCPP_MAX_PAYLOAD_BYTES', 1024],
    ['OCPP_PING_INTERVAL_SEC', 0],
    ['OCPP_HEARTBEAT_INTERVAL_SEC', 1],
    ['OCPP_MAX_BAD_MESSAGES', 1],
    ['OCPP_IDENTITY_MAX_LENGTH', 1],
    ['OCPP_CALL_TIMEOUT_SEC', 1],
    ['OCPP_CONNECT_BURST_PER_ADDRESS', 1],
    ['OCPP_HANDSHAKE_TIMEOUT_MS', 100],
    ['COLLECTOR_PROCESSES', 1],
    ['OCPP_HANDSHAKE_RETRY_AFTER_SEC', 1],
    ['OCPP_BOOT_PENDING_INTERVAL_SEC', 1],
    ['API_PORT', 0],
    ['INFLUX_BATCH_SIZE', 1],
    ['INFLUX_FLUSH_INTERVAL_MS', 10],
    ['INFLUX_MAX_BUFFER_LINES', 1000],
    ['JOURNAL_MAX_ENTRIES', 1],
    ['INFLUX_DEADLETTER_MAX', 1],
    ['TX_STALE_AFTER_SEC', 600],
    ['COMMAND_DEADLINE_SEC', 1],
    ['COMMAND_RETENTION_DAYS', 1],
  ];

  it.each(ints)('%s must be an integer (ConfigError naming the variable)', (name) => {
    for (const raw of ['abc', '1.5', '12abc', 'NaN']) {
      const err = configError({ ...TOKEN, [name]: raw });
      expect(err.message).toContain(name);
      expect(err.message).toContain(raw);
    }
  });

  it.each(ints)('%s must be at least %d', (name, min) => {
    const err = configError({ ...TOKEN, [name]: String(min - 1) });
    expect(err.message).toContain(name);
    expect(err.message).toContain(`>= ${min}`);
    expect(() => loadConfig({ ...TOKEN, [name]: String(min) })).not.toThrow();
  });

  // SRC BUG (see report): Number('') is 0, so OCPP_PORT= (set but empty, as docker-compose and
  // systemd EnvironmentFile produce) silently binds a random port instead of 9000 or failing.
  // Either behaviour below is acceptable; a silent 0 is not. Fails until fixed.
  it.each(['OCPP_PORT', 'API_PORT', 'OCPP_PING_INTERVAL_SEC'])('an empty %s is not read as 0', (name) => {
    let value: number | undefined;
    try {
      const c = loadConfig({ ...TOKEN, [name]: '' });
      value = name === 'OCPP_PORT' ? c.ocpp.port : name === 'API_PORT' ? c.api.port : c.ocpp.pingIntervalSec;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(name);
      return;
    }
    expect(value).toBe(Number(SETTINGS.find((s) => s.env === name)!.default));
  });

  it.each([
    ['UNKNOWN_STATIONS', 'maybe', ['accept', 'pending', 'reject']],
    ['INFLUX_API', 'v3', ['auto', 'v1', 'v2']],
    ['API_AUTH', 'yes', ['on', 'off']],
    ['OCPP_IDENTITY_POLICY', 'anything', ['identifierString', 'printable']],
  ])('%s refuses %p and names the allowed values', (name, raw, allowed) => {
    const err = configError({ ...TOKEN, [name]: raw });
    expect(err.message).toContain(name);
    expect(err.message).toContain(raw);
    for (const a of allowed) expect(err.message).toContain(a);
  });

  it('refuses a default command wait longer than the longest allowed', () => {
    expect(configError({ ...TOKEN, COMMAND_WAIT_SEC: '40' }).message).toMatch(/COMMAND_WAIT_SEC \(40\) must not exceed COMMAND_WAIT_MAX_SEC \(30\)/);
    expect(loadConfig({ ...TOKEN, COMMAND_WAIT_SEC: '40', COMMAND_WAIT_MAX_SEC: '40' }).commands.waitSec).toBe(40);
  });

  it('enum values are case-sensitive', () => {
    expect(configError({ ...TOKEN, UNKNOWN_STATIONS: 'Accept' }).message).toContain('UNKNOWN_STATIONS');
  });

  it('accepts each allowed enum value', () => {
    for (const v of ['accept', 'pending', 'reject'] as const) expect(loadConfig({ ...TOKEN, UNKNOWN_STATIONS: v }).unknownStations).toBe(v);
    for (const v of ['auto', 'v1', 'v2'] as const) expect(loadConfig({ ...TOKEN, INFLUX_API: v }).influx.api).toBe(v);
  });
});

describe('DATABASE_URL', () => {
  it('accepts postgres:// and postgresql:// URLs and leaves it empty by default', () => {
    expect(loadConfig(TOKEN).database.url).toBe('');
    expect(loadConfig({ ...TOKEN, DATABASE_URL: 'postgres://cw:pw@db:5432/chargewatch' }).database.url).toBe('postgres://cw:pw@db:5432/chargewatch');
    expect(loadConfig({ ...TOKEN, DATABASE_URL: 'postgresql://db/chargewatch' }).database.url).toBe('postgresql://db/chargewatch');
  });

  it('refuses other schemes and non-URLs without echoing the value (it may hold a password)', () => {
    const notUrl = configError({ ...TOKEN, DATABASE_URL: 'db:5432 secretpw' });
    expect(notUrl.message).toContain('DATABASE_URL');
    expect(notUrl.message).not.toContain('secretpw');
    const mysql = configError({ ...TOKEN, DATABASE_URL: 'mysql://u:secretpw@db/x' });
    expect(mysql.message).toMatch(/postgres:\/\//);
    expect(mysql.message).not.toContain('secretpw');
  });
});

describe('API authentication', () => {
  it('requires API_TOKEN when auth is on (the default)', () => {
    expect(configError({}).message).toContain('API_TOKEN');
    expect(configError({ API_TOKEN: '' }).message).toContain('API_TOKEN');
    expect(configError({ API_AUTH: 'on' }).message).toContain('API_TOKEN');
  });

  it('needs no token with API_AUTH=off', () => {
    const c = loadConfig({ API_AUTH: 'off' });
    expect(c.api.auth).toBe(false);
    expect(c.api.token).toBe('');
  });

  it('keeps a token given with API_AUTH=off, but auth stays off', () => {
    expect(loadConfig({ API_AUTH: 'off', API_TOKEN: 't' }).api).toMatchObject({ auth: false, token: 't' });
  });
});

describe('OCPP TLS', () => {
  it('leaves TLS off when neither file is set (or both are empty)', () => {
    expect(loadConfig(TOKEN).ocpp).toMatchObject({ tlsCert: undefined, tlsKey: undefined });
    expect(loadConfig({ ...TOKEN, OCPP_TLS_CERT: '', OCPP_TLS_KEY: '' }).ocpp).toMatchObject({ tlsCert: undefined, tlsKey: undefined });
  });

  it('takes both files together', () => {
    expect(loadConfig({ ...TOKEN, OCPP_TLS_CERT: '/etc/cw/cert.pem', OCPP_TLS_KEY: '/etc/cw/key.pem' }).ocpp).toMatchObject({
      tlsCert: '/etc/cw/cert.pem',
      tlsKey: '/etc/cw/key.pem',
    });
  });

  it('takes a client CA only together with the server pair', () => {
    const pair = { OCPP_TLS_CERT: '/etc/cw/cert.pem', OCPP_TLS_KEY: '/etc/cw/key.pem' };
    expect(loadConfig({ ...TOKEN, ...pair, OCPP_TLS_CA: '/etc/cw/ca.pem' }).ocpp.tlsCa).toBe('/etc/cw/ca.pem');
    expect(configError({ ...TOKEN, OCPP_TLS_CA: '/etc/cw/ca.pem' }).message).toContain('OCPP_TLS_CA');
  });

  it('refuses a default security profile the port cannot serve', () => {
    expect(configError({ ...TOKEN, OCPP_DEFAULT_SECURITY_PROFILE: '2' }).message).toContain('OCPP_TLS_CERT');
    expect(configError({ ...TOKEN, OCPP_DEFAULT_SECURITY_PROFILE: '3', OCPP_TLS_CERT: 'c', OCPP_TLS_KEY: 'k' }).message).toContain('OCPP_TLS_CA');
    expect(configError({ ...TOKEN, OCPP_DEFAULT_SECURITY_PROFILE: '4' }).message).toContain('<= 3');
  });

  it.each([
    [{ OCPP_TLS_CERT: '/etc/cw/cert.pem' }],
    [{ OCPP_TLS_KEY: '/etc/cw/key.pem' }],
    [{ OCPP_TLS_CERT: '/etc/cw/cert.pem', OCPP_TLS_KEY: '' }],
  ])('refuses only one of the pair: %p', (tls) => {
    const err = configError({ ...TOKEN, ...tls });
    expect(err.message).toContain('OCPP_TLS_CERT');
    expect(err.message).toContain('OCPP_TLS_KEY');
  });
});

/**
 * The README's configuration table must list every SETTINGS variable with its default. Rows look like
 * ``| `OCPP_PORT` | `9000` | meaning |``; an empty default may be written as `(empty)`, an empty cell
 * or an empty code span.
 */
describe('README configuration table', () => {
  const readmePath = join(__dirname, '../../../README.md');

  function readmeSettings(): Map<string, string> {
    // Only the collector's section: other processes (the worker) have their own tables.
    const whole = readFileSync(readmePath, 'utf8');
    const start = whole.indexOf('\n## Configuration');
    const end = whole.indexOf('\n## ', start + 1);
    const text = whole.slice(start, end < 0 ? undefined : end);
    const rows = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
      const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|/.exec(line.trim());
      if (!m) continue;
      let def = m[2]!.trim();
      if (/^\(empty\)$/i.test(def)) def = '';
      const code = /^`(.*)`$/.exec(def);
      if (code) def = code[1]!;
      rows.set(m[1]!, def);
    }
    return rows;
  }

  it('lists every variable with its default', () => {
    const rows = readmeSettings();
    const expected = Object.fromEntries(SETTINGS.map((s) => [s.env, s.default]));
    const actual = Object.fromEntries(SETTINGS.map((s) => [s.env, rows.get(s.env)]));
    expect(actual).toEqual(expected);
  });

  it('lists no variable the collector does not read', () => {
    const known = new Set(SETTINGS.map((s) => s.env));
    expect([...readmeSettings().keys()].filter((k) => !known.has(k))).toEqual([]);
  });
});
