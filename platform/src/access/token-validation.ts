/**
 * Checks a token (created, changed or imported) before the registry stores it: the id normalised as the
 * model says (refused with the reason, never cleaned), PINs only for KeyCode, known statuses and OCPI
 * types, limits within what OCPP carries (group id 36 characters, 20 for 1.6 stations is the local-list
 * sync's concern), weekly windows as campaigns spell them. Errors name the field, so the API and the
 * import can answer with them as they are.
 */
import {
  OCPI_TOKEN_TYPES,
  OCPI_TYPE_OF,
  TOKEN_ID_MAX_LENGTH,
  TOKEN_STATUSES,
  TOKEN_TYPES,
  isTokenType,
  isValidWindow,
  normaliseTokenId,
  type MaintenanceWindow,
  type OcpiTokenType,
  type TokenStatus,
  type TokenType,
} from '@chargewatch/model';

/** A token as the registry stores it (the PIN still in clear: the registry hashes and seals it). */
export interface NewToken {
  type: TokenType;
  /** Normalised id; absent for KeyCode. */
  uid?: string;
  /** KeyCode only. */
  pin?: string;
  ocpiType: OcpiTokenType;
  status: TokenStatus;
  validUntil?: Date;
  groupId?: string;
  accountId?: string;
  maxConcurrentTx?: number;
  allowedSites: string[];
  allowedStations: string[];
  allowedEvses: string[];
  allowedHours: MaintenanceWindow[];
  note?: string;
}

/** A change: fields present replace, `null` clears an optional one. Type and uid cannot change. */
export type TokenPatch = Partial<Omit<NewToken, 'type' | 'uid' | 'validUntil' | 'groupId' | 'accountId' | 'maxConcurrentTx' | 'note'>> & {
  validUntil?: Date | null;
  groupId?: string | null;
  accountId?: string | null;
  maxConcurrentTx?: number | null;
  note?: string | null;
};

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const LIST_MAX = 1000;
const NOTE_MAX = 2000;
const CONTROL = /[\u0000-\u001f\u007f]/;
const FIELDS = new Set(['type', 'uid', 'pin', 'ocpiType', 'status', 'validUntil', 'groupId', 'accountId', 'maxConcurrentTx', 'allowedSites', 'allowedStations', 'allowedEvses', 'allowedHours', 'note']);

function textList(v: unknown, field: string, errors: string[], each?: (s: string) => string | undefined): string[] | undefined {
  if (!Array.isArray(v)) return void errors.push(`${field} must be an array of strings`);
  if (v.length > LIST_MAX) return void errors.push(`${field} holds more than ${LIST_MAX} entries`);
  const out: string[] = [];
  for (const s of v) {
    if (typeof s !== 'string' || s.length === 0 || s.length > 200 || CONTROL.test(s)) return void errors.push(`${field} entries must be strings of 1 to 200 characters without control characters`);
    const problem = each?.(s);
    if (problem) return void errors.push(`${field}: ${problem}`);
    out.push(s);
  }
  return [...new Set(out)];
}

const evseEntry = (s: string): string | undefined => (/^[^/]+\/(0|[1-9][0-9]{0,4})$/.test(s) ? undefined : `${JSON.stringify(s)} is not <stationId>/<evseId>`);

function windows(v: unknown, errors: string[]): MaintenanceWindow[] | undefined {
  if (!Array.isArray(v) || v.length > 50) return void errors.push('allowedHours must be an array of at most 50 weekly windows');
  const out: MaintenanceWindow[] = [];
  for (const w of v as Array<Record<string, unknown>>) {
    const ok = w && typeof w === 'object' && typeof w.start === 'string' && typeof w.end === 'string' && (w.days === undefined || Array.isArray(w.days)) && Object.keys(w).every((k) => ['days', 'start', 'end'].includes(k));
    const win = ok ? ({ start: w.start, end: w.end, ...(w.days !== undefined ? { days: w.days } : {}) } as MaintenanceWindow) : undefined;
    if (!win || !isValidWindow(win)) return void errors.push('allowedHours entries are {"days": [0-6…], "start": "HH:MM", "end": "HH:MM"} with start ≠ end');
    out.push(win);
  }
  return out;
}

function optionalText(v: unknown, field: string, max: number, errors: string[]): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) return void errors.push(`${field} must be a string of 1 to ${max} characters`);
  if (field !== 'note' && (CONTROL.test(v) || v.trim() !== v)) return void errors.push(`${field} must not hold control characters or begin or end with white space`);
  return v;
}

/** Checks the fields `input` has; `create` also requires type and id (uid, or pin for KeyCode). */
function checkFields(input: unknown, mode: 'create' | 'patch', type: TokenType | undefined): Checked<Record<string, unknown>> {
  const errors: string[] = [];
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: ['a token must be an object'] };
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) errors.push(`${k} is not a token field`);
  const out: Record<string, unknown> = {};
  const has = (k: string) => o[k] !== undefined;
  const clearable = (k: string) => mode === 'patch' && o[k] === null;
  if (mode === 'patch' && (has('type') || has('uid'))) errors.push('type and uid cannot change: delete the token and create a new one');
  if (mode === 'create') {
    if (typeof o.type !== 'string' || !isTokenType(o.type)) errors.push(`type must be one of ${TOKEN_TYPES.join(', ')}`);
    else out.type = o.type;
  }
  const t = (out.type as TokenType | undefined) ?? type;
  if (mode === 'create' && t) {
    if (t === 'KeyCode') {
      if (has('uid')) errors.push('a KeyCode token has no uid: send the PIN as pin');
    } else if (typeof o.uid !== 'string') errors.push(`uid must be a string of at most ${TOKEN_ID_MAX_LENGTH} characters`);
    else {
      const n = normaliseTokenId(t, o.uid);
      if (n.ok) out.uid = n.uid;
      else errors.push(`uid: ${n.reason}`);
    }
  }
  if (t === 'KeyCode' && (has('pin') || mode === 'create')) {
    const n = typeof o.pin === 'string' ? normaliseTokenId('KeyCode', o.pin) : { ok: false as const, reason: 'a KeyCode token needs its PIN (pin)' };
    if (n.ok) out.pin = n.uid;
    else errors.push(`pin: ${n.reason}`);
  } else if (has('pin')) errors.push('only KeyCode tokens have a pin');
  if (has('ocpiType')) {
    if ((OCPI_TOKEN_TYPES as readonly unknown[]).includes(o.ocpiType)) out.ocpiType = o.ocpiType;
    else errors.push(`ocpiType must be one of ${OCPI_TOKEN_TYPES.join(', ')}`);
  }
  if (has('status')) {
    if ((TOKEN_STATUSES as readonly unknown[]).includes(o.status)) out.status = o.status;
    else errors.push(`status must be one of ${TOKEN_STATUSES.join(', ')}`);
  }
  if (clearable('validUntil')) out.validUntil = null;
  else if (has('validUntil')) {
    const d = typeof o.validUntil === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/.test(o.validUntil) ? new Date(o.validUntil) : undefined;
    if (d && !Number.isNaN(d.getTime())) out.validUntil = d;
    else errors.push('validUntil must be an ISO 8601 date-time with a time zone, e.g. 2027-01-31T23:59:59Z');
  }
  if (clearable('groupId')) out.groupId = null;
  else if (has('groupId')) out.groupId = optionalText(o.groupId, 'groupId', TOKEN_ID_MAX_LENGTH, errors);
  if (clearable('accountId')) out.accountId = null;
  else if (has('accountId')) {
    const id = typeof o.accountId === 'number' ? String(o.accountId) : o.accountId;
    if (typeof id === 'string' && /^[1-9][0-9]{0,17}$/.test(id)) out.accountId = id;
    else errors.push('accountId must be an account id');
  }
  if (clearable('maxConcurrentTx')) out.maxConcurrentTx = null;
  else if (has('maxConcurrentTx')) {
    if (Number.isInteger(o.maxConcurrentTx) && (o.maxConcurrentTx as number) >= 0 && (o.maxConcurrentTx as number) <= 1000) out.maxConcurrentTx = o.maxConcurrentTx;
    else errors.push('maxConcurrentTx must be an integer from 0 to 1000');
  }
  if (has('allowedSites')) out.allowedSites = textList(o.allowedSites, 'allowedSites', errors);
  if (has('allowedStations')) out.allowedStations = textList(o.allowedStations, 'allowedStations', errors, (s) => (s.includes('/') ? `${JSON.stringify(s)} is not a station id` : undefined));
  if (has('allowedEvses')) out.allowedEvses = textList(o.allowedEvses, 'allowedEvses', errors, evseEntry);
  if (has('allowedHours')) out.allowedHours = windows(o.allowedHours, errors);
  if (clearable('note')) out.note = null;
  else if (has('note')) out.note = optionalText(o.note, 'note', NOTE_MAX, errors);
  return errors.length ? { ok: false, errors } : { ok: true, value: out };
}

export function validateNewToken(input: unknown): Checked<NewToken> {
  const c = checkFields(input, 'create', undefined);
  if (!c.ok) return c;
  const v = c.value as Partial<NewToken> & { type: TokenType };
  return {
    ok: true,
    value: {
      ...v,
      ocpiType: v.ocpiType ?? OCPI_TYPE_OF[v.type],
      status: v.status ?? 'Accepted',
      allowedSites: v.allowedSites ?? [],
      allowedStations: v.allowedStations ?? [],
      allowedEvses: v.allowedEvses ?? [],
      allowedHours: v.allowedHours ?? [],
    } as NewToken,
  };
}

/** A change to a token of type `type` (the stored token's). */
export function validateTokenPatch(input: unknown, type: TokenType): Checked<TokenPatch> {
  const c = checkFields(input, 'patch', type);
  return c.ok ? { ok: true, value: c.value as TokenPatch } : c;
}
