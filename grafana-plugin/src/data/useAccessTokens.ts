import { maskIdToken } from '@chargewatch/model/access';
import { accessApi, type ImportFile } from '../api/access';
import type { AccessToken, ImportMode, Incident, NewToken, TokenPatch, TokenQuery } from '../api/accessTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** Incidents read to find one token's: the collector's largest page, newest first. */
export const TOKEN_INCIDENT_SCAN = 500;

/** One page of the token registry with the filters the collector applies (search, type, status, …). */
export function useTokenList(query: TokenQuery, live: LiveOptions) {
  return usePolling(() => accessApi.tokens(query), JSON.stringify(query), live);
}

/**
 * Whether an incident can be about `token`. Incidents name tokens masked only (the last four
 * characters, nothing of a PIN), so this is a match by masked id and type: another card ending in the
 * same four characters would match too, and PINs or ids of six characters or fewer cannot be matched.
 * 1.6 idTags carry no type (Unknown).
 */
export function incidentMayConcern(incident: Incident, token: AccessToken): boolean {
  const masked = tokenMask(token);
  if (!masked || !incident.token) {
    return false;
  }
  const type = incident.token.type;
  return incident.token.masked === masked && (!type || type === 'Unknown' || type === token.type);
}

/** The masked form incidents use for `token`; undefined when it hides everything (PINs, short ids). */
export function tokenMask(token: AccessToken): string | undefined {
  if (token.type === 'KeyCode' || !token.uid) {
    return undefined;
  }
  const masked = maskIdToken({ id: token.uid, type: token.type });
  return masked === '****' ? undefined : masked;
}

/** One token (fresh on open) and the newest incidents that may concern it. */
export function useTokenDetail(id: string | undefined) {
  const token = usePolling(() => (id ? accessApi.token(id) : Promise.resolve(undefined)), `token:${id ?? ''}`, {
    resetOnKeyChange: true,
  });
  const mask = token.data ? tokenMask(token.data) : undefined;
  const incidents = usePolling(
    () => (mask ? accessApi.incidents({ limit: TOKEN_INCIDENT_SCAN }) : Promise.resolve(undefined)),
    `incidents:${mask ?? ''}`,
    { resetOnKeyChange: true }
  );
  const mine =
    token.data && incidents.data ? incidents.data.items.filter((i) => incidentMayConcern(i, token.data!)) : undefined;
  return { token, incidents, mine, mask };
}

/** The Editor's writes on tokens, one at a time each; `onDone` re-reads the list. */
export function useTokenActions(onDone: () => void) {
  const create = useFirmwareAction((token: NewToken) => accessApi.createToken(token), onDone);
  const update = useFirmwareAction((id: string, patch: TokenPatch) => accessApi.updateToken(id, patch), onDone);
  const remove = useFirmwareAction((id: string) => accessApi.deleteToken(id).then(() => id), onDone);
  const block = useFirmwareAction((id: string, reason?: string) => accessApi.blockToken(id, reason), onDone);
  const unblock = useFirmwareAction((id: string) => accessApi.unblockToken(id), onDone);
  const importFile = useFirmwareAction(
    (file: ImportFile, mode: ImportMode) => accessApi.importTokens(file, mode),
    onDone
  );
  return { create, update, remove, block, unblock, importFile };
}

export type TokenActions = ReturnType<typeof useTokenActions>;
