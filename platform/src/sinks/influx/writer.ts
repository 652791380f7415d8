/**
 * Wire-level InfluxDB writers. They send one batch per call and never buffer or retry: batching,
 * backpressure and retries belong to InfluxSink, which needs to see every failure to count it.
 *
 * - v1: plain `fetch` POST to `/write?db=…&precision=ms` (InfluxDB 1.x; also 2.x and 3.x compatibility).
 * - v2: `/api/v2/write?org=…&bucket=…&precision=ms` through the transport of `@influxdata/influxdb-client`
 *   (InfluxDB 1.8+, 2.x, 3.x). Its WriteApi is not used: it batches, retries and drops on its own.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { HttpError, InfluxDB, type Transport } from '@influxdata/influxdb-client';

const gzip = promisify(gzipCb);

export type InfluxApi = 'v1' | 'v2';

export interface InfluxWriter {
  /** Writes the lines (precision ms) as one request. Rejects with InfluxWriteError. */
  write(lines: string[]): Promise<void>;
  /** true when `/ping` answers 2xx. Never rejects. */
  ping(): Promise<boolean>;
  readonly api: InfluxApi;
  close(): Promise<void>;
}

export interface InfluxConfig {
  url: string;
  api: 'auto' | InfluxApi;
  /** v1 database (also the bucket name on 2.x/3.x through the v1 compatibility API). */
  database?: string;
  /** v1 retention policy; the database default when unset. */
  retentionPolicy?: string;
  org?: string;
  bucket?: string;
  /** Sent as `Authorization: Token …` (v2 always; v1 when set and no username is configured). */
  token?: string;
  /** v1 credentials, sent as `u`/`p` query parameters. */
  username?: string;
  password?: string;
  /** Per-request timeout, default 10 s. */
  timeoutMs?: number;
  /** Gzip request bodies larger than this many bytes; off when unset. */
  gzipThresholdBytes?: number;
}

/** A failed write. `status` is undefined for network errors and timeouts. */
export class InfluxWriteError extends Error {
  override readonly name = 'InfluxWriteError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: string | undefined,
    /** Server-requested delay (Retry-After), ms. */
    readonly retryAfterMs: number | undefined,
    override readonly cause?: unknown,
  ) {
    super(message);
  }

  /** 5xx, 429 and network errors may succeed later; other 4xx never will. */
  get retriable(): boolean {
    return this.status === undefined || this.status >= 500 || this.status === 429;
  }

  /**
   * The server refuses the lines themselves (400 unparsable/partial write, 413 too large, 422
   * unprocessable), so splitting finds the bad ones. Other 4xx (401, 403, 404) refuse the request
   * whatever it holds: a setup error the operator fixes, so the sink retries instead of dead-lettering.
   */
  get refusesLines(): boolean {
    return this.status === 400 || this.status === 413 || this.status === 422;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = (err as { cause?: unknown }).cause;
    const causeMsg = cause instanceof Error ? `: ${cause.message}` : '';
    return `${err.message}${typeof code === 'string' ? ` (${code})` : ''}${causeMsg}`;
  }
  return String(err);
}

export class V1Writer implements InfluxWriter {
  readonly api = 'v1' as const;
  private readonly writeUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();

  constructor(private readonly config: InfluxConfig) {
    // On 2.x/3.x the v1 API maps the database name to a bucket of the same name.
    const database = config.database || config.bucket;
    if (!database) throw new Error('InfluxDB v1 writer needs a database');
    const q = new URLSearchParams({ db: database, precision: 'ms' });
    if (config.retentionPolicy) q.set('rp', config.retentionPolicy);
    if (config.username) {
      q.set('u', config.username);
      q.set('p', config.password ?? '');
    }
    this.writeUrl = `${trimSlash(config.url)}/write?${q}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (config.token && !config.username) this.headers.authorization = `Token ${config.token}`;
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    let body: string | ArrayBuffer = lines.join('\n');
    const headers = { ...this.headers };
    const threshold = this.config.gzipThresholdBytes;
    if (threshold !== undefined && Buffer.byteLength(body) > threshold) {
      const gz = await gzip(body);
      body = gz.buffer.slice(gz.byteOffset, gz.byteOffset + gz.byteLength) as ArrayBuffer;
      headers['content-encoding'] = 'gzip';
    }
    let res: Response;
    try {
      res = await fetch(this.writeUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
      });
    } catch (err) {
      throw new InfluxWriteError(`InfluxDB write failed: ${errorMessage(err)}`, undefined, undefined, undefined, err);
    }
    if (res.ok) {
      // Drain the (empty) body so the connection goes back to the pool.
      await res.arrayBuffer().catch(() => undefined);
      return;
    }
    const text = await res.text().catch(() => '');
    throw new InfluxWriteError(
      `InfluxDB write failed: HTTP ${res.status}${text ? `: ${text.trim().slice(0, 500)}` : ''}`,
      res.status,
      text,
      parseRetryAfter(res.headers.get('retry-after')),
    );
  }

  ping(): Promise<boolean> {
    return pingUrl(this.config.url, this.config.token, this.timeoutMs);
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}

export class V2Writer implements InfluxWriter {
  readonly api = 'v2' as const;
  private readonly transport: Transport;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();

  constructor(private readonly config: InfluxConfig) {
    if (!config.org || !config.bucket) throw new Error('InfluxDB v2 writer needs org and bucket');
    this.timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new InfluxDB({ url: trimSlash(config.url), token: config.token || undefined, timeout: this.timeoutMs });
    this.transport = client.transport;
    const q = new URLSearchParams({ org: config.org, bucket: config.bucket, precision: 'ms' });
    this.path = `/api/v2/write?${q}`;
  }

  async write(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    try {
      await this.transport.request(this.path, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: this.config.gzipThresholdBytes,
        signal: this.closing.signal,
      });
    } catch (err) {
      if (err instanceof HttpError) {
        const retryAfter = parseRetryAfter(
          (err.headers?.['retry-after'] as string | undefined) ?? undefined,
        );
        const body = err.body ?? '';
        throw new InfluxWriteError(
          `InfluxDB write failed: HTTP ${err.statusCode}${body ? `: ${body.trim().slice(0, 500)}` : ''}`,
          err.statusCode,
          body,
          retryAfter,
          err,
        );
      }
      throw new InfluxWriteError(`InfluxDB write failed: ${errorMessage(err)}`, undefined, undefined, undefined, err);
    }
  }

  ping(): Promise<boolean> {
    return pingUrl(this.config.url, this.config.token, this.timeoutMs);
  }

  async close(): Promise<void> {
    this.closing.abort();
  }
}

async function pingUrl(url: string, token: string | undefined, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${trimSlash(url)}/ping`, {
      headers: token ? { authorization: `Token ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok;
  } catch {
    return false;
  }
}

export interface DetectedApi {
  api: InfluxApi;
  /** `X-Influxdb-Version` as reported, undefined when the header is missing. */
  version: string | undefined;
}

/**
 * Chooses the write API from the version `/ping` reports (header `X-Influxdb-Version`):
 * - 1.0 – 1.7: v1 (they have no `/api/v2/write`);
 * - 1.8+, 2.x, 3.x: v2 when `org` and `bucket` are given, else v1 (all of them accept `/write`);
 * - no header (a proxy, or an unknown server): v2 when org and bucket are given, else v1.
 * Rejects when `/ping` cannot be reached.
 */
export async function detectApi(
  url: string,
  opts: { org?: string; bucket?: string; token?: string; timeoutMs?: number } = {},
): Promise<DetectedApi> {
  const res = await fetch(`${trimSlash(url)}/ping`, {
    headers: opts.token ? { authorization: `Token ${opts.token}` } : {},
    signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  await res.arrayBuffer().catch(() => undefined);
  const version = res.headers.get('x-influxdb-version') ?? undefined;
  return { api: apiForVersion(version, Boolean(opts.org && opts.bucket)), version };
}

/** The decision table of detectApi, exported for tests. */
export function apiForVersion(version: string | undefined, hasOrgAndBucket: boolean): InfluxApi {
  if (!hasOrgAndBucket) return 'v1';
  if (version === undefined) return 'v2';
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return 'v2';
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major === 1 && minor < 8) return 'v1';
  if (major === 0) return 'v1';
  return 'v2';
}

/** Builds the writer for `config.api`; with `auto`, asks the server which one fits (see detectApi). */
export async function createInfluxWriter(config: InfluxConfig): Promise<InfluxWriter> {
  let api: InfluxApi;
  if (config.api === 'auto') {
    api = (
      await detectApi(config.url, {
        org: config.org,
        bucket: config.bucket,
        token: config.token,
        timeoutMs: config.timeoutMs,
      })
    ).api;
  } else {
    api = config.api;
  }
  return api === 'v2' ? new V2Writer(config) : new V1Writer(config);
}
