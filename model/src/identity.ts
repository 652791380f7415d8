/**
 * Which station identities the collector accepts, decided once at the handshake. The identity a station
 * authenticated with is then used as it is in every store — never trimmed, case-folded or cleaned — so
 * two identities that differ in any character are two stations everywhere (Redis keys escape it, see
 * keys.ts; InfluxDB tags encode it losslessly).
 *
 * - `identifierString` (default): OCPP 2.0.1's primitive type for the station identity — only
 *   `a-z A-Z 0-9 * - _ = : + | @ .` — at most 48 characters (SecurityCtrlr.Identity).
 * - `printable`: for 1.6 fleets whose ids use other characters (1.6 sets no charset): any Unicode
 *   except control and format characters (bidi overrides, zero-width), private use, whitespace of any kind, `/` (it would end the path segment), lone
 *   surrogates and U+FFFD (the mark of an undecodable byte), up to the same maximum length.
 * Either way the length is counted in Unicode code points and capped by `maxLength`.
 */
export type IdentityPolicyName = 'identifierString' | 'printable';

export const IDENTITY_POLICIES: readonly IdentityPolicyName[] = ['identifierString', 'printable'];

export interface IdentityPolicy {
  name: IdentityPolicyName;
  maxLength: number;
}

export const DEFAULT_IDENTITY_POLICY: IdentityPolicy = { name: 'identifierString', maxLength: 48 };

const IDENTIFIER_STRING = /^[A-Za-z0-9*\-_=:+|@.]+$/;
// Control, format (bidi overrides, zero-width), surrogate and private-use code points; every space.
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Z}\s/\uFFFD]/u;

/** Why `id` is refused under `policy`, or undefined when it is accepted. */
export function identityProblem(id: string, policy: IdentityPolicy = DEFAULT_IDENTITY_POLICY): string | undefined {
  if (id.length === 0) return 'the station identity is empty';
  const length = [...id].length;
  if (length > policy.maxLength) return `the station identity is ${length} characters long; at most ${policy.maxLength} are allowed`;
  if (policy.name === 'identifierString') {
    return IDENTIFIER_STRING.test(id) ? undefined : 'the station identity may only contain a-z A-Z 0-9 * - _ = : + | @ . (OCPP identifierString)';
  }
  return NOT_PRINTABLE.test(id) ? 'the station identity contains a control or format character, whitespace, a lone surrogate, / or U+FFFD' : undefined;
}
