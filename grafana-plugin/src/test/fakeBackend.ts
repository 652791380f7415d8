import { Observable } from 'rxjs';
import { type BackendSrv, type BackendSrvRequest, type FetchResponse, setBackendSrv } from '@grafana/runtime';

export interface RecordedRequest {
  method: string;
  url: string;
  /** path below the plugin proxy API base, e.g. "/fleet/summary" */
  path: string;
  params: Record<string, unknown>;
  data?: unknown;
}

export type Handler = (req: RecordedRequest) => unknown | Promise<unknown>;

/** Error a handler can throw to answer with an HTTP status. */
export class HttpError {
  constructor(
    public status: number,
    public data: unknown = {}
  ) {}
}

const API_PREFIX = 'api/plugin-proxy/chargewatch-fleet-app/api/v1';

/**
 * Installs a fake BackendSrv whose fetch() routes to `handler`, like Grafana's would to the plugin proxy.
 * Returns the list of recorded requests.
 */
export function installFakeBackend(handler: Handler) {
  const requests: RecordedRequest[] = [];
  const fetch = jest.fn((options: BackendSrvRequest) => {
    const url = options.url.replace(/^\//, '');
    const req: RecordedRequest = {
      method: options.method ?? 'GET',
      url,
      path: url.startsWith(API_PREFIX) ? url.slice(API_PREFIX.length) : url,
      params: { ...(options.params ?? {}) },
      data: options.data,
    };
    requests.push(req);
    return new Observable<FetchResponse>((subscriber) => {
      Promise.resolve()
        .then(() => handler(req))
        .then((data) => {
          subscriber.next({
            data,
            status: 200,
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
        .catch((err) => {
          if (err instanceof HttpError) {
            subscriber.error({ status: err.status, data: err.data, statusText: 'error', config: options });
          } else {
            subscriber.error(err);
          }
        });
    });
  });
  setBackendSrv({ fetch } as unknown as BackendSrv);
  return { requests, fetch };
}

export const lastRequest = (requests: RecordedRequest[], path: string) =>
  [...requests].reverse().find((r) => r.path === path);
