import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { API_BASE } from '../constants';
import type {
  FleetFilters,
  FleetSummary,
  StationDetail,
  StationHistory,
  StationList,
  StationListQuery,
  StationMetadata,
} from './types';

/** Error raised for any failed collector call, with the HTTP status (0 when the request never got an answer). */
export class ApiError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code?: string
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

type Params = Record<string, string | number | boolean | undefined>;

/** Drops empty values so the collector sees only the filters that are set. */
export function cleanParams(params: Params): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    out[key] = value;
  }
  return out;
}

function describe(status: number, data: unknown, fallback: string): ApiError {
  const body = (data ?? {}) as { error?: string; message?: string };
  if (status === 0 || status === undefined) {
    return new ApiError(`Collector API unreachable: ${fallback}`, 0);
  }
  if (status === 404 && !body.message && !body.error) {
    return new ApiError('Not found (is the collector API URL configured in the app settings?)', 404);
  }
  if (status === 401 || status === 403) {
    return new ApiError(
      body.message ?? `Access denied by the collector (HTTP ${status}); check the API token in the app settings`,
      status,
      body.error
    );
  }
  if (status === 502) {
    return new ApiError(
      body.message ?? 'Bad gateway: Grafana could not reach the collector API URL',
      status,
      body.error
    );
  }
  return new ApiError(body.message ?? body.error ?? `Collector API error (HTTP ${status})`, status, body.error);
}

async function request<T>(method: 'GET' | 'PUT' | 'POST', path: string, params?: Params, data?: unknown): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${API_BASE}${path}`,
        method,
        params: params ? cleanParams(params) : undefined,
        data,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    return response.data;
  } catch (err) {
    if (err instanceof ApiError) {
      throw err;
    }
    if (isFetchError(err)) {
      throw describe(err.status, err.data, err.statusText || 'request failed');
    }
    throw new ApiError(err instanceof Error ? err.message : String(err), 0);
  }
}

export const chargewatchApi = {
  fleetSummary(filters: FleetFilters = {}): Promise<FleetSummary> {
    return request('GET', '/fleet/summary', { ...filters });
  },

  listStations(query: StationListQuery = {}): Promise<StationList> {
    return request('GET', '/stations', { ...query });
  },

  station(id: string): Promise<StationDetail> {
    return request('GET', `/stations/${encodeURIComponent(id)}`);
  },

  stationHistory(id: string, hours = 24): Promise<StationHistory> {
    return request('GET', `/stations/${encodeURIComponent(id)}/history`, { hours });
  },

  updateStationMetadata(id: string, metadata: StationMetadata): Promise<StationDetail> {
    return request('PUT', `/stations/${encodeURIComponent(id)}/metadata`, undefined, metadata);
  },
};

export type ChargewatchApi = typeof chargewatchApi;
