/**
 * Who asked for a change or a command: recorded in the audit log with everything they did.
 * `grafana-user` is the signed-in Grafana login the plugin proxy forwards (X-Grafana-User) on a request
 * that carried a valid API token; `api-token` is the token's name when no user was forwarded; `system`
 * is ChargeWatch itself (a worker job, a policy such as closing stale transactions).
 */
export type Role = 'viewer' | 'editor' | 'admin';

export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export interface Actor {
  kind: 'grafana-user' | 'api-token' | 'system';
  name: string;
  role: Role;
}

/** true when `held` carries at least the rights of `needed`. */
export function roleAtLeast(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

export function systemActor(name: string): Actor {
  return { kind: 'system', name, role: 'admin' };
}
