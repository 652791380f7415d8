import { accessApi } from '../api/access';
import type { Account, AccountFields } from '../api/accessTypes';
import { useFirmwareAction } from './useFirmwareAction';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

export const ACCOUNT_PAGE_SIZE = 50;
/** Tokens shown per account or group (the collector pages them; the total is shown). */
export const MEMBER_LIMIT = 200;

export function useAccountList(query: { q?: string; limit: number; offset: number }, live: LiveOptions) {
  return usePolling(() => accessApi.accounts(query), JSON.stringify(query), live);
}

/** Every account the token form and filters offer (first 1000, by id). */
export function useAccountChoices() {
  return usePolling(() => accessApi.accounts({ limit: 1000 }), 'account-choices');
}

/** One account and its tokens. */
export function useAccount(id: string | undefined, live: LiveOptions) {
  const account = usePolling(() => (id ? accessApi.account(id) : Promise.resolve(undefined)), `account:${id ?? ''}`, {
    ...live,
    resetOnKeyChange: true,
  });
  const tokens = usePolling(
    () => (id ? accessApi.accountTokens(id, { limit: MEMBER_LIMIT }) : Promise.resolve(undefined)),
    `account-tokens:${id ?? ''}`,
    { ...live, resetOnKeyChange: true }
  );
  return { account, tokens };
}

/** A group is the tokens sharing a group id (1.6 parentIdTag, 2.0.1 groupIdToken): no record of its own. */
export function useGroupTokens(groupId: string | undefined, live: LiveOptions) {
  return usePolling(
    () => (groupId ? accessApi.tokens({ groupId, limit: MEMBER_LIMIT }) : Promise.resolve(undefined)),
    `group:${groupId ?? ''}`,
    { ...live, resetOnKeyChange: true }
  );
}

export function useAccountActions(onDone: (a: Account) => void) {
  const create = useFirmwareAction((body: AccountFields) => accessApi.createAccount(body), onDone);
  const update = useFirmwareAction((id: string, body: AccountFields) => accessApi.updateAccount(id, body), onDone);
  return { create, update };
}
