/**
 * Local authorization lists, independent of the OCPP version (sync state in local-list-sync.ts):
 * - which entries a station's list should hold, computed from the registry's tokens allowed there;
 * - what a station's list can hold (capacity), and which entries win when there are too many;
 * - the difference between the list a station last accepted and the desired one;
 * - how an update is cut into SendLocalList requests the station takes (1.6 SendLocalListMaxLength;
 *   2.0.1 LocalAuthListCtrlr.ItemsPerMessage and BytesPerMessage, measured on each request's JSON).
 *
 * Rules (docs/data-model.md, "Local authorization lists"):
 * - A token is listed when it is allowed at the station (everywhere, its site, the station, or some of its
 *   EVSEs), is Accepted or Blocked, and has not expired. Expired tokens are left out: an entry carries the
 *   token's `validUntil` as its expiry, so a station stops accepting it by itself offline, and a list
 *   does not fill up with dead cards. Blocked tokens are listed as Blocked, so a station whose
 *   authorization cache still holds them as Accepted refuses them offline.
 * - Left out as well: tokens limited to allowed hours (a list cannot say "only 07–19"; the station asks
 *   online), NoAuthorization tokens, KeyCode tokens without an opened PIN, ids longer than the version
 *   takes (20 for 1.6 idTags, 36 for 2.0.1), and on 1.6 tokens limited to some EVSEs of the station (a
 *   1.6 entry cannot name EVSEs; 2.0.1 entries carry them as idTokenInfo.evseId).
 * - Capacity priority when more tokens qualify than the station holds (LocalAuthListMaxLength /
 *   LocalAuthListCtrlr.Entries): Accepted entries before Blocked ones (the list exists so that valid
 *   drivers charge while the station is offline), then by registry token id, oldest first. Token ids
 *   are stable, so the same tokens stay listed from one sync to the next and differentials stay small.
 * - 1.6 idTags have no type and match case-insensitively: of tokens whose ids differ only in case, the
 *   one first in priority order is listed. 2.0.1 entries are keyed by type and id.
 */
import type { LocalListEntry, SendLocalListParams } from './commands';
import { IDTAG_16_MAX_LENGTH, TOKEN_ID_MAX_LENGTH, locationAllows, tokenLookupKey, type TokenStatus, type TokenType } from './access';
import type { MaintenanceWindow } from './firmware-campaign';

export type LocalListProtocol = 'ocpp1.6' | 'ocpp2.0.1';

/** A registry token as local-list computation needs it (platform LocalListToken). */
export interface LocalListSourceToken {
  id: string;
  type: TokenType;
  uid?: string;
  /** KeyCode: the PIN, only when local lists carry PINs. */
  pin?: string;
  status: TokenStatus;
  /** ISO time. */
  validUntil?: string;
  groupId?: string;
  allowedSites?: readonly string[];
  allowedStations?: readonly string[];
  allowedEvses?: readonly string[];
  allowedHours?: readonly MaintenanceWindow[];
}

/** One entry of a station's list as stored (the registry token it came from) and sent. */
export interface LocalListItem {
  /** Identity in the list: upper-cased id (1.6), type and upper-cased id (2.0.1). */
  key: string;
  tokenId: string;
  idToken: { id: string; type: Exclude<TokenType, 'NoAuthorization'> };
  status: 'Accepted' | 'Blocked';
  expiresAt?: string;
  groupId?: string;
  /** 2.0.1 only: the EVSEs of this station the token is limited to. */
  evseIds?: number[];
}

export type LocalListSkipReason = 'expired' | 'allowed_hours' | 'no_id' | 'id_too_long' | 'evse_limited_16' | 'duplicate_id' | 'not_here' | 'over_capacity';

export interface DesiredLocalList {
  /** In priority order. */
  items: LocalListItem[];
  /** Tokens left out, by why (counts only: no token ids in logs or metrics). */
  skipped: Partial<Record<LocalListSkipReason, number>>;
}

export interface DesiredListContext {
  protocol: LocalListProtocol;
  stationId: string;
  siteId?: string;
  /** Epoch ms. */
  now: number;
  /** The station's capacity; absent: unknown, nothing is cut. */
  maxEntries?: number;
}

const numericId = (id: string) => (/^\d{1,15}$/.test(id) ? Number(id) : Number.MAX_SAFE_INTEGER);

/** The capacity priority: Accepted before Blocked, then by token id (oldest first). */
export function compareByListPriority(a: Pick<LocalListItem, 'status' | 'tokenId'>, b: Pick<LocalListItem, 'status' | 'tokenId'>): number {
  const s = (a.status === 'Accepted' ? 0 : 1) - (b.status === 'Accepted' ? 0 : 1);
  if (s) return s;
  const n = numericId(a.tokenId) - numericId(b.tokenId);
  return n || (a.tokenId < b.tokenId ? -1 : a.tokenId > b.tokenId ? 1 : 0);
}

export const listKey = (protocol: LocalListProtocol, type: TokenType, id: string) => (protocol === 'ocpp1.6' ? tokenLookupKey(id) : `${type}:${tokenLookupKey(id)}`);

/** The list a station should hold: every rule above applied, in priority order, cut to capacity. */
export function desiredLocalList(tokens: readonly LocalListSourceToken[], ctx: DesiredListContext): DesiredLocalList {
  const skipped: DesiredLocalList['skipped'] = {};
  const skip = (r: LocalListSkipReason) => void (skipped[r] = (skipped[r] ?? 0) + 1);
  const maxId = ctx.protocol === 'ocpp1.6' ? IDTAG_16_MAX_LENGTH : TOKEN_ID_MAX_LENGTH;
  const candidates: LocalListItem[] = [];
  for (const t of tokens) {
    if (t.type === 'NoAuthorization') {
      skip('no_id');
      continue;
    }
    const id = t.type === 'KeyCode' ? t.pin : t.uid;
    if (!id) {
      skip('no_id');
      continue;
    }
    const validUntil = t.validUntil === undefined ? undefined : Date.parse(t.validUntil);
    if (t.status === 'Expired' || (validUntil !== undefined && !(ctx.now < validUntil))) {
      skip('expired');
      continue;
    }
    if (t.allowedHours && t.allowedHours.length > 0) {
      skip('allowed_hours');
      continue;
    }
    if (id.length > maxId || (t.groupId !== undefined && t.groupId.length > maxId)) {
      skip('id_too_long');
      continue;
    }
    const where = locationAllows({ type: t.type, status: t.status, allowedSites: t.allowedSites, allowedStations: t.allowedStations, allowedEvses: t.allowedEvses }, { stationId: ctx.stationId, siteId: ctx.siteId });
    if (!where.allowed) {
      skip('not_here');
      continue;
    }
    if (where.evseIds && ctx.protocol === 'ocpp1.6') {
      skip('evse_limited_16');
      continue;
    }
    const item: LocalListItem = { key: listKey(ctx.protocol, t.type, id), tokenId: t.id, idToken: { id, type: t.type }, status: t.status === 'Blocked' ? 'Blocked' : 'Accepted' };
    if (validUntil !== undefined) item.expiresAt = new Date(validUntil).toISOString();
    if (t.groupId !== undefined) item.groupId = t.groupId;
    if (where.evseIds) item.evseIds = where.evseIds;
    candidates.push(item);
  }
  candidates.sort(compareByListPriority);
  const seen = new Set<string>();
  const items: LocalListItem[] = [];
  for (const c of candidates) {
    if (seen.has(c.key)) {
      skip('duplicate_id');
      continue;
    }
    seen.add(c.key);
    if (ctx.maxEntries !== undefined && items.length >= ctx.maxEntries) skip('over_capacity');
    else items.push(c);
  }
  return { items, skipped };
}

/** One change of a differential: an entry to add or update, or (no `item`) a key to delete. */
export type LocalListChange = { op: 'upsert'; item: LocalListItem } | { op: 'delete'; key: string; idToken: LocalListItem['idToken'] };

const sameItem = (a: LocalListItem, b: LocalListItem) =>
  a.idToken.id === b.idToken.id &&
  a.idToken.type === b.idToken.type &&
  a.status === b.status &&
  a.expiresAt === b.expiresAt &&
  a.groupId === b.groupId &&
  (a.evseIds ?? []).join(',') === (b.evseIds ?? []).join(',');

/** What turns `current` (the list the station accepted) into `desired`: deletes first, then upserts. */
export function diffLocalList(current: readonly LocalListItem[], desired: readonly LocalListItem[]): LocalListChange[] {
  const want = new Map(desired.map((i) => [i.key, i]));
  const have = new Map(current.map((i) => [i.key, i]));
  const deletes: LocalListChange[] = [];
  for (const [key, old] of have) if (!want.has(key)) deletes.push({ op: 'delete', key, idToken: old.idToken });
  const upserts: LocalListChange[] = [];
  for (const item of desired) {
    const old = have.get(item.key);
    if (!old || !sameItem(old, item)) upserts.push({ op: 'upsert', item });
  }
  return [...deletes, ...upserts];
}

/** The command entry of an item (with its info) or of a delete (the id alone). */
export function commandEntry(change: LocalListChange): LocalListEntry {
  if (change.op === 'delete') return { idToken: { id: change.idToken.id, type: change.idToken.type } };
  const i = change.item;
  const e: LocalListEntry = { idToken: { id: i.idToken.id, type: i.idToken.type }, status: i.status };
  if (i.expiresAt !== undefined) e.expiresAt = i.expiresAt;
  if (i.groupId !== undefined) e.groupId = i.groupId;
  if (i.evseIds !== undefined) e.evseIds = i.evseIds;
  return e;
}

/** The OCPP 2.0.1 SendLocalListRequest entry of a command entry (the 2.0.1 adapter sends exactly this). */
export function localListEntry201(e: LocalListEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { idToken: { idToken: e.idToken.id, type: e.idToken.type ?? 'ISO14443' } };
  if (e.status) {
    const info: Record<string, unknown> = { status: e.status };
    if (e.expiresAt !== undefined) info.cacheExpiryDateTime = e.expiresAt;
    if (e.groupId) info.groupIdToken = { idToken: e.groupId, type: 'Central' };
    if (e.evseIds?.length) info.evseId = e.evseIds;
    out.idTokenInfo = info;
  }
  return out;
}

/** The OCPP 2.0.1 SendLocalListRequest of a command (an empty list is left out: the schema wants minItems 1). */
export function sendLocalListRequest201(p: SendLocalListParams): Record<string, unknown> {
  const out: Record<string, unknown> = { versionNumber: p.version, updateType: p.updateType === 'full' ? 'Full' : 'Differential' };
  if (p.entries?.length) out.localAuthorizationList = p.entries.map(localListEntry201);
  return out;
}

/** Most entries in one SendLocalList command (the command schema's bound). */
export const MAX_ENTRIES_PER_COMMAND = 1000;
/** Entries per request when the station does not say (SendLocalListMaxLength / ItemsPerMessage unknown). */
export const DEFAULT_ITEMS_PER_MESSAGE = 100;
/** OCPP-J frame around a request: `[2,"<message id, ≤ 36>","SendLocalList",` … `]`. */
export const FRAME_OVERHEAD_BYTES = 59;

/** What a station takes per request; learned from its configuration (platform/src/local-lists). */
export interface LocalListMessageLimits {
  /** 1.6 SendLocalListMaxLength; 2.0.1 ItemsPerMessage. */
  itemsPerMessage?: number;
  /** 2.0.1 BytesPerMessage (the whole frame is counted, to be safe). */
  bytesPerMessage?: number;
}

/** UTF-8 length of a string (the model has no Buffer). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bytes of a request on the wire for the protocol, frame included. */
export function requestBytes(protocol: LocalListProtocol, p: SendLocalListParams): number {
  if (protocol === 'ocpp2.0.1') return utf8Length(JSON.stringify(sendLocalListRequest201(p))) + FRAME_OVERHEAD_BYTES;
  // 1.6 has no byte limit; counted the same way for logs.
  return utf8Length(JSON.stringify({ listVersion: p.version, updateType: p.updateType, localAuthorizationList: p.entries ?? [] })) + FRAME_OVERHEAD_BYTES;
}

export class LocalListChunkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalListChunkError';
  }
}

export interface LocalListChunk {
  params: SendLocalListParams;
  /** The changes in this request, to apply to the stored list once the station accepts it. */
  changes: LocalListChange[];
}

/**
 * Cuts an update into requests: `full` makes the first request a Full (empty: a Full without entries)
 * and the rest Differentials adding entries (OCPP 2.0.1 D01: one Full, then Differentials); versions
 * count up from `baseVersion + 1`, one per request. Throws LocalListChunkError when one entry alone is
 * over the byte limit.
 */
export function chunkLocalListUpdate(
  protocol: LocalListProtocol,
  update: { full: true; items: readonly LocalListItem[] } | { full: false; changes: readonly LocalListChange[] },
  baseVersion: number,
  limits: LocalListMessageLimits,
): LocalListChunk[] {
  const perMessage = Math.max(1, Math.min(limits.itemsPerMessage ?? DEFAULT_ITEMS_PER_MESSAGE, MAX_ENTRIES_PER_COMMAND));
  const bytes = protocol === 'ocpp2.0.1' ? limits.bytesPerMessage : undefined;
  const changes: LocalListChange[] = update.full ? update.items.map((item) => ({ op: 'upsert', item })) : [...update.changes];
  const chunks: LocalListChunk[] = [];
  const paramsOf = (index: number, cs: LocalListChange[]): SendLocalListParams => ({
    updateType: update.full && index === 0 ? 'full' : 'differential',
    version: baseVersion + 1 + index,
    entries: cs.map(commandEntry),
  });
  if (update.full && changes.length === 0) return [{ params: { updateType: 'full', version: baseVersion + 1, entries: [] }, changes: [] }];
  let current: LocalListChange[] = [];
  for (const c of changes) {
    const next = [...current, c];
    const fits = next.length <= perMessage && (bytes === undefined || requestBytes(protocol, paramsOf(chunks.length, next)) <= bytes);
    if (fits) {
      current = next;
      continue;
    }
    if (current.length === 0) throw new LocalListChunkError(`one entry needs ${requestBytes(protocol, paramsOf(chunks.length, next))} bytes; the station takes at most ${bytes} per message`);
    chunks.push({ params: paramsOf(chunks.length, current), changes: current });
    current = [c];
    if (bytes !== undefined && requestBytes(protocol, paramsOf(chunks.length, current)) > bytes) {
      throw new LocalListChunkError(`one entry needs ${requestBytes(protocol, paramsOf(chunks.length, current))} bytes; the station takes at most ${bytes} per message`);
    }
  }
  if (current.length) chunks.push({ params: paramsOf(chunks.length, current), changes: current });
  return chunks;
}

/** The list after the station accepted one request (`full`: the request's entries replace the list). */
export function applyLocalListChunk(list: readonly LocalListItem[], chunk: LocalListChunk): LocalListItem[] {
  const m = new Map(chunk.params.updateType === 'full' ? [] : list.map((i) => [i.key, i] as const));
  for (const c of chunk.changes) {
    if (c.op === 'delete') m.delete(c.key);
    else m.set(c.item.key, c.item);
  }
  return [...m.values()];
}
