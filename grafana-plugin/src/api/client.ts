import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';
import { API_BASE } from '../constants';
import type {
  AuthFailures,
  CommandPage,
  CommandView,
  FleetFilters,
  FleetSummary,
  MetadataImportRow,
  RegistrationStatus,
  StationDetail,
  StationHistory,
  StationList,
  StationListQuery,
  StationMetadata,
  StationSecurity,
  StationSecurityUpdate,
  StationOperationRequest,
} from './types';

/** Error raised for any failed collector call, with the HTTP status (0 when the request never got an answer). */
export class ApiError extends Error {
  constructor(
    message: string,
    public readonly status: number,
    public readonly code?: string,
    /** the collector's whole answer, for errors that say more than a message (e.g. an import's bad rows) */
    public readonly body?: unknown
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

/** Grafana's answer when the user's role lacks the plugin route's reqRole. */
const GRAFANA_ROUTE_DENIED = 'plugin proxy route access denied';

function describe(status: number, data: unknown, fallback: string): ApiError {
  const body = (data ?? {}) as { error?: string; message?: string };
  if (status === 0 || status === undefined) {
    return new ApiError(`Collector API unreachable: ${fallback}`, 0);
  }
  if (status === 404 && !body.message && !body.error) {
    return new ApiError('Not found (is the collector API URL configured in the app settings?)', 404);
  }
  if (status === 403 && body.message === GRAFANA_ROUTE_DENIED) {
    return new ApiError('Your Grafana role does not allow this action', 403, 'role');
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
  return new ApiError(body.message ?? body.error ?? `Collector API error (HTTP ${status})`, status, body.error, data);
}

/**
 * The plugin.json route namespaces: each forwards with the Grafana role it requires and sends the
 * collector `X-ChargeWatch-Role` with the same name, so the API grants no more than that role.
 */
export type ApiRole = 'viewer' | 'editor' | 'admin';
type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Plugin proxy path of the collector resource `/api/v1/<segments>` through the routes of `role`.
 * Every segment is percent-encoded, so an id can never add a path segment of its own.
 */
export function proxyPath(role: ApiRole, ...segments: string[]): string {
  return `/${role}/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/**
 * One collector call through the plugin proxy; failures become ApiError. `contentType` sends `data`
 * as it is (a string, e.g. a CSV file) with that type instead of JSON.
 */
export async function request<T>(
  method: Method,
  path: string,
  params?: Params,
  data?: unknown,
  contentType?: string
): Promise<T> {
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<T>({
        url: `${API_BASE}${path}`,
        method,
        params: params ? cleanParams(params) : undefined,
        data,
        ...(contentType ? { headers: { 'Content-Type': contentType } } : {}),
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

const station = (id: string, ...rest: string[]) => ['stations', id, ...rest];

export const chargewatchApi = {
  // Viewer: reads
  fleetSummary(filters: FleetFilters = {}): Promise<FleetSummary> {
    return request('GET', proxyPath('viewer', 'fleet', 'summary'), { ...filters });
  },

  listStations(query: StationListQuery = {}): Promise<StationList> {
    return request('GET', proxyPath('viewer', 'stations'), { ...query });
  },

  station(id: string): Promise<StationDetail> {
    return request('GET', proxyPath('viewer', ...station(id)));
  },

  stationHistory(id: string, hours = 24): Promise<StationHistory> {
    return request('GET', proxyPath('viewer', ...station(id, 'history')), { hours });
  },

  /** The station's commands, newest first. */
  stationCommands(id: string, limit = 20): Promise<CommandPage> {
    return request('GET', proxyPath('viewer', ...station(id, 'commands')), { limit });
  },

  command(commandId: string): Promise<CommandView> {
    return request('GET', proxyPath('viewer', 'commands', commandId));
  },

  // Editor: commands to the station
  /**
   * Submits a command. The collector waits a few seconds and answers with the command either ended
   * (HTTP 200) or still queued/sending (202): check `status` with isFinalStatus and poll command().
   */
  sendCommand(id: string, { name, params }: StationOperationRequest): Promise<CommandView> {
    return request('POST', proxyPath('editor', ...station(id, 'commands', name)), undefined, params);
  },

  // Editor: metadata
  updateStationMetadata(id: string, metadata: StationMetadata): Promise<StationMetadata> {
    return request('PUT', proxyPath('editor', ...station(id, 'metadata')), undefined, metadata);
  },

  importStationMetadata(rows: MetadataImportRow[]): Promise<{ imported: number }> {
    return request('POST', proxyPath('editor', 'stations', 'metadata', 'import'), undefined, rows);
  },

  // Admin: station security, registration, refused handshakes
  stationSecurity(id: string): Promise<StationSecurity> {
    return request('GET', proxyPath('admin', ...station(id, 'security')));
  },

  setStationSecurity(id: string, update: StationSecurityUpdate): Promise<StationSecurity> {
    return request('PUT', proxyPath('admin', ...station(id, 'security')), undefined, update);
  },

  resetStationSecurity(id: string): Promise<StationSecurity> {
    return request('DELETE', proxyPath('admin', ...station(id, 'security')));
  },

  setRegistration(id: string, status: RegistrationStatus): Promise<{ id: string; registration: RegistrationStatus }> {
    return request('PUT', proxyPath('admin', ...station(id, 'registration')), undefined, { status });
  },

  authFailures(limit?: number): Promise<AuthFailures> {
    return request('GET', proxyPath('admin', 'security', 'auth-failures'), { limit });
  },
};

export type ChargewatchApi = typeof chargewatchApi;
