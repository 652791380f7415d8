import React, { useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { REFRESH_INTERVAL_MS } from '../../constants';
import { useFleetData } from '../../data/useFleetData';
import { RefreshControls } from '../../components/common/RefreshControls';
import { testIds } from '../../components/testIds';
import { FleetFilters } from './FleetFilters';
import { EMPTY_FILTERS, isFiltered, toStationQuery, toSummaryFilters } from './fleetView';
import { KpiStats } from './KpiStats';
import { StationTable } from './StationTable';
import { useFleetView } from './useFleetView';

interface Props {
  /** auto-refresh period; tests and embedders may change it */
  refreshIntervalMs?: number;
}

/** Fleet health: KPIs, filters and the station table; the view lives in the query string. */
export function FleetPage({ refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const styles = useStyles2(getStyles);
  const { view, search, setFilters, setSort, setPage, setPageSize } = useFleetView();
  const [paused, setPaused] = useState(false);

  const summaryFilters = useMemo(() => toSummaryFilters(view.filters), [view.filters]);
  const stationQuery = useMemo(() => toStationQuery(view), [view]);
  const { summary, stations, refresh, lastUpdated } = useFleetData(summaryFilters, stationQuery, {
    intervalMs: refreshIntervalMs,
    paused,
  });

  return (
    <PluginPage>
      <div data-testid={testIds.fleet.page} className={styles.page}>
        <div className={styles.header}>
          <RefreshControls
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={refresh}
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
            <FleetFilters value={view.filters} facets={stations.data?.facets} onChange={setFilters} />
            {isFiltered(view.filters) && (
              <Button variant="secondary" fill="text" icon="times" onClick={() => setFilters(EMPTY_FILTERS)}>
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
          sort={view.sort}
          onSort={setSort}
          page={view.page}
          pageSize={view.pageSize}
          onPage={setPage}
          onPageSize={setPageSize}
          loading={stations.loading}
          fleetSearch={search}
        />
      </div>
    </PluginPage>
  );
}

export default FleetPage;

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
