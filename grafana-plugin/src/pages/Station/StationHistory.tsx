import React from 'react';
import type { SelectableValue } from '@grafana/data';
import { Alert, LoadingPlaceholder, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { StationHistory as History } from '../../api/types';
import type { PollingState } from '../../data/usePolling';
import { testIds } from '../../components/testIds';
import { HistoryTables } from './HistoryTables';
import { getStyles } from './styles';

export const HOURS_OPTIONS: Array<SelectableValue<number>> = [
  { label: '6 h', value: 6 },
  { label: '24 h', value: 24 },
  { label: '3 d', value: 72 },
  { label: '7 d', value: 168 },
];
export const DEFAULT_HOURS = 24;

/** The history period of a `?hours=` value: one of the offered periods, else the default. */
export function parseHours(value: string | null): number {
  const n = Number(value);
  return HOURS_OPTIONS.some((o) => o.value === n) ? n : DEFAULT_HOURS;
}

interface Props {
  history: PollingState<History>;
  /** the collector answered 404 for the history route: it serves none */
  missing: boolean;
  hours: number;
  onHours: (hours: number) => void;
}

/** The period selector and the history of the station over that period. */
export function StationHistory({ history, missing, hours, onHours }: Props) {
  const styles = useStyles2(getStyles);
  return (
    <section>
      <div className={styles.sectionHeader}>
        <h3 className={styles.h3}>History</h3>
        <RadioButtonGroup
          size="sm"
          options={HOURS_OPTIONS}
          value={hours}
          onChange={(h) => onHours(h ?? DEFAULT_HOURS)}
        />
      </div>
      {history.error && missing && (
        <Alert severity="info" title="No history from the collector" data-testid={testIds.station.historyUnavailable}>
          This collector does not serve station history ({history.error.message}).
        </Alert>
      )}
      {history.error && !missing && (
        <Alert severity="error" title="Could not load the station history">
          {history.error.message}
        </Alert>
      )}
      {!history.data && history.loading && <LoadingPlaceholder text="Loading history…" />}
      {history.data && <HistoryTables history={history.data} now={history.lastUpdated?.getTime() ?? 0} />}
    </section>
  );
}
