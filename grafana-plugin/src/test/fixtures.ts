import type {
  ConnectorStatus,
  FleetSummary,
  StationDetail,
  StationHistory,
  StationList,
  StationListQuery,
  StationSummary,
} from '../api/types';

export const NOW = Date.parse('2025-06-01T12:00:00Z');

export function makeStation(i: number, overrides: Partial<StationSummary> = {}): StationSummary {
  const statuses: ConnectorStatus[] = ['Available', 'Charging', 'Faulted', 'Unavailable'];
  const id = `CP-${String(i).padStart(4, '0')}`;
  return {
    id,
    online: i % 7 !== 0,
    site: `Site ${String.fromCharCode(65 + (i % 3))}`,
    vendor: i % 2 ? 'Alpitronic' : 'ABB',
    model: i % 2 ? 'HYC300' : 'Terra 54',
    firmwareVersion: `1.${i % 4}.0`,
    lastHeartbeat: new Date(NOW - (i % 5) * 60_000).toISOString(),
    heartbeatAgeSec: (i % 5) * 60,
    connectors: [
      { evseId: 1, connectorId: 1, status: statuses[i % 4], errorCode: 'NoError', since: '2025-06-01T10:00:00Z' },
      { evseId: 2, connectorId: 1, status: 'Available', errorCode: 'NoError', since: '2025-06-01T09:00:00Z' },
    ],
    openErrors: i % 4 === 2 ? 1 : 0,
    activeTransactions: i % 4 === 1 ? 1 : 0,
    ...overrides,
  };
}

export const FLEET: StationSummary[] = Array.from({ length: 120 }, (_, i) => makeStation(i + 1));

export const SUMMARY: FleetSummary = {
  stations: { total: 12034, online: 11890, offline: 144 },
  connectors: { total: 24068, byStatus: { Available: 15000, Charging: 8000, Faulted: 61, Unavailable: 1007 } },
  availability: 0.9731,
  faultedNow: 61,
  sessions: { active: 8000, startedToday: 23456 },
  energyTodayWh: 412_345_678,
  generatedAt: '2025-06-01T12:00:00Z',
};

/** Minimal server-side behaviour of GET /stations over FLEET (filter, sort, page). */
export function listStations(q: StationListQuery, fleet = FLEET): StationList {
  let items = fleet.filter(
    (s) =>
      (!q.site || s.site === q.site) &&
      (!q.vendor || s.vendor === q.vendor) &&
      (q.online === undefined || String(s.online) === String(q.online)) &&
      (!q.q || s.id.toLowerCase().includes(String(q.q).toLowerCase()))
  );
  const key = (q.sort ?? 'id') as keyof StationSummary;
  items = [...items].sort((a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? '')));
  if (q.order === 'desc') {
    items.reverse();
  }
  const offset = Number(q.offset ?? 0);
  const limit = Number(q.limit ?? 50);
  return {
    total: items.length,
    items: items.slice(offset, offset + limit),
    facets: {
      sites: ['Site A', 'Site B', 'Site C'],
      vendors: ['ABB', 'Alpitronic'],
      models: ['HYC300', 'Terra 54'],
      firmwareVersions: ['1.0.0', '1.1.0', '1.2.0', '1.3.0'],
    },
  };
}

export const STATION: StationDetail = {
  ...makeStation(3),
  id: 'CP-0003',
  online: true,
  serialNumber: 'SN-778899',
  protocol: 'ocpp2.0.1',
  registration: 'Accepted',
  collectorId: 'collector-1',
  connectedAt: '2025-06-01T08:00:00Z',
  firstSeen: '2025-01-10T08:00:00Z',
  lastBoot: '2025-06-01T07:59:00Z',
  bootReason: 'PowerUp',
  connectors: [
    {
      evseId: 1,
      connectorId: 1,
      status: 'Charging',
      errorCode: 'NoError',
      since: '2025-06-01T11:00:00Z',
      transactionId: 'tx-42',
    },
    { evseId: 2, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', since: '2025-06-01T10:30:00Z' },
  ],
  metadata: {
    site: 'Site A',
    address: '1 Harbour Road',
    latitude: 51.5,
    longitude: -0.12,
    operatingHours: '24/7',
    tags: { operator: 'acme', power: '300kW' },
  },
};

export const HISTORY: StationHistory = {
  statusTimeline: [
    { time: '2025-06-01T11:00:00Z', evseId: 1, connectorId: 1, status: 'Charging', errorCode: 'NoError' },
    { time: '2025-06-01T10:30:00Z', evseId: 2, connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure' },
  ],
  errors: [
    {
      time: '2025-06-01T10:30:00Z',
      evseId: 2,
      connectorId: 1,
      errorCode: 'GroundFailure',
      vendorErrorCode: 'E-17',
      info: 'RCD tripped',
    },
  ],
  sessions: [
    { transactionId: 'tx-42', evseId: 1, connectorId: 1, startedAt: '2025-06-01T11:00:00Z', energyWh: 12_500 },
    {
      transactionId: 'tx-41',
      evseId: 1,
      connectorId: 1,
      startedAt: '2025-06-01T08:00:00Z',
      endedAt: '2025-06-01T08:45:00Z',
      energyWh: 31_200,
      stoppedReason: 'EVDisconnected',
    },
  ],
  connections: [
    { time: '2025-06-01T08:00:00Z', event: 'opened', remoteAddress: '10.0.0.7' },
    { time: '2025-06-01T07:58:00Z', event: 'closed', code: 1006, reason: 'abnormal closure' },
  ],
};
