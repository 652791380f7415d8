/**
 * The token form: its fields as typed, the checks the registry makes (platform
 * access/token-validation.ts: the id normalised by the model's normaliseTokenId, PINs only for
 * KeyCode, limits of OCPP and the schema, weekly windows as campaigns spell them), run before anything
 * is sent, and the request bodies built from a valid form: everything set for a new token, only what
 * changed for an edit. A PIN is write-only: the form starts empty and an empty PIN keeps the old one.
 */
import {
  normaliseTokenId,
  OCPI_TYPE_OF,
  PIN_MIN_LENGTH,
  TOKEN_ID_MAX_LENGTH,
  type OcpiTokenType,
  type TokenStatus,
  type TokenType,
} from '@chargewatch/model/access';
import type { MaintenanceWindow } from '../../api/firmwareTypes';
import type { AccessToken, NewToken, TokenPatch } from '../../api/accessTypes';
import { parseWindows, splitList } from '../Firmware/campaignRules';

export const TOKEN_LIMITS = { note: 2000, listEntries: 1000, entry: 200, maxConcurrentTx: 1000 } as const;

export interface TokenFormState {
  type: TokenType;
  uid: string;
  pin: string;
  /** '' → the type's default (OCPI_TYPE_OF) */
  ocpiType: OcpiTokenType | '';
  status: TokenStatus;
  validUntil: string;
  groupId: string;
  accountId: string;
  maxConcurrentTx: string;
  allowedSites: string;
  allowedStations: string;
  allowedEvses: string;
  /** `Mon,Tue 07:00-19:00; 22:00-02:00` */
  allowedHours: string;
  note: string;
}

export const EMPTY_TOKEN: TokenFormState = {
  type: 'ISO14443',
  uid: '',
  pin: '',
  ocpiType: '',
  status: 'Accepted',
  validUntil: '',
  groupId: '',
  accountId: '',
  maxConcurrentTx: '',
  allowedSites: '',
  allowedStations: '',
  allowedEvses: '',
  allowedHours: '',
  note: '',
};

export type TokenErrors = Partial<Record<keyof TokenFormState, string>>;

/** What the id field asks for, by type. */
export const UID_HINT: Partial<Record<TokenType, string>> = {
  ISO14443: 'Card UID: 4, 7 or 10 bytes of hex (04A2B3C4D5E6F7, 04:A2:…); stored upper-case without separators',
  ISO15693: 'Tag UID: 8 bytes of hex; stored upper-case without separators',
  MacAddress: 'The vehicle’s MAC address: 6 or 8 bytes of hex (00:11:22:33:44:55, 0011.2233.4455)',
  eMAID: 'Contract id (Plug & Charge), e.g. NL-TNM-C12345678-X',
  Central: 'An id the CSMS issued (app or remote start)',
  Local: 'An id the station issued',
  NoAuthorization: 'May be empty (free vend / payment terminal)',
};

const CONTROL = /[\u0000-\u001f\u007f]/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const EVSE = /^[^/]+\/(0|[1-9][0-9]{0,4})$/;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The stored form of the id as typed (ISO hex UIDs upper-cased, separators dropped), or why not. */
export function normalisedUid(type: TokenType, uid: string) {
  return normaliseTokenId(type, uid);
}

function listProblem(text: string, check?: (s: string) => string | undefined): string | undefined {
  const entries = splitList(text);
  if (entries.length > TOKEN_LIMITS.listEntries) {
    return `At most ${TOKEN_LIMITS.listEntries} entries`;
  }
  for (const s of entries) {
    if (s.length > TOKEN_LIMITS.entry || CONTROL.test(s)) {
      return `Entries of 1 to ${TOKEN_LIMITS.entry} characters without control characters`;
    }
    const problem = check?.(s);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/** The form's problems by field; empty when it can be sent. `editing`: type and uid are fixed. */
export function validateToken(f: TokenFormState, editing?: AccessToken): TokenErrors {
  const e: TokenErrors = {};
  const type = editing?.type ?? f.type;
  if (!editing && type !== 'KeyCode') {
    const n = normaliseTokenId(type, f.uid);
    e.uid = n.ok ? undefined : capital(n.reason);
  }
  if (type === 'KeyCode' && (!editing || f.pin !== '')) {
    const n = normaliseTokenId('KeyCode', f.pin);
    e.pin = n.ok
      ? undefined
      : f.pin === ''
        ? `Required: the PIN (at least ${PIN_MIN_LENGTH} characters)`
        : capital(n.reason);
  }
  const until = f.validUntil.trim();
  if (until && !(DATE_TIME.test(until) && !Number.isNaN(new Date(until).getTime()))) {
    e.validUntil = 'An ISO 8601 date-time with a time zone, e.g. 2027-01-31T23:59:59Z';
  }
  const group = f.groupId;
  if (group && (group.length > TOKEN_ID_MAX_LENGTH || CONTROL.test(group) || group.trim() !== group)) {
    e.groupId = `1 to ${TOKEN_ID_MAX_LENGTH} characters, no control characters or surrounding spaces`;
  }
  if (f.accountId && !/^[1-9][0-9]{0,17}$/.test(f.accountId)) {
    e.accountId = 'An account id';
  }
  const max = f.maxConcurrentTx.trim();
  if (max && !(/^\d+$/.test(max) && Number(max) <= TOKEN_LIMITS.maxConcurrentTx)) {
    e.maxConcurrentTx = `A whole number from 0 to ${TOKEN_LIMITS.maxConcurrentTx}; empty: no limit`;
  }
  e.allowedSites = listProblem(f.allowedSites);
  e.allowedStations = listProblem(f.allowedStations, (s) =>
    s.includes('/') ? `"${s}" is not a station id` : undefined
  );
  e.allowedEvses = listProblem(f.allowedEvses, (s) =>
    EVSE.test(s) ? undefined : `"${s}" is not <stationId>/<evseId>`
  );
  const hours = parseWindows(f.allowedHours);
  e.allowedHours = 'error' in hours ? hours.error : hours.windows.length > 50 ? 'At most 50 windows' : undefined;
  if (f.note.length > TOKEN_LIMITS.note) {
    e.note = `At most ${TOKEN_LIMITS.note} characters (${f.note.length} now)`;
  }
  for (const key of Object.keys(e) as Array<keyof TokenFormState>) {
    if (!e[key]) {
      delete e[key];
    }
  }
  return e;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The writable fields of a valid form, cleared ones as null. */
function fields(f: TokenFormState) {
  const hours = parseWindows(f.allowedHours);
  const max = f.maxConcurrentTx.trim();
  return {
    validUntil: f.validUntil.trim() || null,
    groupId: f.groupId || null,
    accountId: f.accountId || null,
    maxConcurrentTx: max === '' ? null : Number(max),
    allowedSites: splitList(f.allowedSites),
    allowedStations: splitList(f.allowedStations),
    allowedEvses: splitList(f.allowedEvses),
    allowedHours: 'windows' in hours ? hours.windows : [],
    note: f.note || null,
  };
}

/** The `POST /tokens` body of a valid form (empty optional fields left out). */
export function newTokenBody(f: TokenFormState): NewToken {
  const body: NewToken = { type: f.type, status: f.status };
  if (f.type === 'KeyCode') {
    body.pin = f.pin;
  } else {
    body.uid = f.uid;
  }
  if (f.ocpiType) {
    body.ocpiType = f.ocpiType;
  }
  for (const [key, value] of Object.entries(fields(f))) {
    if (value !== null && !(Array.isArray(value) && value.length === 0)) {
      (body as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return body;
}

/** The form showing `t` (the PIN empty: it is never read back). */
export function tokenForm(t: AccessToken): TokenFormState {
  return {
    type: t.type,
    uid: t.uid ?? '',
    pin: '',
    ocpiType: t.ocpiType,
    status: t.status,
    validUntil: t.validUntil ?? '',
    groupId: t.groupId ?? '',
    accountId: t.accountId ?? '',
    maxConcurrentTx: t.maxConcurrentTx === undefined ? '' : String(t.maxConcurrentTx),
    allowedSites: (t.allowedSites ?? []).join(', '),
    allowedStations: (t.allowedStations ?? []).join(', '),
    allowedEvses: (t.allowedEvses ?? []).join(', '),
    allowedHours: formatWindows(t.allowedHours ?? []),
    note: t.note ?? '',
  };
}

/** The `PATCH /tokens/{id}` body: only the fields that differ from `t`; a PIN only when one was typed. */
export function tokenPatchBody(f: TokenFormState, t: AccessToken): TokenPatch {
  const now = fields(f);
  const before = fields(tokenForm(t));
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(now) as Array<keyof typeof now>) {
    if (JSON.stringify(now[key]) !== JSON.stringify(before[key])) {
      patch[key] = now[key];
    }
  }
  if (f.ocpiType && f.ocpiType !== t.ocpiType) {
    patch.ocpiType = f.ocpiType;
  }
  if (t.type === 'KeyCode' && f.pin) {
    patch.pin = f.pin;
  }
  return patch as TokenPatch;
}

/** Weekly windows as the form writes them: `Mon,Tue 07:00-19:00; 22:00-02:00`. */
export function formatWindows(windows: MaintenanceWindow[]): string {
  return windows
    .map((w) => `${w.days?.length ? `${w.days.map((d) => DAYS[d]).join(',')} ` : ''}${w.start}-${w.end}`)
    .join('; ');
}

/** The OCPI type a token of `type` gets when none is chosen. */
export const defaultOcpiType = (type: TokenType): OcpiTokenType => OCPI_TYPE_OF[type];
