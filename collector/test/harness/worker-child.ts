/**
 * `chargewatch worker` as a child process from the sources, on the harness's Redis, restartable with
 * the same WORKER_ID and metrics port. It runs the worker package's own process entry; that is a path
 * handed to node, not an import, so the packages' tests stay apart as the import rules want.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, eventually, freePort } from '@chargewatch/tools';

const REPO = join(__dirname, '../../..');
const ENTRY = join(REPO, 'worker/test/harness/worker-process.ts');

export class WorkerChild {
  process?: ManagedProcess;

  private constructor(
    readonly name: string,
    readonly metricsPort: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(name: string, env: Record<string, string>): Promise<WorkerChild> {
    return new WorkerChild(name, await freePort(), env);
  }

  /** Where its /metrics and /healthz are (named like a collector's, for the metric() helper). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.metricsPort}`;
  }

  /** Starts it (again) and waits until it serves /healthz. */
  async start(): Promise<void> {
    const proc = new ManagedProcess(this.name, process.execPath, ['--import', 'tsx', ENTRY], mkdtempSync(join(tmpdir(), `cw-${this.name}-`)), {
      ...process.env,
      TSX_TSCONFIG_PATH: join(REPO, 'tsconfig.dev.json'),
      REDIS_URL: process.env.TEST_REDIS_URL!,
      INFLUX_URL: process.env.TEST_INFLUX_URL!,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(this.metricsPort),
      ...this.env,
    });
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
}
