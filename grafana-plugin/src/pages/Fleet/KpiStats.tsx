import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { AVAILABILITY_DEFINITION, CONNECTOR_STATUSES, statusLabel } from '@chargewatch/model/status';
import type { FleetSummary } from '../../api/types';
import { formatEnergy, formatInt, formatPercent } from '../../utils/format';
import { statusColor } from '../../utils/status';
import { testIds } from '../../components/testIds';

interface Props {
  summary: FleetSummary;
}

interface Kpi {
  key: string;
  title: string;
  value: string;
  sub?: string;
  /** tooltip: what exactly the figure counts */
  hint?: string;
  tone?: 'good' | 'bad' | 'warn';
}

export function KpiStats({ summary }: Props) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const { stations, connectors, sessions } = summary;

  const kpis: Kpi[] = [
    {
      key: 'online',
      title: 'Stations online',
      value: formatInt(stations.online),
      sub: `of ${formatInt(stations.total)} stations`,
      tone: 'good',
    },
    {
      key: 'offline',
      title: 'Stations offline',
      value: formatInt(stations.offline),
      tone: stations.offline > 0 ? 'bad' : undefined,
    },
    {
      key: 'availability',
      title: 'Availability',
      value: formatPercent(summary.availability),
      sub: 'ports that can serve a driver',
      hint: AVAILABILITY_DEFINITION,
      tone: summary.availability === null ? undefined : summary.availability < 0.97 ? 'warn' : 'good',
    },
    {
      key: 'faulted',
      title: 'Faulted now',
      value: formatInt(summary.faultedNow),
      sub: `of ${formatInt(connectors.total)} connectors`,
      tone: summary.faultedNow > 0 ? 'bad' : undefined,
    },
    { key: 'sessions-active', title: 'Sessions active', value: formatInt(sessions.active) },
    {
      key: 'sessions-today',
      title: 'Sessions today',
      value: formatInt(sessions.startedToday),
      sub: 'started since 00:00',
    },
    { key: 'energy-today', title: 'Energy today', value: formatEnergy(summary.energyTodayWh) },
  ];

  const toneColor = (tone?: Kpi['tone']) =>
    tone === 'good'
      ? theme.colors.success.text
      : tone === 'bad'
        ? theme.colors.error.text
        : tone === 'warn'
          ? theme.colors.warning.text
          : theme.colors.text.primary;

  // statuses of the contract first, then anything else the collector reports
  const statuses = [
    ...CONNECTOR_STATUSES.filter((s) => connectors.byStatus[s] !== undefined),
    ...Object.keys(connectors.byStatus).filter((s) => !(CONNECTOR_STATUSES as readonly string[]).includes(s)),
  ];

  return (
    <div>
      <div className={styles.grid}>
        {kpis.map((kpi) => (
          <div key={kpi.key} className={styles.card} title={kpi.hint}>
            <div className={styles.title}>{kpi.title}</div>
            <div
              className={styles.value}
              style={{ color: toneColor(kpi.tone) }}
              data-testid={testIds.fleet.kpi(kpi.key)}
            >
              {kpi.value}
            </div>
            {kpi.sub && <div className={styles.sub}>{kpi.sub}</div>}
          </div>
        ))}
      </div>
      <div className={styles.statusRow} aria-label="Connectors by status">
        <span className={styles.sub}>Connectors by status ({formatInt(connectors.total)}):</span>
        {statuses.map((status) => {
          const bg = statusColor(theme, status);
          return (
            <span key={status} className={styles.chip} style={{ borderColor: bg }}>
              <span className={styles.dot} style={{ background: bg }} />
              {statusLabel(status)}{' '}
              <strong data-testid={testIds.fleet.statusCount(status)}>{formatInt(connectors.byStatus[status])}</strong>
            </span>
          );
        })}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(170px, 1fr))',
    gap: theme.spacing(1),
  }),
  card: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5, 2),
  }),
  title: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    textTransform: 'uppercase',
    letterSpacing: '0.04em',
  }),
  value: css({
    fontSize: theme.typography.h2.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    fontVariantNumeric: 'tabular-nums',
    lineHeight: 1.3,
  }),
  sub: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  statusRow: css({
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1.5),
  }),
  chip: css({
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    border: '1px solid',
    borderRadius: theme.shape.radius.pill,
    padding: theme.spacing(0.25, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  dot: css({
    width: 8,
    height: 8,
    borderRadius: '50%',
    display: 'inline-block',
  }),
});
