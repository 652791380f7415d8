/**
 * The access-control settings of the collector (part of SETTINGS, so the README table lists them).
 */
import { parseKey } from '@chargewatch/platform';

export interface AccessSettings {
  /** registry: tokens from PostgreSQL; accept-all: every token is Accepted. */
  mode: 'registry' | 'accept-all';
  /** Sites where unknown tokens are Accepted. */
  freeVendSites: string[];
  pinSecret?: Buffer;
  pinKey?: Buffer;
  sendPins: boolean;
  reloadSec: number;
  /** The keyed hash incidents and sessions correlate a card by (the worker's MISUSE_TOKEN_HASH_SECRET). */
  tokenHashSecret: string;
}

export const ACCESS_SETTINGS = [
  { env: 'ACCESS_MODE', default: '', meaning: 'Who may charge: registry (tokens from PostgreSQL; unknown tokens Invalid) or accept-all (every token Accepted). Empty: registry when DATABASE_URL is set, else accept-all with a warning at start' },
  { env: 'ACCESS_FREE_VEND_SITES', default: '', meaning: 'Comma-separated sites (station metadata site) where unknown tokens are Accepted; known tokens are still decided by the registry (a blocked card stays blocked)' },
  { env: 'ACCESS_PIN_SECRET', default: '', meaning: 'Secret (32+ bytes, hex or base64) under which KeyCode PINs are stored as HMAC-SHA256; the same on every collector. Empty: KeyCode tokens cannot be registered' },
  { env: 'ACCESS_PIN_KEY', default: '', meaning: 'AES-256-GCM key (32 bytes, hex or base64) sealing PINs for local lists; needed only with ACCESS_SEND_PINS=on' },
  { env: 'ACCESS_SEND_PINS', default: 'off', meaning: 'on: KeyCode PINs are also kept sealed so local lists can carry them; off: only their hash is stored' },
  { env: 'MISUSE_TOKEN_HASH_SECRET', default: '', meaning: 'As in the worker (the same value): finds the incidents of a registered token (`/incidents?token=`) by the keyed hash incidents carry instead of its id' },
  { env: 'ACCESS_RELOAD_SEC', default: '60', meaning: 'Full reload of every collector\'s token cache, the safety net behind the change announcements (Redis pub/sub) that apply a change within a second' },
];

export function readAccessSettings(env: NodeJS.ProcessEnv, databaseUrl: string, fail: (message: string) => Error): AccessSettings {
  const modeRaw = env.ACCESS_MODE ?? '';
  if (modeRaw !== '' && modeRaw !== 'registry' && modeRaw !== 'accept-all') throw fail(`ACCESS_MODE must be registry or accept-all, got "${modeRaw}"`);
  const mode = modeRaw === '' ? (databaseUrl ? 'registry' : 'accept-all') : modeRaw;
  if (mode === 'registry' && !databaseUrl) throw fail('ACCESS_MODE=registry needs DATABASE_URL (the token registry lives in PostgreSQL)');
  const key = (name: string, exact?: number) => {
    const v = env[name] ?? '';
    if (!v) return undefined;
    try {
      return parseKey(v, name, exact);
    } catch (err) {
      throw fail((err as Error).message);
    }
  };
  const sendPins = (env.ACCESS_SEND_PINS ?? 'off') === 'on';
  if (!['on', 'off'].includes(env.ACCESS_SEND_PINS ?? 'off')) throw fail('ACCESS_SEND_PINS must be on or off');
  const pinKey = key('ACCESS_PIN_KEY', 32);
  if (sendPins && !pinKey) throw fail('ACCESS_SEND_PINS=on needs ACCESS_PIN_KEY');
  const reload = Number(env.ACCESS_RELOAD_SEC ?? '60');
  if (!Number.isInteger(reload) || reload < 1 || reload > 86_400) throw fail('ACCESS_RELOAD_SEC must be an integer from 1 to 86400');
  const freeVendSites = (env.ACCESS_FREE_VEND_SITES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: AccessSettings = { mode, freeVendSites, sendPins, reloadSec: reload, tokenHashSecret: env.MISUSE_TOKEN_HASH_SECRET ?? '' };
  const pinSecret = key('ACCESS_PIN_SECRET');
  if (pinSecret) out.pinSecret = pinSecret;
  if (pinKey) out.pinKey = pinKey;
  return out;
}
