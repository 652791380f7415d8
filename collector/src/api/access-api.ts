/**
 * The access-control routes of the collector's API (tokens, accounts), wired to the registry that
 * access/open-access.ts opened. In accept-all mode the routes exist all the same and answer 503 saying
 * why, so the API document and the plugin's calls do not depend on the deployment.
 */
import type { FastifyInstance } from 'fastify';
import type { OpenedAccess } from '../access/open-access';
import type { ApiDeps } from './deps';
import { accountRoutes } from './routes/accounts';
import { tokenRoutes } from './routes/tokens';

export function accessApi(access: Pick<OpenedAccess, 'registry' | 'accounts' | 'ready'>): Array<(app: FastifyInstance, deps: ApiDeps) => Promise<void>> {
  const ctx = { ready: access.ready, ...(access.registry ? { registry: access.registry } : {}), ...(access.accounts ? { accounts: access.accounts } : {}) };
  return [tokenRoutes(ctx), accountRoutes(ctx)];
}
