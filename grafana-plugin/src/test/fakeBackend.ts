import { Observable } from 'rxjs';
import { type BackendSrv, type BackendSrvRequest, type FetchResponse, setBackendSrv } from '@grafana/runtime';
import pluginJson from '../plugin.json';
import { type GrafanaRole, type PluginRoute, proxyRequest } from '../../standalone/grafana-proxy.mjs';

export interface RecordedRequest {
  method: string;
  /** URL the page asked Grafana for */
  url: string;
  /** collector path below /api/v1 that Grafana's plugin proxy forwarded to, e.g. "/fleet/summary" */
  path: string;
  params: Record<string, unknown>;
  data?: unknown;
  /** X-ChargeWatch-Role the plugin route sent */
  role?: string;
}

export type Handler = (req: RecordedRequest) => unknown | Promise<unknown>;

/** Error a handler can throw to answer with an HTTP status. */
export class HttpError {
  constructor(
    public status: number,
    public data: unknown = {}
  ) {}
}

/** What a handler can return to answer with another success status than 200 (e.g. 202 Accepted). */
export class HttpReply {
  constructor(
    public status: number,
    public data: unknown
  ) {}
}

const PROXY_PREFIX = `api/plugin-proxy/${pluginJson.id}/`;
const COLLECTOR = 'http://collector.test:9100';
const UPSTREAM_PREFIX = '/api/v1';

/**
 * Installs a fake BackendSrv that answers like Grafana would: the request goes through the real
 * plugin.json routes (standalone/grafana-proxy.mjs imitates Grafana's matching, role check and
 * forwarding) and `handler` plays the collector for what gets forwarded. `role` is the signed-in
 * user's Grafana org role. Returns the list of forwarded requests.
 */
export function installFakeBackend(handler: Handler, { role = 'Admin' as GrafanaRole } = {}) {
  const requests: RecordedRequest[] = [];
  const fetch = jest.fn(
    (options: BackendSrvRequest) =>
      new Observable<FetchResponse>((subscriber) => {
        const url = options.url.replace(/^\//, '');
        const method = options.method ?? 'GET';
        const fail = (status: number, data: unknown) =>
          subscriber.error({ status, data, statusText: 'error', config: options });
        const answer = (req: RecordedRequest) => {
          requests.push(req);
          Promise.resolve()
            .then(() => handler(req))
            .then((answer) => {
              const reply = answer instanceof HttpReply ? answer : new HttpReply(200, answer);
              subscriber.next({
                data: reply.data,
                status: reply.status,
                statusText: 'OK',
                ok: true,
                headers: new Headers(),
                redirected: false,
                type: 'basic',
                url,
                config: options,
              } as FetchResponse);
              subscriber.complete();
            })
            .catch((err) => (err instanceof HttpError ? fail(err.status, err.data) : subscriber.error(err)));
        };
        const base = { method, url, params: { ...(options.params ?? {}) }, data: options.data };

        if (!url.startsWith(PROXY_PREFIX)) {
          // Grafana's own API (e.g. the plugin settings the configuration page saves)
          answer({ ...base, path: url });
          return;
        }
        const result = proxyRequest(
          pluginJson.routes as PluginRoute[],
          { method, path: url.slice(PROXY_PREFIX.length) },
          { role, login: 'tester' },
          { jsonData: { apiUrl: COLLECTOR }, secureJsonData: { apiToken: 'secret' } }
        );
        if (result.status !== 'forward') {
          // Grafana's own answers
          fail(result.status, {
            message: result.status === 403 ? 'plugin proxy route access denied' : 'plugin route match not found',
          });
          return;
        }
        const upstream = result.upstreamPath;
        answer({
          ...base,
          path: upstream.startsWith(UPSTREAM_PREFIX) ? upstream.slice(UPSTREAM_PREFIX.length) : upstream,
          role: result.headers['x-chargewatch-role'],
        });
      })
  );
  setBackendSrv({ fetch } as unknown as BackendSrv);
  return { requests, fetch };
}

export const lastRequest = (requests: RecordedRequest[], path: string) =>
  [...requests].reverse().find((r) => r.path === path);
