import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/**
 * A tiny BackendSrv for the standalone harness: fetch() against the harness server, which imitates
 * Grafana's plugin proxy. Relative URLs resolve against the site root, as in Grafana.
 */
export function createFetchBackendSrv(): BackendSrv {
  const fetchImpl = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const url = new URL(options.url.replace(/^\/?/, '/'), window.location.origin);
      for (const [key, value] of Object.entries(options.params ?? {})) {
        if (value !== undefined && value !== null && value !== '') {
          url.searchParams.set(key, String(value));
        }
      }
      const method = (options.method ?? 'GET').toUpperCase();
      const hasBody = options.data !== undefined && method !== 'GET';
      fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
          ...options.headers,
        },
        // a string goes as it is (with the caller's Content-Type, e.g. a CSV import), as in Grafana
        body: hasBody ? (typeof options.data === 'string' ? options.data : JSON.stringify(options.data)) : undefined,
        signal: controller.signal,
      })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // keep the text
          }
          const response = {
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          };
          if (!res.ok) {
            subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
            return;
          }
          subscriber.next(response);
          subscriber.complete();
        })
        .catch((err) => {
          if (!controller.signal.aborted) {
            subscriber.error({ status: 0, statusText: String(err?.message ?? err), data: {}, config: options });
          }
        });
      return () => controller.abort();
    });

  const promise = <T>(options: BackendSrvRequest) =>
    new Promise<T>((resolve, reject) =>
      fetchImpl<T>(options).subscribe({ next: (r) => resolve(r.data), error: reject })
    );

  return {
    fetch: fetchImpl,
    request: promise,
    datasourceRequest: (options: BackendSrvRequest) =>
      new Promise((resolve, reject) => fetchImpl(options).subscribe({ next: resolve, error: reject })),
    get: (url: string, params?: BackendSrvRequest['params']) => promise({ url, params, method: 'GET' }),
    delete: (url: string, data?: unknown) => promise({ url, data, method: 'DELETE' }),
    post: (url: string, data?: unknown) => promise({ url, data, method: 'POST' }),
    patch: (url: string, data?: unknown) => promise({ url, data, method: 'PATCH' }),
    put: (url: string, data?: unknown) => promise({ url, data, method: 'PUT' }),
    resolveCancelerIfExists: () => {},
  } as unknown as BackendSrv;
}
