/**
 * No source file over 400 lines (docs/architecture.md): a file that grows past it gets split along
 * its own seams. Scope: every package's src/ and the Grafana plugin's src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const ROOTS = ['model/src', 'platform/src', 'collector/src', 'tools/src', 'cli/src', 'dashboards/src', 'grafana-plugin/src'];
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('source file size', () => {
  const files = ROOTS.flatMap((r) => sources(join(REPO, r)));

  test('the scope holds the sources', () => {
    expect(files.length).toBeGreaterThan(80);
  });

  test(`no TypeScript source file is over ${MAX_LINES} lines`, () => {
    const over = files
      .map((f) => ({ file: relative(REPO, f), lines: lineCount(readFileSync(f, 'utf8')) }))
      .filter((f) => f.lines > MAX_LINES)
      .sort((a, b) => b.lines - a.lines);
    expect(over).toEqual([]);
  });
});
