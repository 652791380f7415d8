export const testIds = {
  appConfig: {
    apiUrl: 'data-testid ac-api-url',
    apiToken: 'data-testid ac-api-token',
    submit: 'data-testid ac-submit-form',
  },
  refresh: {
    lastUpdated: 'cw-last-updated',
    pause: 'cw-refresh-pause',
    now: 'cw-refresh-now',
  },
  fleet: {
    page: 'cw-fleet-page',
    kpi: (key: string) => `cw-kpi-${key}`,
    statusCount: (status: string) => `cw-status-count-${status}`,
    table: 'cw-station-table',
    row: (id: string) => `cw-station-row-${id}`,
    total: 'cw-station-total',
    search: 'cw-station-search',
  },
  station: {
    page: 'cw-station-page',
    connector: (evseId: number, connectorId: number) => `cw-connector-${evseId}-${connectorId}`,
    timeline: 'cw-status-timeline',
    errors: 'cw-errors',
    sessions: 'cw-sessions',
    connections: 'cw-connections',
    metadata: 'cw-metadata',
    historyUnavailable: 'cw-history-unavailable',
  },
  grid: {
    panel: 'cw-status-grid',
    site: (site: string) => `cw-grid-site-${site}`,
    cell: (station: string, evse: string, connector: string) => `cw-grid-cell-${station}-${evse}-${connector}`,
    legend: 'cw-grid-legend',
  },
};
