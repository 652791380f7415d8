/**
 * Token rows of PostgreSQL (migration 0005) as the registry reads them, and the records it answers:
 * never a PIN, and the PIN's hash only for the caches.
 */
import type { MaintenanceWindow, OcpiTokenType, TokenStatus, TokenType } from '@chargewatch/model';

/** A token as the API and exports show it: never a PIN, hash or sealed PIN. */
export interface TokenRecord {
  id: string;
  type: TokenType;
  uid?: string;
  /** KeyCode: a PIN is set (it is write-only). */
  hasPin?: boolean;
  ocpiType: OcpiTokenType;
  status: TokenStatus;
  validUntil?: string;
  groupId?: string;
  accountId?: string;
  maxConcurrentTx?: number;
  allowedSites: string[];
  allowedStations: string[];
  allowedEvses: string[];
  allowedHours: MaintenanceWindow[];
  note?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** What the token caches hold: the record plus the PIN's hash (KeyCode) for look-ups. */
export interface CacheToken extends TokenRecord {
  pinHash?: string;
}

export const COLUMNS = `id::text, type, uid, pin_hash, ocpi_type, status, valid_until, group_id, account_id::text, max_concurrent_tx,
  allowed_sites, allowed_stations, allowed_evses, allowed_hours, note, created_at, created_by, updated_at, updated_by`;

export interface Row {
  id: string;
  type: TokenType;
  uid: string | null;
  pin_hash: string | null;
  pin_sealed?: string | null;
  ocpi_type: OcpiTokenType;
  status: TokenStatus;
  valid_until: Date | null;
  group_id: string | null;
  account_id: string | null;
  max_concurrent_tx: number | null;
  allowed_sites: string[];
  allowed_stations: string[];
  allowed_evses: string[];
  allowed_hours: MaintenanceWindow[];
  note: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

export function toCacheToken(r: Row): CacheToken {
  const t: CacheToken = {
    id: r.id,
    type: r.type,
    ocpiType: r.ocpi_type,
    status: r.status,
    allowedSites: r.allowed_sites,
    allowedStations: r.allowed_stations,
    allowedEvses: r.allowed_evses,
    allowedHours: r.allowed_hours,
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  };
  if (r.uid !== null) t.uid = r.uid;
  if (r.type === 'KeyCode') t.hasPin = r.pin_hash !== null;
  if (r.pin_hash !== null) t.pinHash = r.pin_hash;
  if (r.valid_until !== null) t.validUntil = r.valid_until.toISOString();
  if (r.group_id !== null) t.groupId = r.group_id;
  if (r.account_id !== null) t.accountId = r.account_id;
  if (r.max_concurrent_tx !== null) t.maxConcurrentTx = r.max_concurrent_tx;
  if (r.note !== null) t.note = r.note;
  return t;
}

export function toRecord(r: Row): TokenRecord {
  const { pinHash: _omit, ...record } = toCacheToken(r);
  return record;
}

