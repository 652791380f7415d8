import React, { useCallback, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { chargewatchApi } from '../../api/client';
import type { FleetFilters as ApiFleetFilters, StationListQuery } from '../../api/types';
import { REFRESH_INTERVAL_MS } from '../../constants';
import { usePolling } from '../../hooks/usePolling';
import { RefreshControls } from '../common/RefreshControls';
import { testIds } from '../testIds';
import { EMPTY_FILTERS, FleetFilters, type FleetFilterState } from './FleetFilters';
import { KpiStats } from './KpiStats';
import { StationTable, type TableSort } from './StationTable';

interface Props {
  /** auto-refresh period; tests and embedders may change it */
  refreshIntervalMs?: number;
}

export function toSummaryFilters(f: FleetFilterState): ApiFleetFilters {
  return { site: f.site, vendor: f.vendor, model: f.model, firmware: f.firmware };
}

export function toStationQuery(f: FleetFilterState, sort: TableSort, page: number, pageSize: number): StationListQuery {
  return {
    ...toSummaryFilters(f),
    online: f.online === 'all' ? undefined : f.online === 'online',
    status: f.status,
    q: f.q.trim() || undefined,
    sort: sort.sort,
    order: sort.order,
    limit: pageSize,
    offset: page * pageSize,
  };
}

export function FleetHealth({ refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const styles = useStyles2(getStyles);
  const [filters, setFilters] = useState<FleetFilterState>(EMPTY_FILTERS);
  const [sort, setSort] = useState<TableSort>({ sort: 'id', order: 'asc' });
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(50);
  const [paused, setPaused] = useState(false);

  const summaryFilters = useMemo(() => toSummaryFilters(filters), [filters]);
  const stationQuery = useMemo(() => toStationQuery(filters, sort, page, pageSize), [filters, sort, page, pageSize]);

  const summary = usePolling(() => chargewatchApi.fleetSummary(summaryFilters), JSON.stringify(summaryFilters), {
    intervalMs: refreshIntervalMs,
    paused,
  });
  const stations = usePolling(() => chargewatchApi.listStations(stationQuery), JSON.stringify(stationQuery), {
    intervalMs: refreshIntervalMs,
    paused,
  });

  const onFilters = useCallback((next: FleetFilterState) => {
    setFilters(next);
    setPage(0);
  }, []);
  const onSort = useCallback((next: TableSort) => {
    setSort(next);
    setPage(0);
  }, []);
  const onPageSize = useCallback((size: number) => {
    setPageSize(size);
    setPage(0);
  }, []);
  const refreshAll = () => {
    summary.refresh();
    stations.refresh();
  };

  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY_FILTERS);
  const lastUpdated = stations.lastUpdated ?? summary.lastUpdated;

  return (
    <PluginPage>
      <div data-testid={testIds.fleet.page} className={styles.page}>
        <div className={styles.header}>
          <RefreshControls
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={refreshAll}
            lastUpdated={lastUpdated}
            intervalMs={refreshIntervalMs}
          />
        </div>

        {summary.error && (
          <Alert severity="error" title="Could not load the fleet summary">
            {summary.error.message}
          </Alert>
        )}
        {summary.data ? (
          <KpiStats summary={summary.data} />
        ) : (
          !summary.error && <LoadingPlaceholder text="Loading fleet summary…" />
        )}

        <section className={styles.section}>
          <Stack direction="row" alignItems="flex-end" justifyContent="space-between" wrap="wrap">
            <FleetFilters value={filters} facets={stations.data?.facets} onChange={onFilters} />
            {filtered && (
              <Button variant="secondary" fill="text" icon="times" onClick={() => onFilters(EMPTY_FILTERS)}>
                Clear filters
              </Button>
            )}
          </Stack>
        </section>

        {stations.error && (
          <Alert severity="error" title="Could not load stations">
            {stations.error.message}
          </Alert>
        )}
        <StationTable
          items={stations.data?.items ?? []}
          total={stations.data?.total ?? 0}
          sort={sort}
          onSort={onSort}
          page={page}
          pageSize={pageSize}
          onPage={setPage}
          onPageSize={onPageSize}
          loading={stations.loading}
        />
      </div>
    </PluginPage>
  );
}

export default FleetHealth;

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  }),
  header: css({
    display: 'flex',
    justifyContent: 'flex-end',
    alignItems: 'center',
  }),
  section: css({
    marginTop: theme.spacing(1),
  }),
});
