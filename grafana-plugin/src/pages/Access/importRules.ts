/**
 * The token import: which format a pasted or uploaded file is (JSON when it parses as an array or
 * {tokens}; otherwise CSV with a header row, as the collector's export writes it), a first look
 * before sending (the collector checks every row and writes nothing when one is bad), and the
 * collector's answer read back: the rows it refused and why.
 */
import type { ImportFile } from '../../api/access';
import type { ImportProblem } from '../../api/accessTypes';
import { ApiError } from '../../api/client';

/** The columns the collector reads (platform access/token-csv.ts CSV_COLUMNS). */
export const CSV_COLUMNS = [
  'id',
  'type',
  'uid',
  'pin',
  'ocpi_type',
  'status',
  'valid_until',
  'group_id',
  'account_id',
  'max_concurrent_tx',
  'allowed_sites',
  'allowed_stations',
  'allowed_evses',
  'allowed_hours',
  'note',
] as const;

/** Upload size the page accepts: far above 100,000 rows of cards, far below what hurts a browser. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

export type ReadFile = { ok: true; file: ImportFile; rows: number } | { ok: false; error: string };

/** The import file `text` is, or why it cannot be sent at all. */
export function readImport(text: string, fileName = ''): ReadFile {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') {
    return { ok: false, error: 'Paste or upload a CSV or JSON file first' };
  }
  const looksJson = /\.json$/i.test(fileName) || /^\s*[[{]/.test(body);
  if (looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(rows)) {
      return { ok: false, error: 'A JSON import is an array of tokens or {"tokens": [...]}' };
    }
    return { ok: true, file: { format: 'json', rows: parsed }, rows: rows.length };
  }
  const header = body
    .split(/\r?\n/, 1)[0]!
    .split(',')
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) {
    return {
      ok: false,
      error: `Line 1 must name the columns; unknown: ${unknown.join(', ')} (columns: ${CSV_COLUMNS.join(', ')})`,
    };
  }
  const rows = body
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '').length;
  return { ok: true, file: { format: 'csv', text: body }, rows };
}

/** The refused rows of an import's 400 answer (empty when the error is of another kind). */
export function importProblems(error: unknown): ImportProblem[] {
  if (!(error instanceof ApiError) || error.status !== 400) {
    return [];
  }
  const rows = (error.body as { rows?: unknown } | undefined)?.rows;
  if (!Array.isArray(rows)) {
    return [];
  }
  return rows
    .filter((r): r is ImportProblem => typeof r?.row === 'number' && Array.isArray(r?.errors))
    .map((r) => ({ row: r.row, errors: r.errors.map(String) }));
}
