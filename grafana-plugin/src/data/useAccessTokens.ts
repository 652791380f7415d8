import { accessApi, type ImportFile } from '../api/access';
import type { ImportMode, NewToken, TokenPatch, TokenQuery } from '../api/accessTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** Sessions shown in a token's detail: the newest. */
export const TOKEN_SESSIONS_SHOWN = 20;
/** Incidents shown in a token's detail: the most recently seen. */
export const TOKEN_INCIDENTS_SHOWN = 50;

/** One page of the token registry with the filters the collector applies (search, type, status, …). */
export function useTokenList(query: TokenQuery, live: LiveOptions) {
  return usePolling(() => accessApi.tokens(query), JSON.stringify(query), live);
}

/**
 * One token (fresh on open), the incidents naming it and its newest sessions. The collector finds
 * both by the token's registry id: incidents by the keyed hash they carry (so another card ending in
 * the same four characters never shows), sessions by the token the collectors matched.
 */
export function useTokenDetail(id: string | undefined) {
  const token = usePolling(() => (id ? accessApi.token(id) : Promise.resolve(undefined)), `token:${id ?? ''}`, {
    resetOnKeyChange: true,
  });
  // PINs have no hash in incidents: nothing to ask for until the token shows it is not one.
  const byHash = token.data && token.data.type !== 'KeyCode' ? id : undefined;
  const incidents = usePolling(
    () => (byHash ? accessApi.incidents({ token: byHash, limit: TOKEN_INCIDENTS_SHOWN }) : Promise.resolve(undefined)),
    `incidents:${byHash ?? ''}`,
    { resetOnKeyChange: true }
  );
  const sessions = usePolling(
    () => (id ? accessApi.sessions({ token: id, limit: TOKEN_SESSIONS_SHOWN }) : Promise.resolve(undefined)),
    `sessions:${id ?? ''}`,
    { resetOnKeyChange: true }
  );
  return { token, incidents, sessions };
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
