/** How tokens are named and summed up on screen (never with a PIN). */
import type { AccessToken, Account } from '../../api/accessTypes';

/** How a token is named on screen: its id, or for a PIN that it has one (never the PIN). */
export function tokenLabel(t: AccessToken): string {
  if (t.type === 'KeyCode') {
    return t.hasPin ? `PIN (token ${t.id})` : `KeyCode ${t.id}`;
  }
  return t.uid === '' || t.uid === undefined ? `(empty id, token ${t.id})` : t.uid;
}

/** "2 sites, 1 station, hours" — where and when a token is limited, or "anywhere". */
export function restrictions(t: AccessToken): string {
  const parts: string[] = [];
  const count = (n: number | undefined, one: string) => (n ? parts.push(`${n} ${one}${n > 1 ? 's' : ''}`) : 0);
  count(t.allowedSites?.length, 'site');
  count(t.allowedStations?.length, 'station');
  count(t.allowedEvses?.length, 'EVSE');
  if (t.allowedHours?.length) {
    parts.push('hours');
  }
  if (t.maxConcurrentTx !== undefined) {
    parts.push(`max ${t.maxConcurrentTx} at once`);
  }
  return parts.length ? parts.join(', ') : 'anywhere';
}

export const accountName = (accounts: Account[] | undefined, id: string | undefined) =>
  id ? (accounts?.find((a) => a.id === id)?.name ?? `account ${id}`) : '';
