/**
 * Misuse detection and the token registry: the automatic response (block the token a finding is
 * about) and the allowed hours the `outside_allowed_hours` rule judges by. The block goes through the
 * registry, which tells every collector's token cache, so the token is refused everywhere within a
 * second. A 1.6 idTag carries no type (`Unknown`): it matches a registered token of any type but
 * KeyCode with the same id, as the collectors' decisions do. PINs are never blocked this way: the
 * PIN-guessing rule locks the station's keypad instead.
 */
import { TOKEN_TYPES, type Actor, type IdToken, type TokenType } from '@chargewatch/model';
import type { AllowedHoursLookup, TokenBlocker, TokenRecord, TokenRegistry } from '@chargewatch/platform';

type Lookup = Pick<TokenRegistry, 'find' | 'list' | 'block'>;

async function registered(registry: Lookup, type: string, uid: string): Promise<TokenRecord | undefined> {
  if (type === 'KeyCode') return undefined;
  if ((TOKEN_TYPES as readonly string[]).includes(type)) return registry.find(type as TokenType, uid);
  const { items } = await registry.list({ q: uid, limit: 50 });
  return items.find((t) => t.type !== 'KeyCode' && t.uid !== undefined && t.uid.toUpperCase() === uid.toUpperCase());
}

export function registryTokenBlocker(registry: Lookup): TokenBlocker {
  return {
    available: true,
    async block(tokenType: string, tokenUid: string, actor: Actor): Promise<boolean> {
      const token = await registered(registry, tokenType, tokenUid);
      if (!token) return false;
      if (token.status !== 'Blocked') await registry.block(token.id, actor);
      return true;
    },
  };
}

export function registryAllowedHours(registry: Lookup): AllowedHoursLookup {
  return {
    async allowedHours(token: IdToken) {
      const t = await registered(registry, token.type, token.id);
      return t && t.allowedHours.length ? { windows: t.allowedHours } : undefined;
    },
  };
}
