/**
 * A collector child process from the sources (collector-process.ts under tsx), on the given loopback
 * ports and the harness's Redis and InfluxDB, for tests that must survive its crash or kill it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, eventually, freePort } from '@chargewatch/tools';
import type { ApiTarget } from './api';
import { TEST_TOKEN } from './collector';

const REPO = join(__dirname, '../../..');

export function spawnCollectorChild(name: string, ports: { ocpp: number; api: number }, env: Record<string, string>): ManagedProcess {
  return new ManagedProcess(name, process.execPath, ['--import', 'tsx', join(__dirname, 'collector-process.ts')], mkdtempSync(join(tmpdir(), `cw-${name}-`)), {
    ...process.env,
    TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.dev.json'),
    OCPP_HOST: '127.0.0.1',
    OCPP_PORT: String(ports.ocpp),
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    REDIS_URL: process.env.TEST_REDIS_URL!,
    INFLUX_URL: process.env.TEST_INFLUX_URL!,
    ...env,
  });
}

/**
 * A collector child that keeps its ports and environment (so its COLLECTOR_ID) across kill and start:
 * to stations and to the other processes a restart is the same collector coming back.
 */
export class CollectorChild implements ApiTarget {
  process?: ManagedProcess;

  private constructor(
    readonly name: string,
    readonly ports: { ocpp: number; api: number },
    private readonly env: Record<string, string>,
  ) {}

  static async create(name: string, env: Record<string, string>): Promise<CollectorChild> {
    return new CollectorChild(name, { ocpp: await freePort(), api: await freePort() }, { API_TOKEN: TEST_TOKEN, ...env });
  }

  get ocppUrl(): string {
    return `ws://127.0.0.1:${this.ports.ocpp}/ocpp`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.api}`;
  }

  /** Starts it (again) and waits until its API answers. */
  async start(): Promise<void> {
    const proc = spawnCollectorChild(this.name, this.ports, this.env);
    this.process = proc;
    await eventually(async () => {
      if (!proc.running) throw new Error(`${this.name} exited (code ${proc.child.exitCode}); see ${proc.logFile}`);
      expect((await fetch(`${this.apiUrl}/healthz`)).ok).toBe(true);
    }, 60_000);
  }

  /** kill -9, and waits until it is gone. */
  async kill(): Promise<void> {
    await this.process?.kill();
  }

  api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(init.headers ?? {}) } });
  }
}
