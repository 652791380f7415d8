import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * A child process started by the dev stack (tests, demo, benchmark). Output goes to a log file in the
 * service's data dir so a failing test can point at it instead of flooding the console.
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  private exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    logDir: string,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.logFile = join(logDir, `${name}.log`);
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', (err) => {
        log.write(`spawn failed: ${err.message}\n`);
        resolve(-1);
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }
}
