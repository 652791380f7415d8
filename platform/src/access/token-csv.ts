/**
 * Token import and export files. CSV is parsed strictly (RFC 4180: quoted fields, `""` inside quotes,
 * CRLF or LF line ends, line breaks inside quotes, a UTF-8 BOM) and every problem names its line;
 * nothing is guessed. Exported cells that a spreadsheet would run as a formula (starting with `=`, `+`,
 * `-`, `@`, tab or CR) get a leading `'` (so do cells starting with `'`), which the importer removes
 * again (only before those characters), so an export imports back unchanged. PINs are never exported.
 */
import type { TokenRecord } from './token-types';

export const IMPORT_MAX_ROWS = 100_000;

/** The columns of the CSV form, in export order; `pin` is accepted on import only. */
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
type Column = (typeof CSV_COLUMNS)[number];

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** Records of `text` (each an array of fields) with the line each starts on. */
export function parseCsv(text: string, maxRows = IMPORT_MAX_ROWS + 1): Array<{ line: number; fields: string[] }> {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: Array<{ line: number; fields: string[] }> = [];
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (s[i] === '"') {
        i++;
        for (;;) {
          if (i >= s.length) throw new CsvError(start, 'a quoted field is not closed');
          const c = s[i]!;
          if (c === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') throw new CsvError(line, 'text after a closing quote');
      } else {
        while (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
          if (s[i] === '"') throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          field += s[i];
          i++;
        }
      }
      fields.push(field);
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '\r') i++;
      if (s[i] === '\n') i++;
      line++;
      break;
    }
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: start, fields });
    if (rows.length > maxRows) throw new CsvError(start, `more than ${maxRows - 1} rows`);
  }
  return rows;
}

/** What gets the leading `'`: formula starts, and a `'` itself, so the escape stays reversible. */
const ESCAPED_START = /^[=+\-@\t\r']/;

/** A cell as exported: formula starts neutralised, quoted when needed. */
export function csvCell(value: string): string {
  const v = ESCAPED_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) || v.trim() !== v ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The inverse of the neutralisation, for imported cells. */
const unneutralise = (v: string) => (v.startsWith("'") && ESCAPED_START.test(v.slice(1)) ? v.slice(1) : v);

const list = (v: string): unknown => (v.startsWith('[') ? jsonCell(v) : v.split(';'));
function jsonCell(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v; // the validator then says what the field must be
  }
}
const LISTS = new Set<Column>(['allowed_sites', 'allowed_stations', 'allowed_evses']);
const camel = (c: string) => c.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());

export interface ImportRow {
  /** Line (CSV) or position from 1 (JSON) of the row, for error messages. */
  row: number;
  input: Record<string, unknown>;
}

/** The token inputs of a CSV file: a header row naming columns of CSV_COLUMNS, then one token per row. */
export function tokensFromCsv(text: string): ImportRow[] {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new CsvError(1, 'the file is empty (it needs a header row)');
  const header = rows[0]!.fields.map((h) => h.trim().toLowerCase());
  for (const h of header) if (!(CSV_COLUMNS as readonly string[]).includes(h)) throw new CsvError(rows[0]!.line, `unknown column ${JSON.stringify(h)} (columns: ${CSV_COLUMNS.join(', ')})`);
  if (new Set(header).size !== header.length) throw new CsvError(rows[0]!.line, 'a column is named twice');
  return rows.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) throw new CsvError(line, `${fields.length} fields, the header has ${header.length}`);
    const input: Record<string, unknown> = {};
    header.forEach((h, k) => {
      const raw = unneutralise(fields[k]!);
      if (raw === '' || h === 'id') return;
      const col = h as Column;
      input[camel(col)] = LISTS.has(col) ? list(raw) : col === 'allowed_hours' ? jsonCell(raw) : col === 'max_concurrent_tx' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : raw;
    });
    return { row: line, input };
  });
}

/** The token inputs of a JSON import: an array of tokens, or `{ "tokens": [...] }`. */
export function tokensFromJson(body: unknown): ImportRow[] {
  const arr = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { tokens?: unknown }).tokens : undefined;
  if (!Array.isArray(arr)) throw new Error('a JSON import is an array of tokens or {"tokens": [...]}');
  if (arr.length > IMPORT_MAX_ROWS) throw new Error(`more than ${IMPORT_MAX_ROWS} tokens`);
  return arr.map((input, k) => {
    // Exported records carry read-only fields; an import of an export ignores them.
    const { id: _id, createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, hasPin: _h, ...rest } = (input && typeof input === 'object' ? input : { invalid: input }) as Record<string, unknown>;
    return { row: k + 1, input: rest };
  });
}

const listCell = (l: readonly string[]) => (l.some((s) => s.includes(';') || s.startsWith('[')) ? JSON.stringify(l) : l.join(';'));

/** The CSV export of tokens (no PINs). */
export function tokensToCsv(tokens: Iterable<TokenRecord>): string {
  const cols = CSV_COLUMNS.filter((c) => c !== 'pin');
  const out = [cols.join(',')];
  for (const t of tokens) {
    const cell: Record<string, string> = {
      id: t.id,
      type: t.type,
      uid: t.uid ?? '',
      ocpi_type: t.ocpiType,
      status: t.status,
      valid_until: t.validUntil ?? '',
      group_id: t.groupId ?? '',
      account_id: t.accountId ?? '',
      max_concurrent_tx: t.maxConcurrentTx === undefined ? '' : String(t.maxConcurrentTx),
      allowed_sites: listCell(t.allowedSites),
      allowed_stations: listCell(t.allowedStations),
      allowed_evses: listCell(t.allowedEvses),
      allowed_hours: t.allowedHours.length ? JSON.stringify(t.allowedHours) : '',
      note: t.note ?? '',
    };
    out.push(cols.map((c) => csvCell(cell[c] ?? '')).join(','));
  }
  return `${out.join('\r\n')}\r\n`;
}
