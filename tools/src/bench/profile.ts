/** Self time per function from a V8 .cpuprofile (as written by `node --cpu-prof`). */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileEntry {
  functionName: string;
  location: string;
  selfMs: number;
  selfPct: number;
}

export function topSelfTime(profile: CpuProfile, limit: number, root: string): ProfileEntry[] {
  const byNode = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) byNode.set(n.id, n);
  const selfUs = new Map<string, { fn: string; loc: string; us: number }>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    total += dt;
    let loc = url;
    if (url.startsWith('file://')) loc = relative(root, fileURLToPath(url));
    else if (url.startsWith('/')) loc = relative(root, url);
    loc = loc ? `${loc}:${lineNumber + 1}` : '(native)';
    const key = `${functionName}|${loc}`;
    const e = selfUs.get(key) ?? { fn: functionName || '(anonymous)', loc, us: 0 };
    e.us += dt;
    selfUs.set(key, e);
  }
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({ functionName: e.fn, location: e.loc, selfMs: e.us / 1000, selfPct: total ? (100 * e.us) / total : 0 }));
}
