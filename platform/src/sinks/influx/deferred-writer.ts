/**
 * An InfluxDB writer that becomes usable once InfluxDB has answered: API detection and database
 * creation are retried in the background, so the collector starts, answers stations and journals
 * their events even while InfluxDB is down. Until then a write fails like a network error, so the
 * sink's retry and shutdown logic apply unchanged.
 */
import { InfluxWriteError, type InfluxApi, type InfluxWriter } from './writer';

export interface DeferredWriterLog {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

export class DeferredInfluxWriter implements InfluxWriter {
  private writer?: InfluxWriter;
  private closed = false;
  readonly ready: Promise<InfluxWriter>;

  constructor(
    connect: () => Promise<InfluxWriter>,
    log: DeferredWriterLog,
    retryMs = 2000,
  ) {
    this.ready = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          this.writer = await connect();
          if (attempt > 1) log.info({ api: this.writer.api }, 'InfluxDB reachable');
          return this.writer;
        } catch (err) {
          if (this.closed) throw new Error('InfluxDB writer closed before InfluxDB was reachable');
          if (attempt === 1) log.warn({ err: (err as Error).message }, 'InfluxDB not reachable; events are journalled until it is');
          await new Promise((r) => setTimeout(r, retryMs));
        }
      }
    })();
    this.ready.catch(() => undefined);
  }

  /** true once InfluxDB answered and the writer is built. */
  get isReady(): boolean {
    return this.writer !== undefined;
  }

  get api(): InfluxApi {
    return this.writer?.api ?? 'v1';
  }

  async write(lines: string[]): Promise<void> {
    if (!this.writer) throw new InfluxWriteError('InfluxDB not reachable yet', undefined, undefined, undefined);
    return this.writer.write(lines);
  }

  async ping(): Promise<boolean> {
    return this.writer ? this.writer.ping() : false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.writer?.close();
  }
}
