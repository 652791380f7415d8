import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, locationUtil, type PanelProps } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { stationUrl } from '../../routing/routes';
import { CONNECTOR_STATUSES, CONNECTOR_STATUS_CODE, statusLabel } from '@chargewatch/model/status';
import { statusColor } from '../../utils/status';
import {
  type ConnectorCell,
  countByStatus,
  framesToCells,
  groupBySite,
  isStationLevel,
  type SiteGroup,
} from './frames';
import { DEFAULT_OPTIONS, type StatusGridOptions } from './types';

type Props = PanelProps<StatusGridOptions>;

const connectors = (n: number) => `${n} connector${n === 1 ? '' : 's'}`;

/** Statuses that deserve attention come first in the per-site summary. */
const SUMMARY_ORDER = ['Faulted', 'Unavailable', 'Unknown', 'SuspendedEVSE', 'Charging', 'Available'] as const;

export function StatusGridPanel({ data, options, width, height }: Props) {
  const opts = { ...DEFAULT_OPTIONS, ...options };
  const styles = useStyles2(getStyles);
  const cells = useMemo(() => {
    const all = framesToCells(data.series);
    return opts.showStationLevel ? all : all.filter((c) => !isStationLevel(c));
  }, [data.series, opts.showStationLevel]);
  const groups: SiteGroup[] = useMemo(
    () => (opts.groupBySite ? groupBySite(cells) : [{ site: '', cells, counts: countByStatus(cells) }]),
    [cells, opts.groupBySite]
  );
  const totals = useMemo(() => countByStatus(cells), [cells]);

  if (cells.length === 0) {
    return (
      <div className={styles.empty} style={{ width, height }} data-testid={testIds.grid.panel}>
        No connector status data. Query <code>chargewatch_connector_status_code</code> from Prometheus (labels
        station_id, site, evse, connector).
      </div>
    );
  }

  return (
    <div className={styles.root} style={{ width, height }} data-testid={testIds.grid.panel}>
      {opts.showLegend && <Legend counts={totals} total={cells.length} />}
      <div className={styles.scroll}>
        {groups.map((g) => (
          <section key={g.site || 'all'} className={styles.site} data-testid={testIds.grid.site(g.site || 'all')}>
            {opts.groupBySite && (
              <header className={styles.siteHeader}>
                <span className={styles.siteName}>{g.site}</span>
                <SiteSummary group={g} />
              </header>
            )}
            <div className={styles.cells}>
              {g.cells.map((c) => (
                <Cell key={`${c.stationId}/${c.evse}/${c.connector}`} cell={c} options={opts} />
              ))}
            </div>
          </section>
        ))}
      </div>
    </div>
  );
}

function SiteSummary({ group }: { group: SiteGroup }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const parts = SUMMARY_ORDER.filter((s) => group.counts[s]).map((s) => (
    <span key={s} style={{ color: statusColor(theme, s) }}>
      {group.counts[s]} {statusLabel(s)}
    </span>
  ));
  return (
    <span className={styles.siteSummary}>
      <span>{connectors(group.cells.length)}</span>
      {parts}
    </span>
  );
}

function Cell({ cell, options }: { cell: ConnectorCell; options: StatusGridOptions }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const bg = statusColor(theme, cell.status);
  const fg = theme.colors.getContrastText(bg);
  const size = Math.max(24, options.cellSize);
  const font = Math.max(10, Math.round(size * 0.15));
  const title = `${cell.stationId} · EVSE ${cell.evse} connector ${cell.connector}\n${statusLabel(cell.status)} (code ${cell.code})${
    cell.site ? `\nSite: ${cell.site}` : ''
  }`;
  const content = options.showLabels ? (
    <>
      <span className={styles.cellStation} style={{ fontSize: font }}>
        {cell.stationId}
      </span>
      <span style={{ fontSize: Math.round(font * 0.85) }}>
        {cell.evse}/{cell.connector}
      </span>
      <span className={styles.cellStatus} style={{ fontSize: Math.round(font * 1.05) }}>
        {statusLabel(cell.status)}
      </span>
    </>
  ) : null;
  const style: React.CSSProperties = {
    background: bg,
    color: fg,
    width: size,
    height: options.showLabels ? Math.round(size * 0.75) : Math.round(size * 0.5),
  };
  const common = {
    className: styles.cell,
    style,
    title,
    'data-testid': testIds.grid.cell(cell.stationId, cell.evse, cell.connector),
    'data-status': cell.status,
    'aria-label': `${cell.stationId} connector ${cell.evse}/${cell.connector}: ${cell.status}`,
  };
  return options.linkToStation ? (
    <a href={locationUtil.assureBaseUrl(stationUrl(cell.stationId))} {...common}>
      {content}
    </a>
  ) : (
    <div {...common}>{content}</div>
  );
}

function Legend({ counts, total }: { counts: Partial<Record<string, number>>; total: number }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.legend} data-testid={testIds.grid.legend}>
      <span className={styles.legendTotal}>{connectors(total)}</span>
      {CONNECTOR_STATUSES.filter((s) => counts[s]).map((s) => (
        <span key={s} className={styles.legendItem} title={`code ${CONNECTOR_STATUS_CODE[s]}`} data-status={s}>
          <span className={styles.swatch} style={{ background: statusColor(theme, s) }} />
          {statusLabel(s)}
          <strong>{counts[s]}</strong>
        </span>
      ))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    overflow: 'hidden',
  }),
  scroll: css({
    overflow: 'auto',
    flex: 1,
    minHeight: 0,
  }),
  empty: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    color: theme.colors.text.secondary,
    padding: theme.spacing(2),
  }),
  site: css({
    marginBottom: theme.spacing(2),
  }),
  siteHeader: css({
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
    marginBottom: theme.spacing(1),
  }),
  siteName: css({
    fontSize: theme.typography.h3.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
  }),
  siteSummary: css({
    display: 'inline-flex',
    gap: theme.spacing(1.5),
    flexWrap: 'wrap',
    fontSize: theme.typography.h5.fontSize,
    color: theme.colors.text.secondary,
    fontWeight: theme.typography.fontWeightMedium,
  }),
  cells: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.75),
  }),
  cell: css({
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    justifyContent: 'center',
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
    lineHeight: 1.15,
    textAlign: 'center',
    textDecoration: 'none',
    padding: theme.spacing(0.25),
    '&:hover': {
      outline: `2px solid ${theme.colors.text.primary}`,
      textDecoration: 'none',
    },
  }),
  cellStation: css({
    fontWeight: theme.typography.fontWeightBold,
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  cellStatus: css({
    fontWeight: theme.typography.fontWeightMedium,
    maxWidth: '100%',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    alignItems: 'center',
    fontSize: theme.typography.h5.fontSize,
  }),
  legendTotal: css({
    fontWeight: theme.typography.fontWeightBold,
  }),
  legendItem: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  swatch: css({
    width: 16,
    height: 16,
    borderRadius: 3,
    display: 'inline-block',
  }),
});
