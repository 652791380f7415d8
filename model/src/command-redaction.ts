/**
 * What of a command may be shown and kept once it is no longer needed for sending: the API's views, the
 * audit log and the stored record after the command ended all use this. Token ids are masked (the last
 * four characters stay, so an operator can tell cards apart), signatures and certificates, values of
 * secret-looking settings and DataTransfer payloads are removed, and credentials in URLs are dropped.
 * Generic key-name redaction is not enough here: a 1.6 `AuthorizationKey` is the *value* of `key`.
 */
import type { Command, CommandName, CommandResult } from './commands';

export const REDACTED = '[redacted]';

/** Setting names whose values are secrets (1.6 AuthorizationKey, 2.0.1 BasicAuthPassword, …). */
const SECRET_SETTING = /password|passwd|secret|credential|authorizationkey|privatekey|apikey|token/i;

export function maskTokenId(id: string): string {
  return id.length > 6 ? `****${id.slice(-4)}` : '****';
}

/** `ftp://user:pw@host/x` → `ftp://host/x`; text without credentials is kept as it is. */
export function withoutCredentials(location: string): string {
  // The userinfo is everything between the scheme's `//` and the last `@` before the path.
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

const settingName = (s: Record<string, unknown>): string => {
  if (typeof s.key === 'string') return s.key;
  const component = (s.component as { name?: unknown } | undefined)?.name;
  const variable = (s.variable as { name?: unknown } | undefined)?.name;
  return `${String(component ?? '')}.${String(variable ?? '')}`;
};

/** A setting list with secret values replaced; works on requested writes and on reported values. */
function redactSettings(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((s: Record<string, unknown>) => (s && typeof s === 'object' && 'value' in s && SECRET_SETTING.test(settingName(s)) ? { ...s, value: REDACTED } : s));
}

const maskToken = (t: { id: string; type?: string }) => ({ ...t, id: maskTokenId(t.id) });

/** The command's parameters with secrets removed (a copy; the command is not changed). */
export function redactCommandParams(command: Command): Record<string, unknown> {
  switch (command.name) {
    case 'RemoteStart':
      return { ...command.params, idToken: maskToken(command.params.idToken) };
    case 'SendLocalList':
      return {
        ...command.params,
        ...(command.params.entries
          ? { entries: command.params.entries.map((e) => ({ ...e, idToken: maskToken(e.idToken), ...(e.groupId ? { groupId: maskTokenId(e.groupId) } : {}) })) }
          : {}),
      };
    case 'SetSettings':
      return { ...command.params, settings: redactSettings(command.params.settings) };
    case 'UpdateFirmware': {
      const p = { ...command.params, location: withoutCredentials(command.params.location) };
      if (p.signature) p.signature = REDACTED;
      if (p.signingCertificate) p.signingCertificate = REDACTED;
      return p;
    }
    case 'GetLog':
      return { ...command.params, location: withoutCredentials(command.params.location) };
    case 'DataTransfer': {
      const { data, ...rest } = command.params;
      return data === undefined ? rest : { ...rest, data: `${REDACTED} (${JSON.stringify(data).length} characters)` };
    }
    default:
      return { ...command.params };
  }
}

/**
 * A result with the values of secret-looking settings a station reported removed. Other answers (a
 * DataTransfer reply, a file name) are what the operator asked for and stay; the audit log keeps no
 * result data at all.
 */
export function redactCommandResult(name: CommandName, result: CommandResult): CommandResult {
  if (!result.data || (name !== 'GetSettings' && name !== 'SetSettings')) return result;
  return { ...result, data: { ...result.data, settings: redactSettings(result.data.settings) } };
}
