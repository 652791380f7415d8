/**
 * Access control, independent of the OCPP version: token types, how token ids are normalised and masked,
 * the authorization statuses of both versions, and the decision itself as a pure function. The registry
 * (platform/src/access) stores tokens, the collector's authorizer (collector/src/access) feeds this
 * decision from an in-memory cache, and the adapters map its 2.0.1 status to 1.6 with `toStatus16`.
 */
import type { AuthorizationDecision } from './csms';
import type { IdToken } from './events';
import { maskTokenId } from './command-redaction';
import { inMaintenanceWindow, type MaintenanceWindow } from './firmware-campaign';

/** Every OCPP 2.0.1 IdTokenEnumType value (1.6 idTags carry no type: the events say `Unknown`). */
export const TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export const OCPI_TOKEN_TYPES = ['AD_HOC_USER', 'APP_USER', 'OTHER', 'RFID'] as const;
export type OcpiTokenType = (typeof OCPI_TOKEN_TYPES)[number];

/**
 * The OCPI 2.2.1 token type each OCPP type becomes by default (a token may override it): cards are RFID,
 * Central ids come from our app or a remote start (APP_USER), NoAuthorization is the ad-hoc payment case
 * (a terminal, free vend); PINs, contract ids (Plug & Charge), station-local ids and MAC addresses
 * (Autocharge) have no OCPI type of their own.
 */
export const OCPI_TYPE_OF: Readonly<Record<TokenType, OcpiTokenType>> = {
  Central: 'APP_USER',
  eMAID: 'OTHER',
  ISO14443: 'RFID',
  ISO15693: 'RFID',
  KeyCode: 'OTHER',
  Local: 'OTHER',
  MacAddress: 'OTHER',
  NoAuthorization: 'AD_HOC_USER',
};

/** OCPP 2.0.1 AuthorizationStatusEnumType. */
export const AUTHORIZATION_STATUSES = [
  'Accepted',
  'Blocked',
  'ConcurrentTx',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
] as const;
export type AuthorizationStatus = (typeof AUTHORIZATION_STATUSES)[number];

/** OCPP 1.6 AuthorizationStatus. ConcurrentTx is meant for StartTransaction answers only. */
export const AUTHORIZATION_STATUSES_16 = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'] as const;
export type AuthorizationStatus16 = (typeof AUTHORIZATION_STATUSES_16)[number];

/**
 * The nearest 1.6 status. A token we know but refuse here (no credit, wrong EVSE type, place or time) is
 * Blocked: 1.6 Invalid means "unknown", and a station that caches the answer keeps only Accepted entries
 * for local pre-authorization, so Blocked never outlives the reason. `Unknown` is Invalid.
 */
export const STATUS_16_OF: Readonly<Record<AuthorizationStatus, AuthorizationStatus16>> = {
  Accepted: 'Accepted',
  Blocked: 'Blocked',
  ConcurrentTx: 'ConcurrentTx',
  Expired: 'Expired',
  Invalid: 'Invalid',
  NoCredit: 'Blocked',
  NotAllowedTypeEVSE: 'Blocked',
  NotAtThisLocation: 'Blocked',
  NotAtThisTime: 'Blocked',
  Unknown: 'Invalid',
};

export function isAuthorizationStatus(s: string): s is AuthorizationStatus {
  return (AUTHORIZATION_STATUSES as readonly string[]).includes(s);
}

/** Any status string (2.0.1 or not) as a 1.6 status; what is not a known status is Invalid. */
export function toStatus16(status: string): AuthorizationStatus16 {
  return isAuthorizationStatus(status) ? STATUS_16_OF[status] : 'Invalid';
}

export function isTokenType(t: string): t is TokenType {
  return (TOKEN_TYPES as readonly string[]).includes(t);
}

/** OCPP 2.0.1 IdTokenType.idToken is at most 36 characters; a 1.6 idTag at most 20. */
export const TOKEN_ID_MAX_LENGTH = 36;
export const IDTAG_16_MAX_LENGTH = 20;
/** Shortest PIN we store: keypads with 4 digits of 1–5 have only 625 combinations already. */
export const PIN_MIN_LENGTH = 4;

export type Normalised = { ok: true; uid: string } | { ok: false; reason: string };

const HEX = /^[0-9A-Fa-f]+$/;
/** Hex bytes joined by one separator used throughout (`04:A2:…`, `04-a2-…`, `04 A2 …`). */
const SEPARATED_BYTES = /^[0-9A-Fa-f]{2}(?:([:\- ])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2})*)?$/;
/** Cisco's MAC spelling `0011.2233.4455`. */
const DOTTED_MAC = /^[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/;
/** Printable ASCII without space: what every other type may hold (no controls, no invisible characters). */
const PRINTABLE = /^[\x21-\x7e]*$/;

function hexBytes(raw: string, what: string, allowedBytes: readonly number[], dotted = false): Normalised {
  let hex: string;
  if (HEX.test(raw)) hex = raw;
  else if (SEPARATED_BYTES.test(raw) || (dotted && DOTTED_MAC.test(raw))) hex = raw.replace(/[:\-. ]/g, '');
  else return { ok: false, reason: `${what} must be hexadecimal bytes, optionally separated by one of ':' '-' ' '` };
  if (hex.length % 2 !== 0) return { ok: false, reason: `${what} has an odd number of hex digits (${hex.length})` };
  const bytes = hex.length / 2;
  if (!allowedBytes.includes(bytes)) return { ok: false, reason: `${what} must be ${allowedBytes.join(', ')} bytes long, not ${bytes}` };
  return { ok: true, uid: hex.toUpperCase() };
}

/**
 * The stored form of a token id, or why it is refused. ISO 14443 UIDs (4, 7 or 10 bytes), ISO 15693
 * UIDs (8 bytes) and MAC addresses (6 or 8 bytes) become upper-case hex without separators (OCPP: "hex
 * of the UID bytes, byte 0 first"). Every other id is kept exactly as given: nothing is trimmed or
 * case-folded; ids with whitespace, controls or non-ASCII characters are refused. KeyCode ids are PINs
 * (the registry stores only their keyed hash); NoAuthorization ids may be empty.
 */
export function normaliseTokenId(type: TokenType, raw: string): Normalised {
  if (typeof raw !== 'string') return { ok: false, reason: 'the id must be a string' };
  if (raw.length > TOKEN_ID_MAX_LENGTH) return { ok: false, reason: `the id is longer than ${TOKEN_ID_MAX_LENGTH} characters` };
  switch (type) {
    case 'ISO14443':
      return hexBytes(raw, 'an ISO 14443 UID', [4, 7, 10]);
    case 'ISO15693':
      return hexBytes(raw, 'an ISO 15693 UID', [8]);
    case 'MacAddress':
      return hexBytes(raw, 'a MAC address', [6, 8], true);
    default:
      if (raw.length === 0 && type !== 'NoAuthorization') return { ok: false, reason: 'the id is empty' };
      if (!PRINTABLE.test(raw)) return { ok: false, reason: 'the id may hold only printable ASCII characters without spaces' };
      if (type === 'KeyCode' && raw.length < PIN_MIN_LENGTH) return { ok: false, reason: `a PIN needs at least ${PIN_MIN_LENGTH} characters` };
      return { ok: true, uid: raw };
  }
}

/**
 * The key a token is found by: ids are case-insensitive in both OCPP versions (1.6 CiString, 2.0.1
 * identifierString), so matching upper-cases them; the stored id keeps the spelling it was given.
 */
export function tokenLookupKey(uid: string): string {
  return uid.toUpperCase();
}

/** A token id as logs, metrics and audit entries may show it: PINs entirely hidden, others to the last four. */
export function maskIdToken(token: Pick<IdToken, 'id' | 'type'>): string {
  return token.type === 'KeyCode' ? '****' : maskTokenId(token.id);
}

/** What a token may be. Expired is also implied by `validUntil` passing. */
export const TOKEN_STATUSES = ['Accepted', 'Blocked', 'Expired'] as const;
export type TokenStatus = (typeof TOKEN_STATUSES)[number];

/** What the decision needs to know of a registered token. */
export interface AccessToken {
  type: TokenType;
  status: TokenStatus;
  /** Epoch ms after which the token is Expired. */
  validUntil?: number;
  /** 1.6 parentIdTag / 2.0.1 groupIdToken. */
  groupId?: string;
  /** Open transactions the token may have at once; absent: no limit. 0 refuses every start. */
  maxConcurrentTx?: number;
  /**
   * Where the token may charge: any listed site, station or EVSE (`<stationId>/<evseId>`; identities hold
   * no `/`). All three empty or absent: everywhere.
   */
  allowedSites?: readonly string[];
  allowedStations?: readonly string[];
  allowedEvses?: readonly string[];
  /** Weekly windows in the site's time zone; absent or empty: at any time. */
  allowedHours?: readonly MaintenanceWindow[];
}

export interface AuthorizationContext {
  /** Epoch ms. */
  now: number;
  stationId: string;
  siteId?: string;
  /** The site's IANA time zone (station metadata `timeZone`); UTC when unknown. */
  timeZone?: string;
  /** The EVSE of a transaction start; absent for Authorize (neither version names one). */
  evseId?: number;
  /**
   * `start`: a transaction begins (1.6 StartTransaction, 2.0.1 TransactionEvent Started), so the
   * concurrency limit applies. `authorize`: an Authorize, never refused for concurrency — a driver shows
   * the same card to stop a session, and 1.6 allows ConcurrentTx only in StartTransaction answers.
   */
  purpose: 'authorize' | 'start';
  /** The token's open transactions elsewhere (the starting one not counted); only read for `start`. */
  openTransactions?: number;
  /** The site charges without authorization: unknown tokens are Accepted. */
  freeVend?: boolean;
}

export interface AccessDecision extends AuthorizationDecision {
  status: AuthorizationStatus;
  /** Why, for logs (never sent to the station). */
  reason: string;
  /** EVSEs of this station the token is limited to (2.0.1 idTokenInfo.evseId), when it is. */
  evseIds?: number[];
}

const evseOf = (entry: string, stationId: string): number | undefined => {
  const cut = entry.lastIndexOf('/');
  if (cut < 0 || entry.slice(0, cut) !== stationId) return undefined;
  const n = Number(entry.slice(cut + 1));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
};

/** Is the token allowed at this site/station (and EVSE, when known)? Also the EVSEs it is limited to. */
export function locationAllows(token: AccessToken, ctx: Pick<AuthorizationContext, 'stationId' | 'siteId' | 'evseId'>): { allowed: boolean; evseIds?: number[] } {
  const sites = token.allowedSites ?? [];
  const stations = token.allowedStations ?? [];
  const evses = token.allowedEvses ?? [];
  if (sites.length === 0 && stations.length === 0 && evses.length === 0) return { allowed: true };
  if ((ctx.siteId !== undefined && sites.includes(ctx.siteId)) || stations.includes(ctx.stationId)) return { allowed: true };
  const here = evses.map((e) => evseOf(e, ctx.stationId)).filter((n): n is number => n !== undefined);
  if (here.length === 0) return { allowed: false };
  return { allowed: ctx.evseId === undefined || here.includes(ctx.evseId), evseIds: [...new Set(here)].sort((a, b) => a - b) };
}

/**
 * The decision for a token (undefined: not in the registry). Checked in this order: unknown (Invalid,
 * Accepted on a free-vend site), status, expiry, location, time, concurrency (starts only). Free vend
 * changes only the unknown case: a blocked card stays blocked there. Total: every input gets a status.
 */
export function decideAuthorization(token: AccessToken | undefined, ctx: AuthorizationContext): AccessDecision {
  if (!token) return ctx.freeVend ? { status: 'Accepted', reason: 'free vend' } : { status: 'Invalid', reason: 'unknown token' };
  const group = token.groupId ? { groupId: token.groupId } : {};
  const refuse = (status: AuthorizationStatus, reason: string): AccessDecision => ({ status, reason, ...group });
  if (token.status === 'Blocked') return refuse('Blocked', 'blocked');
  if (token.status === 'Expired') return refuse('Expired', 'expired');
  if (token.validUntil !== undefined && !(ctx.now < token.validUntil)) return refuse('Expired', 'valid until passed');
  const where = locationAllows(token, ctx);
  if (!where.allowed) return refuse('NotAtThisLocation', 'not allowed at this location');
  if (!inHours(token.allowedHours, ctx)) return refuse('NotAtThisTime', 'outside allowed hours');
  if (ctx.purpose === 'start' && token.maxConcurrentTx !== undefined && (ctx.openTransactions ?? 0) >= token.maxConcurrentTx) {
    return refuse('ConcurrentTx', `${ctx.openTransactions ?? 0} open transactions, at most ${token.maxConcurrentTx}`);
  }
  const expiry = token.validUntil !== undefined && Math.abs(token.validUntil) <= MAX_DATE_MS ? { expiryDate: new Date(token.validUntil).toISOString() } : {};
  return { status: 'Accepted', reason: 'accepted', ...group, ...expiry, ...(where.evseIds ? { evseIds: where.evseIds } : {}) };
}

/** The largest epoch ms a Date holds. */
const MAX_DATE_MS = 8.64e15;

function inHours(windows: readonly MaintenanceWindow[] | undefined, ctx: AuthorizationContext): boolean {
  if (!windows || windows.length === 0) return true;
  try {
    return inMaintenanceWindow([...windows], ctx.timeZone ?? 'UTC', ctx.now);
  } catch {
    // A zone the runtime does not know (the metadata check should have refused it): judge in UTC.
    return inMaintenanceWindow([...windows], 'UTC', ctx.now);
  }
}
