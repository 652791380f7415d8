import React, { useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Icon, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { REFRESH_INTERVAL_MS } from '../../constants';
import { useStationData } from '../../data/useStationData';
import { useCommandHistory, useStationOperation } from '../../data/useCommands';
import { canOperateStations } from '../../utils/role';
import { RefreshControls } from '../../components/common/RefreshControls';
import { testIds } from '../../components/testIds';
import { fleetUrl, type FromFleetState } from '../../routing/routes';
import { DEFAULT_HOURS, parseHours, StationHistory } from './StationHistory';
import { StationOverview } from './StationOverview';
import { Operations } from './Operations';
import { CommandHistory } from './CommandHistory';
import { getStyles } from './styles';

interface Props {
  /** overrides the route parameter (used when embedding) */
  stationId?: string;
  refreshIntervalMs?: number;
}

/**
 * One station: overview, operations (Editors and Admins), command history and history; the history
 * period lives in the query string (`?hours=`).
 */
export function StationPage({ stationId, refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const params = useParams<{ id: string }>();
  const id = stationId ?? params.id ?? '';
  const styles = useStyles2(getStyles);
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useSearchParams();
  const hours = parseHours(search.get('hours'));
  const from = (useLocation().state ?? {}) as FromFleetState;

  const live = { intervalMs: refreshIntervalMs, paused };
  const { station, history, refresh, notFound, historyMissing } = useStationData(id, hours, live);
  const commands = useCommandHistory(id, live);
  // after each command: its row in the history, and the station's new state (e.g. Unavailable)
  const operation = useStationOperation(id, () => {
    commands.refresh();
    station.refresh();
  });
  const canOperate = canOperateStations();
  const refreshAll = () => {
    refresh();
    commands.refresh();
  };

  const setHours = (h: number) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        h === DEFAULT_HOURS ? next.delete('hours') : next.set('hours', String(h));
        return next;
      },
      { replace: true, state: from }
    );

  return (
    <PluginPage pageNav={{ text: id ? `Station ${id}` : 'Station' }}>
      <div className={styles.page} data-testid={testIds.station.page}>
        <div className={styles.header}>
          <Link to={fleetUrl(from.fleetSearch)} className={styles.back}>
            <Icon name="arrow-left" /> Fleet health
          </Link>
          <RefreshControls
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={refreshAll}
            lastUpdated={station.lastUpdated}
            intervalMs={refreshIntervalMs}
          />
        </div>

        {notFound && (
          <Alert severity="warning" title={`Station ${id} not found`}>
            The collector does not know a station with this id. It may never have connected.
          </Alert>
        )}
        {station.error && !notFound && (
          <Alert severity="error" title="Could not load the station">
            {station.error.message}
          </Alert>
        )}
        {!station.data && station.loading && <LoadingPlaceholder text="Loading station…" />}
        {station.data && <StationOverview station={station.data} />}
        {station.data && canOperate && <Operations station={station.data} operation={operation} />}
        {station.data && <CommandHistory history={commands} />}
        {station.data && <StationHistory history={history} missing={historyMissing} hours={hours} onHours={setHours} />}
      </div>
    </PluginPage>
  );
}

export default StationPage;
