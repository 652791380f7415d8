/**
 * Bulk import of operators' station metadata, as JSON or CSV. Every row is validated before any is
 * written, so a bad file changes nothing and the answer names each bad row.
 */
import { isValidTimeZone } from '@chargewatch/model';
import type { StationMetadata } from '@chargewatch/platform';

export interface MetadataRow extends StationMetadata {
  stationId: string;
}

/** A parsed row with the record number it came from, so problems name the right row. */
interface NumberedRow {
  row: number;
  data: MetadataRow;
}

export interface ImportProblem {
  row: number;
  message: string;
}

export const CSV_COLUMNS = ['station_id', 'site', 'address', 'latitude', 'longitude', 'operating_hours', 'tags', 'time_zone'] as const;

const STATION_ID = /^[A-Za-z0-9._:@-]{1,48}$/;
const TAG_KEY = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** `key=value;key2=value2` → record; used by the CSV `tags` column. */
function parseTags(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of raw.split(';')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`tag "${pair}" is not key=value`);
    tags[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return tags;
}

export function validateMetadata(meta: StationMetadata): string | undefined {
  if (meta.latitude !== undefined && (!Number.isFinite(meta.latitude) || Math.abs(meta.latitude) > 90)) return 'latitude must be between -90 and 90';
  if (meta.longitude !== undefined && (!Number.isFinite(meta.longitude) || Math.abs(meta.longitude) > 180)) return 'longitude must be between -180 and 180';
  if (meta.site !== undefined && meta.site.length > 64) return 'site must be at most 64 characters';
  if (meta.timeZone !== undefined && (typeof meta.timeZone !== 'string' || meta.timeZone.length > 64 || !isValidTimeZone(meta.timeZone))) return `timeZone ${JSON.stringify(meta.timeZone)} is not an IANA time zone such as Europe/Berlin`;
  for (const [k, v] of Object.entries(meta.tags ?? {})) {
    if (!TAG_KEY.test(k)) return `tag key "${k}" must start with a letter and use letters, digits and _ (max 40)`;
    if (typeof v !== 'string' || v.length > 64) return `tag "${k}" must be a string of at most 64 characters`;
  }
  return undefined;
}

/**
 * The PUT /stations/{id}/metadata route's own schema check (its compiled validator, so an import row is
 * accepted exactly when the PUT would accept it); it may normalise the row as the PUT does. Returns a
 * problem or undefined.
 */
export type SchemaCheck = (meta: Omit<MetadataRow, 'stationId'>) => string | undefined;

export function rowsFromCsv(text: string, schemaCheck?: SchemaCheck): { rows: MetadataRow[]; problems: ImportProblem[] } {
  const table = parseCsv(text);
  const problems: ImportProblem[] = [];
  const rows: NumberedRow[] = [];
  const header = table.shift()?.map((h) => h.trim().toLowerCase()) ?? [];
  if (!header.includes('station_id')) return { rows: [], problems: [{ row: 1, message: `header must include station_id; columns: ${CSV_COLUMNS.join(', ')}` }] };
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) problems.push({ row: 1, message: `unknown columns: ${unknown.join(', ')}` });
  table.forEach((cells, i) => {
    const get = (col: string) => {
      const idx = header.indexOf(col);
      // The station id is taken as written: an identity is never trimmed (a padded id is refused).
      const v = idx >= 0 ? (col === 'station_id' ? cells[idx] : cells[idx]?.trim()) : undefined;
      return v === '' ? undefined : v;
    };
    try {
      const meta: MetadataRow = { stationId: get('station_id') ?? '' };
      const site = get('site');
      if (site !== undefined) meta.site = site;
      const address = get('address');
      if (address !== undefined) meta.address = address;
      const lat = get('latitude');
      if (lat !== undefined) meta.latitude = Number(lat);
      const lon = get('longitude');
      if (lon !== undefined) meta.longitude = Number(lon);
      const hours = get('operating_hours');
      if (hours !== undefined) meta.operatingHours = hours;
      const zone = get('time_zone');
      if (zone !== undefined) meta.timeZone = zone;
      const tags = get('tags');
      if (tags !== undefined) meta.tags = parseTags(tags);
      rows.push({ row: i + 2, data: meta });
    } catch (err) {
      problems.push({ row: i + 2, message: (err as Error).message });
    }
  });
  return { rows: rows.map((r) => r.data), problems: problems.concat(checkNumberedRows(rows, schemaCheck)) };
}

/** Row numbers count records (the header is row 1); blank lines are not records. */
export function checkRows(rows: MetadataRow[], firstRowNumber = 1, schemaCheck?: SchemaCheck): ImportProblem[] {
  return checkNumberedRows(rows.map((data, i) => ({ row: i + firstRowNumber, data })), schemaCheck);
}

function checkNumberedRows(rows: NumberedRow[], schemaCheck?: SchemaCheck): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const seen = new Set<string>();
  rows.forEach(({ row, data: r }) => {
    if (!STATION_ID.test(r.stationId ?? '')) problems.push({ row, message: `station_id "${r.stationId ?? ''}" is not a valid identity` });
    else if (seen.has(r.stationId)) problems.push({ row, message: `station_id ${r.stationId} appears twice` });
    seen.add(r.stationId);
    const { stationId: _id, ...meta } = r;
    const invalid = schemaCheck?.(meta) ?? validateMetadata(r);
    if (invalid) problems.push({ row, message: invalid });
  });
  return problems;
}
