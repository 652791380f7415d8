/**
 * Configuration from the environment. Every variable is listed in SETTINGS with its default and meaning;
 * the README's configuration table is checked against this list by a unit test, so they cannot drift.
 */
import { hostname } from 'node:os';
import { IDENTITY_POLICIES, type IdentityPolicy } from '@chargewatch/model';
import { INFLUX_SETTINGS, readInfluxSettings, type InfluxSettings } from '@chargewatch/platform';
import { ACCESS_SETTINGS, readAccessSettings, type AccessSettings } from './access/access-settings';

export interface Setting {
  env: string;
  default: string;
  meaning: string;
}

export const SETTINGS: Setting[] = [
  { env: 'OCPP_HOST', default: '0.0.0.0', meaning: 'Address the public OCPP websocket listener binds to' },
  { env: 'OCPP_PORT', default: '9000', meaning: 'Public OCPP-J port; stations connect to ws(s)://host:port/ocpp/{stationId}' },
  { env: 'OCPP_TLS_CERT', default: '', meaning: 'PEM server certificate file; when set with OCPP_TLS_KEY the OCPP port speaks wss' },
  { env: 'OCPP_TLS_KEY', default: '', meaning: 'PEM private key file for OCPP_TLS_CERT' },
  { env: 'OCPP_TLS_CA', default: '', meaning: 'PEM CA bundle for station client certificates (security profile 3); when set, wss clients are asked for a certificate' },
  { env: 'OCPP_DEFAULT_SECURITY_PROFILE', default: '0', meaning: 'Security profile for stations without their own: 0 none, 1 HTTP Basic, 2 TLS + HTTP Basic, 3 TLS client certificate' },
  { env: 'OCPP_MAX_CONNECTIONS_PER_ADDRESS', default: '100', meaning: 'Concurrent connections from one IP address (IPv6: one /64), handshakes included; more get HTTP 429. 0 = no limit' },
  { env: 'OCPP_CONNECT_RATE_PER_ADDRESS', default: '20', meaning: 'New connections per second from one address (token bucket); more get HTTP 429. 0 = no limit' },
  { env: 'OCPP_CONNECT_BURST_PER_ADDRESS', default: '50', meaning: 'New connections one address may open at once before OCPP_CONNECT_RATE_PER_ADDRESS applies' },
  { env: 'OCPP_HANDSHAKE_TIMEOUT_MS', default: '10000', meaning: 'Time a client has for the TLS handshake and for sending its websocket upgrade request; slower ones are closed' },
  { env: 'OCPP_MAX_PAYLOAD_BYTES', default: '65536', meaning: 'Largest websocket frame accepted; bigger frames close the connection with 1009' },
  { env: 'OCPP_PING_INTERVAL_SEC', default: '30', meaning: 'Websocket ping interval; a station that misses a pong is disconnected' },
  { env: 'OCPP_HEARTBEAT_INTERVAL_SEC', default: '300', meaning: 'Heartbeat interval sent to stations in the BootNotification answer' },
  { env: 'OCPP_IDENTITY_POLICY', default: 'identifierString', meaning: 'Station identities accepted at the handshake: identifierString (OCPP 2.0.1: a-z A-Z 0-9 * - _ = : + | @ .) or printable (1.6 fleets: any Unicode but controls, format characters, whitespace, / and U+FFFD); others get HTTP 400. Ids are never trimmed or normalised' },
  { env: 'OCPP_IDENTITY_MAX_LENGTH', default: '48', meaning: 'Longest station identity accepted, in characters (OCPP 2.0.1 allows 48)' },
  { env: 'OCPP_MAX_BAD_MESSAGES', default: '20', meaning: 'Consecutive malformed frames after which a connection is closed' },
  { env: 'OCPP_MAX_EVSE_ID', default: '32', meaning: 'Highest EVSE id accepted (2.0.1 evseId and evse.id; 1.6 connectorId, stored as EVSE N); calls naming a higher one get PropertyConstraintViolation and are not recorded' },
  { env: 'OCPP_MAX_CONNECTOR_ID', default: '8', meaning: 'Highest connector id within one EVSE accepted (2.0.1 connectorId); calls naming a higher one get PropertyConstraintViolation and are not recorded' },
  { env: 'OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN', default: '20', meaning: 'Identities not yet in the registry that one address may connect per minute (token bucket, burst the same); more get HTTP 429. 0 = no limit' },
  { env: 'OCPP_AUTH_LOCKOUT_THRESHOLD', default: '5', meaning: 'Wrong passwords in a row after which a station identity is locked out (HTTP 429, no password check) for a while. 0 = no lockout' },
  { env: 'OCPP_AUTH_LOCKOUT_BASE_SEC', default: '60', meaning: 'First lockout of an identity; each further lockout before a successful login doubles it' },
  { env: 'OCPP_AUTH_LOCKOUT_MAX_SEC', default: '3600', meaning: 'Longest lockout of an identity' },
  { env: 'OCPP_CALL_TIMEOUT_SEC', default: '30', meaning: 'Timeout for CSMS→station calls' },
  { env: 'COMMAND_DEADLINE_SEC', default: '300', meaning: 'How long a command waits for its station (to connect, or to finish the commands before it) when the submitter sets no deadline; then it ends offline or timeout' },
  { env: 'COMMAND_WAIT_SEC', default: '5', meaning: 'How long POST /api/v1/stations/{id}/commands/{name} waits for the result before answering 202 with the command id (?wait= overrides)' },
  { env: 'COMMAND_WAIT_MAX_SEC', default: '30', meaning: 'Longest ?wait= the command API accepts' },
  { env: 'COMMAND_RETENTION_DAYS', default: '30', meaning: 'How long command records and each station\'s command history are kept in Redis' },
  { env: 'UNKNOWN_STATIONS', default: 'accept', meaning: 'Policy for stations not yet in the registry: accept (and register), pending, or reject' },
  { env: 'API_HOST', default: '127.0.0.1', meaning: 'Address of the internal HTTP API (state, operations, /metrics); never expose it publicly' },
  { env: 'API_PORT', default: '9100', meaning: 'Internal HTTP API port, separate from OCPP_PORT' },
  { env: 'API_TOKEN', default: '', meaning: 'Bearer token required on /api routes; required unless API_AUTH=off' },
  { env: 'API_AUTH', default: 'on', meaning: 'Set to off only for local development: /api routes then need no token' },
  { env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', meaning: 'Redis holding the station registry and current state' },
  { env: 'REDIS_PREFIX', default: 'cw:', meaning: 'Key prefix, so several deployments can share one Redis' },
  { env: 'DATABASE_URL', default: '', meaning: 'PostgreSQL for business records (the audit log, the token registry); migrations run at start. Empty: the audit goes to the log only' },
  // INFLUX_* (the InfluxDB writer, which the worker may run instead): platform's influx-settings.ts.
  ...INFLUX_SETTINGS,
  // ACCESS_* (who may charge): access/access-settings.ts.
  ...ACCESS_SETTINGS,
  { env: 'JOURNAL_MAX_ENTRIES', default: '2000000', meaning: 'Journal entries (batches of acknowledged calls) that may wait for the slowest consumer group; beyond it stations get a CALLERROR and retry' },
  { env: 'TX_STALE_AFTER_SEC', default: '86400', meaning: 'A transaction no meter value or transaction message has named for this long is closed by the collector (stoppedReason StaleNoActivity); at least 600' },
  { env: 'TX_STALE_SWEEP_INTERVAL_SEC', default: '300', meaning: 'How often this collector looks for stale transactions (one process at a time, under a Redis lock); 0 when another process (the worker) runs the sweep' },
  { env: 'REGISTRY_PRUNE_UNBOOTED_AFTER_SEC', default: '86400', meaning: 'Stations that connected but never booted, have no metadata and no security profile, and were last seen this long ago are removed from the registry and Prometheus. 0 = never' },
  { env: 'PROM_MAX_VENDOR_MODELS', default: '100', meaning: 'Distinct vendor/model pairs used as Prometheus label values; stations of further pairs are labelled vendor="other", model="other"' },
  { env: 'COLLECTOR_ID', default: '<hostname>', meaning: 'Stable id of this collector instance, recorded as the owner of its stations' },
  { env: 'COLLECTOR_PROCESSES', default: '1', meaning: 'Collector processes on this host (node:cluster): they share OCPP_PORT, process i has COLLECTOR_ID-i and API port API_PORT+i (scrape each); per-process limits (OCPP_MAX_*) apply to each' },
  { env: 'OCPP_MAX_CONCURRENT_HANDSHAKES', default: '500', meaning: 'Websocket handshakes one process works on at once (upgrade until the connection is recorded); more get HTTP 503 with Retry-After instead of timing out. 0 = no limit' },
  { env: 'OCPP_HANDSHAKE_RETRY_AFTER_SEC', default: '2', meaning: 'Shortest Retry-After of a handshake refused for OCPP_MAX_CONCURRENT_HANDSHAKES; each answer adds a random part of a window that starts at this and widens (up to 60 s) while more handshakes are refused than admitted, so refused stations return at about the rate they are taken' },
  { env: 'OCPP_MAX_CONCURRENT_BOOTS', default: '200', meaning: 'BootNotifications one process works on at once; more are answered Pending (not recorded) with an interval, after which the station boots again' },
  { env: 'OCPP_BOOT_PENDING_INTERVAL_SEC', default: '5', meaning: 'Interval of a Pending answer for OCPP_MAX_CONCURRENT_BOOTS; each answer picks a value between this and twice this' },
  { env: 'LOG_LEVEL', default: 'info', meaning: 'pino log level: fatal, error, warn, info, debug, trace' },
];

export type UnknownStationPolicy = 'accept' | 'pending' | 'reject';

export interface CollectorConfig {
  ocpp: {
    host: string;
    port: number;
    tlsCert?: string;
    tlsKey?: string;
    tlsCa?: string;
    defaultSecurityProfile: 0 | 1 | 2 | 3;
    maxConnectionsPerAddress: number;
    connectRatePerAddress: number;
    connectBurstPerAddress: number;
    handshakeTimeoutMs: number;
    identityPolicy: IdentityPolicy;
    maxPayloadBytes: number;
    pingIntervalSec: number;
    heartbeatIntervalSec: number;
    /** Storm shaping (ocpp/admission.ts): concurrent handshakes and boots, and how long to send the rest away. */
    admission: { maxHandshakes: number; handshakeRetryAfterSec: number; maxBoots: number; bootPendingIntervalSec: number };
    maxBadMessages: number;
    callTimeoutSec: number;
    maxEvseId: number;
    maxConnectorId: number;
    newIdentitiesPerAddressPerMin: number;
    authLockout: { threshold: number; baseSec: number; maxSec: number };
  };
  registry: { pruneUnbootedAfterSec: number };
  prometheus: { maxVendorModels: number };
  unknownStations: UnknownStationPolicy;
  commands: { deadlineSec: number; waitSec: number; waitMaxSec: number; retentionDays: number };
  api: { host: string; port: number; token: string; auth: boolean };
  redis: { url: string; prefix: string };
  database: { url: string };
  access: AccessSettings;
  influx: InfluxSettings;
  journalMaxEntries: number;
  transactions: { staleAfterSec: number; sweepIntervalSec: number };
  collectorId: string;
  /** COLLECTOR_PROCESSES: how many collector processes `chargewatch collector` runs on this host (cluster.ts). */
  processes: number;
  logLevel: string;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  // Compose and env files set variables to "" when left blank; that means "use the default", not 0.
  const raw = env[name]?.trim() || fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name} must be an integer >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}, got "${raw}"`);
  return n;
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: string) => int(env, name, fallback, 0, 65535);

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = (env[name] ?? fallback) as T;
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

const defaults = Object.fromEntries(SETTINGS.map((s) => [s.env, s.default]));

function authLockout(env: NodeJS.ProcessEnv): CollectorConfig['ocpp']['authLockout'] {
  const threshold = int(env, 'OCPP_AUTH_LOCKOUT_THRESHOLD', defaults.OCPP_AUTH_LOCKOUT_THRESHOLD!, 0, 1000);
  const baseSec = int(env, 'OCPP_AUTH_LOCKOUT_BASE_SEC', defaults.OCPP_AUTH_LOCKOUT_BASE_SEC!, 1, 7 * 24 * 3600);
  const maxSec = int(env, 'OCPP_AUTH_LOCKOUT_MAX_SEC', defaults.OCPP_AUTH_LOCKOUT_MAX_SEC!, 1, 30 * 24 * 3600);
  if (maxSec < baseSec) throw new ConfigError(`OCPP_AUTH_LOCKOUT_MAX_SEC (${maxSec}) must not be below OCPP_AUTH_LOCKOUT_BASE_SEC (${baseSec})`);
  return { threshold, baseSec, maxSec };
}

/** A postgres:// URL or empty; anything else is a typo that would otherwise only show at the first audit. */
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const str = (name: string) => env[name] ?? defaults[name]!;
  const auth = oneOf(env, 'API_AUTH', 'on', ['on', 'off'] as const) === 'on';
  const token = str('API_TOKEN');
  if (auth && !token) throw new ConfigError('API_TOKEN is required (or set API_AUTH=off for local development)');
  const tlsCert = str('OCPP_TLS_CERT') || undefined;
  const tlsKey = str('OCPP_TLS_KEY') || undefined;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new ConfigError('OCPP_TLS_CERT and OCPP_TLS_KEY must be set together');
  const tlsCa = str('OCPP_TLS_CA') || undefined;
  if (tlsCa && !tlsCert) throw new ConfigError('OCPP_TLS_CA needs OCPP_TLS_CERT and OCPP_TLS_KEY: client certificates only exist on wss');
  const commandWaitMaxSec = int(env, 'COMMAND_WAIT_MAX_SEC', defaults.COMMAND_WAIT_MAX_SEC!, 0, 600);
  const commandWaitSec = int(env, 'COMMAND_WAIT_SEC', defaults.COMMAND_WAIT_SEC!, 0, 600);
  if (commandWaitSec > commandWaitMaxSec) throw new ConfigError(`COMMAND_WAIT_SEC (${commandWaitSec}) must not exceed COMMAND_WAIT_MAX_SEC (${commandWaitMaxSec})`);
  const defaultSecurityProfile = int(env, 'OCPP_DEFAULT_SECURITY_PROFILE', defaults.OCPP_DEFAULT_SECURITY_PROFILE!, 0, 3) as 0 | 1 | 2 | 3;
  if (defaultSecurityProfile >= 2 && !tlsCert) throw new ConfigError(`OCPP_DEFAULT_SECURITY_PROFILE=${defaultSecurityProfile} needs OCPP_TLS_CERT and OCPP_TLS_KEY`);
  if (defaultSecurityProfile === 3 && !tlsCa) throw new ConfigError('OCPP_DEFAULT_SECURITY_PROFILE=3 needs OCPP_TLS_CA');
  const database = { url: databaseUrl(str('DATABASE_URL')) };
  return {
    ocpp: {
      host: str('OCPP_HOST'),
      port: port(env, 'OCPP_PORT', defaults.OCPP_PORT!),
      tlsCert,
      tlsKey,
      tlsCa,
      defaultSecurityProfile,
      maxConnectionsPerAddress: int(env, 'OCPP_MAX_CONNECTIONS_PER_ADDRESS', defaults.OCPP_MAX_CONNECTIONS_PER_ADDRESS!),
      connectRatePerAddress: int(env, 'OCPP_CONNECT_RATE_PER_ADDRESS', defaults.OCPP_CONNECT_RATE_PER_ADDRESS!),
      connectBurstPerAddress: int(env, 'OCPP_CONNECT_BURST_PER_ADDRESS', defaults.OCPP_CONNECT_BURST_PER_ADDRESS!, 1),
      handshakeTimeoutMs: int(env, 'OCPP_HANDSHAKE_TIMEOUT_MS', defaults.OCPP_HANDSHAKE_TIMEOUT_MS!, 100),
      identityPolicy: {
        name: oneOf(env, 'OCPP_IDENTITY_POLICY', 'identifierString', IDENTITY_POLICIES),
        maxLength: int(env, 'OCPP_IDENTITY_MAX_LENGTH', defaults.OCPP_IDENTITY_MAX_LENGTH!, 1, 255),
      },
      maxPayloadBytes: int(env, 'OCPP_MAX_PAYLOAD_BYTES', defaults.OCPP_MAX_PAYLOAD_BYTES!, 1024),
      pingIntervalSec: int(env, 'OCPP_PING_INTERVAL_SEC', defaults.OCPP_PING_INTERVAL_SEC!),
      heartbeatIntervalSec: int(env, 'OCPP_HEARTBEAT_INTERVAL_SEC', defaults.OCPP_HEARTBEAT_INTERVAL_SEC!, 1),
      admission: {
        maxHandshakes: int(env, 'OCPP_MAX_CONCURRENT_HANDSHAKES', defaults.OCPP_MAX_CONCURRENT_HANDSHAKES!),
        handshakeRetryAfterSec: int(env, 'OCPP_HANDSHAKE_RETRY_AFTER_SEC', defaults.OCPP_HANDSHAKE_RETRY_AFTER_SEC!, 1, 3600),
        maxBoots: int(env, 'OCPP_MAX_CONCURRENT_BOOTS', defaults.OCPP_MAX_CONCURRENT_BOOTS!),
        bootPendingIntervalSec: int(env, 'OCPP_BOOT_PENDING_INTERVAL_SEC', defaults.OCPP_BOOT_PENDING_INTERVAL_SEC!, 1, 3600),
      },
      maxBadMessages: int(env, 'OCPP_MAX_BAD_MESSAGES', defaults.OCPP_MAX_BAD_MESSAGES!, 1),
      callTimeoutSec: int(env, 'OCPP_CALL_TIMEOUT_SEC', defaults.OCPP_CALL_TIMEOUT_SEC!, 1),
      maxEvseId: int(env, 'OCPP_MAX_EVSE_ID', defaults.OCPP_MAX_EVSE_ID!, 1, 10_000),
      maxConnectorId: int(env, 'OCPP_MAX_CONNECTOR_ID', defaults.OCPP_MAX_CONNECTOR_ID!, 1, 10_000),
      newIdentitiesPerAddressPerMin: int(env, 'OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN', defaults.OCPP_NEW_IDENTITIES_PER_ADDRESS_PER_MIN!),
      authLockout: authLockout(env),
    },
    registry: { pruneUnbootedAfterSec: int(env, 'REGISTRY_PRUNE_UNBOOTED_AFTER_SEC', defaults.REGISTRY_PRUNE_UNBOOTED_AFTER_SEC!) },
    prometheus: { maxVendorModels: int(env, 'PROM_MAX_VENDOR_MODELS', defaults.PROM_MAX_VENDOR_MODELS!, 1, 100_000) },
    unknownStations: oneOf(env, 'UNKNOWN_STATIONS', 'accept', ['accept', 'pending', 'reject'] as const),
    commands: {
      deadlineSec: int(env, 'COMMAND_DEADLINE_SEC', defaults.COMMAND_DEADLINE_SEC!, 1, 7 * 24 * 3600),
      waitSec: commandWaitSec,
      waitMaxSec: commandWaitMaxSec,
      retentionDays: int(env, 'COMMAND_RETENTION_DAYS', defaults.COMMAND_RETENTION_DAYS!, 1, 3650),
    },
    api: { host: str('API_HOST'), port: port(env, 'API_PORT', defaults.API_PORT!), token, auth },
    redis: { url: str('REDIS_URL'), prefix: str('REDIS_PREFIX') },
    database,
    access: readAccessSettings(env, database.url, (message) => new ConfigError(message)),
    influx: readInfluxSettings(env, (message) => new ConfigError(message)),
    journalMaxEntries: int(env, 'JOURNAL_MAX_ENTRIES', defaults.JOURNAL_MAX_ENTRIES!, 1),
    transactions: {
      // Meter values refresh a transaction's activity about once a minute: far shorter thresholds would close live ones.
      staleAfterSec: int(env, 'TX_STALE_AFTER_SEC', defaults.TX_STALE_AFTER_SEC!, 600),
      sweepIntervalSec: int(env, 'TX_STALE_SWEEP_INTERVAL_SEC', defaults.TX_STALE_SWEEP_INTERVAL_SEC!),
    },
    collectorId: env.COLLECTOR_ID || hostname(),
    processes: int(env, 'COLLECTOR_PROCESSES', defaults.COLLECTOR_PROCESSES!, 1, 256),
    logLevel: str('LOG_LEVEL'),
  };
}
