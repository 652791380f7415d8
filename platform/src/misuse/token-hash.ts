/**
 * The hash that correlates incidents of one token without storing its id: HMAC-SHA256 of the
 * normalised id (model normalizedTokenId) under MISUSE_TOKEN_HASH_SECRET, 32 hex digits. Without a
 * secret it is a plain SHA-256, which short UIDs (4–7 bytes) do not protect against a dictionary:
 * deployments that keep incidents long should set one. PINs get no hash at all.
 */
import { createHash, createHmac } from 'node:crypto';
import { normalizedTokenId, type IdToken } from '@chargewatch/model';

export function tokenHash(token: IdToken, secret: string): string {
  const id = normalizedTokenId(token);
  const h = secret ? createHmac('sha256', secret).update(id) : createHash('sha256').update(id);
  return h.digest('hex').slice(0, 32);
}
