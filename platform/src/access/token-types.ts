/**
 * The token registry's record types (token-registry.ts stores them; token-csv.ts and token-cache.ts
 * read them): what the API shows, what the caches hold, what local-list sync reads, queries, errors.
 */
import type { MaintenanceWindow, OcpiTokenType, TokenStatus, TokenType } from '@chargewatch/model';
import type { PinKeys } from './pin';

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

/** A token as local-list sync reads it (model desiredLocalList): the PIN opened only when local lists carry PINs. */
export interface LocalListToken extends Pick<TokenRecord, 'id' | 'type' | 'uid' | 'status' | 'validUntil' | 'groupId' | 'allowedSites' | 'allowedStations' | 'allowedEvses' | 'allowedHours'> {
  pin?: string;
}

export interface TokenQuery {
  /** Start of the uid (any case) or words of the note. */
  q?: string;
  type?: TokenType;
  status?: TokenStatus;
  accountId?: string;
  groupId?: string;
  /** Tokens that may charge at this site / station (unrestricted ones included). */
  site?: string;
  station?: string;
  limit?: number;
  offset?: number;
}

export class TokenRegistryError extends Error {
  constructor(
    readonly code: 'invalid' | 'duplicate' | 'not_found' | 'unknown_account',
    message: string,
    /** For imports: each bad row and why. */
    readonly rows?: Array<{ row: number; errors: string[] }>,
  ) {
    super(message);
    this.name = 'TokenRegistryError';
  }
}

export interface TokenRegistryOptions {
  /** hashSecret empty: KeyCode tokens are refused. */
  pins: PinKeys;
  /** Seal PINs so local lists can carry them (needs pins.sealKey). */
  sealPins?: boolean;
  /** Told the ids of every committed change (`'*'`: too many to list; reload all). */
  notify?: (ids: string[] | '*') => Promise<void>;
}
