/**
 * The hostile-input suite's section of docs/reliability.md. The fault suite writes that file as a
 * whole; this section lives between two markers that it keeps, so either suite can run first or alone.
 * Written only where the fault suite's report goes (FAULT_REPORT, which `npm test` points at a
 * temporary file unless CHARGEWATCH_WRITE_REPORTS=1), so a test run leaves the working tree as it was.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const BLOCK_START = '<!-- hostile-input suite: written by collector/test/integration/hostile-fuzz.test.ts -->';
export const BLOCK_END = '<!-- end of hostile-input suite -->';

/** The marked block of an existing report, markers included, or undefined. */
export function extractBlock(text: string): string | undefined {
  const start = text.indexOf(BLOCK_START);
  const end = text.indexOf(BLOCK_END);
  return start >= 0 && end > start ? text.slice(start, end + BLOCK_END.length) : undefined;
}

/** Replaces (or appends) the marked block in the report at `path`. */
export function writeBlock(path: string, body: string): void {
  const block = `${BLOCK_START}\n${body.trim()}\n${BLOCK_END}`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const old = extractBlock(text);
  writeFileSync(path, old ? text.replace(old, block) : `${text.trimEnd()}${text ? '\n\n' : ''}${block}\n`);
}
