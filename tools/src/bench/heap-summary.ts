/**
 * `node tools/dist/bench/heap-summary.js <before.heapsnapshot> <after.heapsnapshot> [connections] [top]`:
 * what the heap holds more after than before, by constructor (objects, closures), by kind for the rest
 * (strings, arrays, code, hidden internals), as count and self size per connection. Used with the
 * snapshots idle-main.ts writes (IDLE_SNAPSHOT_DIR) to see which objects an idle connection keeps.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Per group: [count, self size in bytes]. */
export function groupHeap(file: string): Map<string, [number, number]> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + iType]!]!;
    const name = s.strings[s.nodes[i + iName]!]!;
    // Strings are grouped by kind only; objects and closures by constructor or function name.
    const key = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'object shape' ? `${type}: ${name.slice(0, 60)}` : type;
    const g = out.get(key) ?? [0, 0];
    g[0]++;
    g[1] += s.nodes[i + iSize]!;
    out.set(key, g);
  }
  return out;
}

if (require.main === module) {
  const [before, after, n = '1', top = '40'] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: heap-summary <before.heapsnapshot> <after.heapsnapshot> [connections] [top]');
  const a = groupHeap(before);
  const b = groupHeap(after);
  const conns = Number(n);
  const rows = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))].map((k) => {
    const [c0, s0] = a.get(k) ?? [0, 0];
    const [c1, s1] = b.get(k) ?? [0, 0];
    return { k, count: (c1 - c0) / conns, bytes: (s1 - s0) / conns };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((t, r) => t + r.bytes, 0);
  process.stdout.write(`per connection: ${total.toFixed(0)} bytes of self size more (${conns} connections)\n| what | objects | bytes |\n| --- | --- | --- |\n`);
  for (const r of rows.slice(0, Number(top))) process.stdout.write(`| ${r.k} | ${r.count.toFixed(2)} | ${r.bytes.toFixed(0)} |\n`);
}
