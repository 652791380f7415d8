/**
 * The benchmark's side of mem-probe.ts: start a child with `MEM_PROBE_NODE_ARGS` and CW_MEM_PROBE_OUT
 * set, then `readMemProbe` signals it and waits for its readings (before and after two forced full
 * collections).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './setup';

export interface ProbeReading {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, { used: number; size: number }>;
}

export interface Probe {
  before: ProbeReading;
  after: ProbeReading;
}

/** Node flags that load the probe into a child. */
export const MEM_PROBE_NODE_ARGS = ['--expose-gc', '--require', join(__dirname, 'mem-probe.js')];

export async function readMemProbe(pid: number, out: string): Promise<Probe> {
  rmSync(out, { force: true });
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 300_000;
  while (!existsSync(out)) {
    if (Date.now() > deadline) throw new Error(`no memory probe answer from ${pid}`);
    await sleep(100);
  }
  const r = JSON.parse(readFileSync(out, 'utf8'));
  if (!r.gc) throw new Error(`${pid} runs without --expose-gc`);
  return { before: r.before, after: r.after };
}
