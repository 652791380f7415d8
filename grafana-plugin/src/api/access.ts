/**
 * The collector's access-control API through the plugin proxy: Viewers read tokens, accounts,
 * incidents and charging sessions and export the registry; Editors create, change, block, delete and import tokens, create
 * and change accounts, acknowledge and resolve incidents, ask for a station's local-list sync
 * (plugin.json routes; the collector checks the same roles). PINs are sent, never read back.
 */
import { API_BASE } from '../constants';
import { proxyPath, request } from './client';
import type {
  AccessToken,
  Account,
  AccountFields,
  AccountPage,
  ImportMode,
  ImportResult,
  Incident,
  IncidentPage,
  IncidentQuery,
  LocalList,
  LocalListPage,
  LocalListState,
  NewToken,
  SessionPage,
  SessionQuery,
  TokenPage,
  TokenPatch,
  TokenQuery,
} from './accessTypes';

export type ExportFormat = 'csv' | 'json';
/** An import file as pasted or uploaded: CSV text, or JSON already parsed (an array, or {tokens}). */
export type ImportFile = { format: 'csv'; text: string } | { format: 'json'; rows: unknown };

export const accessApi = {
  // Viewer: reads
  tokens(query: TokenQuery = {}): Promise<TokenPage> {
    return request('GET', proxyPath('viewer', 'tokens'), { ...query });
  },

  token(id: string): Promise<AccessToken> {
    return request('GET', proxyPath('viewer', 'tokens', id));
  },

  /**
   * The link that downloads every token (never a PIN). A plain GET through the plugin proxy, so the
   * browser saves the collector's answer itself; prefix Grafana's sub-path (config.appSubUrl).
   */
  exportUrl(format: ExportFormat, appSubUrl = ''): string {
    return `${appSubUrl}/${API_BASE}${proxyPath('viewer', 'tokens', 'export')}?format=${format}`;
  },

  accounts(query: { q?: string; limit?: number; offset?: number } = {}): Promise<AccountPage> {
    return request('GET', proxyPath('viewer', 'accounts'), { ...query });
  },

  account(id: string): Promise<Account> {
    return request('GET', proxyPath('viewer', 'accounts', id));
  },

  accountTokens(id: string, page: { limit?: number; offset?: number } = {}): Promise<TokenPage> {
    return request('GET', proxyPath('viewer', 'accounts', id, 'tokens'), { ...page });
  },

  incidents(query: IncidentQuery = {}): Promise<IncidentPage> {
    return request('GET', proxyPath('viewer', 'incidents'), { ...query });
  },

  /** Charging sessions, newest start first. */
  sessions(query: SessionQuery = {}): Promise<SessionPage> {
    return request('GET', proxyPath('viewer', 'sessions'), { ...query });
  },

  incident(id: string): Promise<Incident> {
    return request('GET', proxyPath('viewer', 'incidents', id));
  },

  /** Every station's local-list state (stations synced so far). */
  localLists(query: { state?: LocalListState; limit?: number; offset?: number } = {}): Promise<LocalListPage> {
    return request('GET', proxyPath('viewer', 'local-lists'), { ...query });
  },

  /** One station's local list (also a station never synced). */
  localList(stationId: string): Promise<LocalList> {
    return request('GET', proxyPath('viewer', 'stations', stationId, 'local-list'));
  },

  // Editor: local lists
  /** Asks for a sync now (202: the worker sends it); `full` sends the whole list. */
  syncLocalList(stationId: string, full = false): Promise<LocalList> {
    return request(
      'POST',
      proxyPath('editor', 'stations', stationId, 'local-list', 'sync'),
      undefined,
      full ? { full } : {}
    );
  },

  // Editor: tokens
  createToken(token: NewToken): Promise<AccessToken> {
    return request('POST', proxyPath('editor', 'tokens'), undefined, token);
  },

  updateToken(id: string, patch: TokenPatch): Promise<AccessToken> {
    return request('PATCH', proxyPath('editor', 'tokens', id), undefined, patch);
  },

  deleteToken(id: string): Promise<void> {
    return request('DELETE', proxyPath('editor', 'tokens', id));
  },

  blockToken(id: string, reason?: string): Promise<AccessToken> {
    return request('POST', proxyPath('editor', 'tokens', id, 'block'), undefined, reason ? { reason } : {});
  },

  unblockToken(id: string): Promise<AccessToken> {
    return request('POST', proxyPath('editor', 'tokens', id, 'unblock'), undefined, {});
  },

  /** Every row is checked before any is written: a 400 names each bad row (ApiError.body.rows). */
  importTokens(file: ImportFile, mode: ImportMode = 'upsert'): Promise<ImportResult> {
    const path = proxyPath('editor', 'tokens', 'import');
    return file.format === 'csv'
      ? request('POST', path, { mode }, file.text, 'text/csv')
      : request('POST', path, { mode }, file.rows);
  },

  // Editor: accounts
  createAccount(account: AccountFields): Promise<Account> {
    return request('POST', proxyPath('editor', 'accounts'), undefined, account);
  },

  updateAccount(id: string, change: AccountFields): Promise<Account> {
    return request('PATCH', proxyPath('editor', 'accounts', id), undefined, change);
  },

  // Editor: incidents
  acknowledgeIncident(id: string): Promise<Incident> {
    return request('POST', proxyPath('editor', 'incidents', id, 'acknowledge'), undefined, {});
  },

  resolveIncident(id: string, resolution?: string): Promise<Incident> {
    return request(
      'POST',
      proxyPath('editor', 'incidents', id, 'resolve'),
      undefined,
      resolution ? { resolution } : {}
    );
  },
};

export type AccessApi = typeof accessApi;
