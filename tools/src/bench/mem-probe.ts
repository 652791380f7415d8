/**
 * Preloaded into a benchmark child (`node --expose-gc --require mem-probe.js …`, idle-main.ts): on SIGUSR2
 * it reads `process.memoryUsage()` and the heap spaces, forces two full collections, reads them again and
 * writes both to CW_MEM_PROBE_OUT, so the idle figure can be split into heap used, external, array
 * buffers and the rest of RSS, with and without the garbage V8 had not collected yet. With
 * CW_MEM_PROBE_SNAPSHOT set it also writes a heap snapshot there (after the collection).
 * Bench only: nothing in the collector knows about it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const out = process.env.CW_MEM_PROBE_OUT;
const gc = (globalThis as { gc?: () => void }).gc;

function reading() {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  return { ...m, spaces };
}

if (out) {
  let n = 0;
  process.on('SIGUSR2', () => {
    const seq = ++n;
    const before = reading();
    gc?.();
    gc?.();
    // Let finalisers and freed pages settle before the second reading.
    setTimeout(() => {
      const after = reading();
      const snapDir = process.env.CW_MEM_PROBE_SNAPSHOT;
      const snapshot = snapDir ? writeHeapSnapshot(`${snapDir}/probe-${process.pid}-${seq}.heapsnapshot`) : undefined;
      writeFileSync(`${out}.tmp`, JSON.stringify({ seq, gc: Boolean(gc), before, after, snapshot }));
      renameSync(`${out}.tmp`, out);
    }, 300);
  });
}
