import React from 'react';
import { Link } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { Icon, Pagination, Select, useStyles2, useTheme2 } from '@grafana/ui';
import type { StationSortKey, StationSummary } from '../../api/types';
import { formatDuration, formatInt, formatTime, secondsSince } from '../../utils/format';
import { type FromFleetState, stationUrl } from '../../routing/routes';
import { statusLabel } from '@chargewatch/model/status';
import { statusColor } from '../../utils/status';
import { OnlineBadge } from '../../components/common/StatusBadge';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { PAGE_SIZES, type TableSort } from './fleetView';

interface Props {
  items: StationSummary[];
  total: number;
  sort: TableSort;
  onSort: (sort: TableSort) => void;
  page: number; // 0-based
  pageSize: number;
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
  loading?: boolean;
  /** the fleet view's query string, handed to the station page for its way back */
  fleetSearch?: string;
}

interface Column {
  title: string;
  sortKey?: StationSortKey;
  numeric?: boolean;
  render: (s: StationSummary) => React.ReactNode;
}

const PAGE_SIZE_OPTIONS: Array<SelectableValue<number>> = PAGE_SIZES.map((n) => ({ label: `${n} / page`, value: n }));

/** Heartbeat age in seconds: the collector's figure, else computed from lastHeartbeat. */
export function heartbeatAge(s: StationSummary): number | undefined {
  return s.heartbeatAgeSec ?? secondsSince(s.lastHeartbeat);
}

export function StationTable(props: Props) {
  const { items, total, sort, onSort, page, pageSize, onPage, onPageSize, loading, fleetSearch } = props;
  const back: FromFleetState = { fleetSearch };
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const theme = useTheme2();

  const columns: Column[] = [
    { title: 'Status', sortKey: 'status', render: (s) => <OnlineBadge online={s.online} /> },
    {
      title: 'Station',
      sortKey: 'id',
      render: (s) => (
        <Link className={styles.link} to={stationUrl(s.id)} state={back}>
          {s.id}
        </Link>
      ),
    },
    { title: 'Site', sortKey: 'site', render: (s) => s.site ?? '–' },
    { title: 'Vendor', sortKey: 'vendor', render: (s) => s.vendor ?? '–' },
    { title: 'Model', sortKey: 'model', render: (s) => s.model ?? '–' },
    { title: 'Firmware', sortKey: 'firmwareVersion', render: (s) => s.firmwareVersion ?? '–' },
    {
      title: 'Connectors',
      render: (s) => (
        <span className={styles.dots}>
          {s.connectors.map((c) => (
            <span
              key={`${c.evseId}/${c.connectorId}`}
              className={styles.dot}
              style={{ background: statusColor(theme, c.status) }}
              title={`EVSE ${c.evseId} connector ${c.connectorId}: ${statusLabel(c.status)}`}
              data-status={c.status}
            />
          ))}
        </span>
      ),
    },
    {
      title: 'Last heartbeat',
      sortKey: 'lastHeartbeat',
      numeric: true,
      render: (s) => {
        const age = heartbeatAge(s);
        return (
          <span title={formatTime(s.lastHeartbeat)}>{age === undefined ? 'never' : `${formatDuration(age)} ago`}</span>
        );
      },
    },
    {
      title: 'Open errors',
      numeric: true,
      render: (s) => <span className={s.openErrors > 0 ? styles.errors : undefined}>{formatInt(s.openErrors)}</span>,
    },
    { title: 'Active sessions', numeric: true, render: (s) => formatInt(s.activeTransactions) },
  ];

  const onHeader = (key: StationSortKey) => {
    if (sort.sort === key) {
      onSort({ sort: key, order: sort.order === 'asc' ? 'desc' : 'asc' });
    } else {
      onSort({ sort: key, order: 'asc' });
    }
  };

  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : page * pageSize + 1;
  const last = Math.min(total, (page + 1) * pageSize);

  return (
    <div>
      <table className={table.table} data-testid={testIds.fleet.table} aria-busy={loading ? 'true' : 'false'}>
        <thead>
          <tr>
            {columns.map((col) => {
              const active = col.sortKey && sort.sort === col.sortKey;
              return (
                <th
                  key={col.title}
                  className={col.numeric ? table.numeric : undefined}
                  aria-sort={active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {col.sortKey ? (
                    <button type="button" className={styles.sortButton} onClick={() => onHeader(col.sortKey!)}>
                      {col.title}
                      {active && <Icon name={sort.order === 'asc' ? 'arrow-up' : 'arrow-down'} size="sm" />}
                    </button>
                  ) : (
                    col.title
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} data-testid={testIds.fleet.row(s.id)} data-station-id={s.id}>
              {columns.map((col) => (
                <td key={col.title} className={col.numeric ? table.numeric : undefined}>
                  {col.render(s)}
                </td>
              ))}
            </tr>
          ))}
          {items.length === 0 && (
            <tr>
              <td colSpan={columns.length} className={table.empty}>
                {loading ? 'Loading stations…' : 'No stations match these filters.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className={styles.footer}>
        <span className={table.muted} data-testid={testIds.fleet.total}>
          {total === 0
            ? 'No stations'
            : `Showing ${formatInt(first)}–${formatInt(last)} of ${formatInt(total)} stations`}
        </span>
        <Pagination currentPage={page + 1} numberOfPages={pages} onNavigate={(p) => onPage(p - 1)} hideWhenSinglePage />
        <Select
          aria-label="Stations per page"
          width={16}
          options={PAGE_SIZE_OPTIONS}
          value={pageSize}
          onChange={(v) => v.value && onPageSize(v.value)}
        />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({
    color: theme.colors.text.link,
    fontWeight: theme.typography.fontWeightMedium,
    '&:hover': { textDecoration: 'underline' },
  }),
  sortButton: css({
    background: 'none',
    border: 'none',
    padding: 0,
    color: 'inherit',
    font: 'inherit',
    cursor: 'pointer',
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  dots: css({
    display: 'inline-flex',
    flexWrap: 'wrap',
    gap: 3,
  }),
  dot: css({
    width: 12,
    height: 12,
    borderRadius: 3,
    display: 'inline-block',
  }),
  errors: css({
    color: theme.colors.error.text,
    fontWeight: theme.typography.fontWeightBold,
  }),
  footer: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
    flexWrap: 'wrap',
  }),
});
