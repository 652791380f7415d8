import React, { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Icon, LoadingPlaceholder, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import { ApiError, chargewatchApi } from '../../api/client';
import type { StationDetail, StationHistory } from '../../api/types';
import { REFRESH_INTERVAL_MS, ROUTES } from '../../constants';
import { usePolling } from '../../hooks/usePolling';
import { formatAgo, formatDuration, formatEnergy, formatTime, secondsSince } from '../../utils/format';
import { prefixRoute } from '../../utils/utils.routing';
import { OnlineBadge, StatusBadge } from '../common/StatusBadge';
import { RefreshControls } from '../common/RefreshControls';
import { getTableStyles } from '../common/tableStyles';
import { testIds } from '../testIds';

interface Props {
  /** overrides the route parameter (used when embedding) */
  stationId?: string;
  refreshIntervalMs?: number;
}

const HOURS_OPTIONS: Array<SelectableValue<number>> = [
  { label: '6 h', value: 6 },
  { label: '24 h', value: 24 },
  { label: '3 d', value: 72 },
  { label: '7 d', value: 168 },
];

/** Rows shown per history table; the collector returns newest first. */
const HISTORY_ROWS = 50;

export function StationPage({ stationId, refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const params = useParams<{ id: string }>();
  const id = stationId ?? params.id ?? '';
  const styles = useStyles2(getStyles);
  const [paused, setPaused] = useState(false);
  const [hours, setHours] = useState(24);

  const station = usePolling(() => chargewatchApi.station(id), id, {
    intervalMs: refreshIntervalMs,
    paused,
    resetOnKeyChange: true,
  });
  const history = usePolling(() => chargewatchApi.stationHistory(id, hours), `${id}|${hours}`, {
    intervalMs: refreshIntervalMs,
    paused,
    resetOnKeyChange: true,
  });

  const notFound = station.error instanceof ApiError && station.error.notFound;
  // the station exists but the history route answers 404: an older collector without history
  const historyMissing = Boolean(station.data) && history.error instanceof ApiError && history.error.notFound;

  return (
    <PluginPage pageNav={{ text: id ? `Station ${id}` : 'Station' }}>
      <div className={styles.page} data-testid={testIds.station.page}>
        <div className={styles.header}>
          <Link to={prefixRoute(ROUTES.Fleet)} className={styles.back}>
            <Icon name="arrow-left" /> Fleet health
          </Link>
          <RefreshControls
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={() => {
              station.refresh();
              history.refresh();
            }}
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

        {station.data && (
          <section>
            <div className={styles.sectionHeader}>
              <h3 className={styles.h3}>History</h3>
              <RadioButtonGroup size="sm" options={HOURS_OPTIONS} value={hours} onChange={(h) => setHours(h ?? 24)} />
            </div>
            {history.error && historyMissing && (
              <Alert
                severity="info"
                title="No history from the collector"
                data-testid={testIds.station.historyUnavailable}
              >
                This collector does not serve station history ({history.error.message}).
              </Alert>
            )}
            {history.error && !historyMissing && (
              <Alert severity="error" title="Could not load the station history">
                {history.error.message}
              </Alert>
            )}
            {!history.data && history.loading && <LoadingPlaceholder text="Loading history…" />}
            {history.data && <HistoryTables history={history.data} now={history.lastUpdated?.getTime() ?? 0} />}
          </section>
        )}
      </div>
    </PluginPage>
  );
}

export default StationPage;

function Definition({ items }: { items: Array<[string, React.ReactNode]> }) {
  const styles = useStyles2(getStyles);
  return (
    <dl className={styles.dl}>
      {items.map(([term, value]) => (
        <React.Fragment key={term}>
          <dt>{term}</dt>
          <dd>{value === undefined || value === null || value === '' ? '–' : value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

function StationOverview({ station }: { station: StationDetail }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const meta = station.metadata ?? {};
  const heartbeatAge = station.heartbeatAgeSec ?? secondsSince(station.lastHeartbeat);
  const tags = Object.entries(meta.tags ?? {});
  const coords =
    meta.latitude !== undefined && meta.longitude !== undefined ? `${meta.latitude}, ${meta.longitude}` : undefined;

  return (
    <>
      <div className={styles.title}>
        <h2 className={styles.h2}>{station.id}</h2>
        <OnlineBadge online={station.online} />
        <span className={table.muted}>
          {[station.vendor, station.model].filter(Boolean).join(' ')}
          {station.site || meta.site ? ` · ${station.site ?? meta.site}` : ''}
        </span>
      </div>

      <div className={styles.cards}>
        <div className={styles.card}>
          <h4 className={styles.cardTitle}>Identity</h4>
          <Definition
            items={[
              ['Serial number', station.serialNumber],
              ['Vendor', station.vendor],
              ['Model', station.model],
              ['Firmware', station.firmwareVersion],
              ['Protocol', station.protocol],
              ['Registration', station.registration],
              ['First seen', station.firstSeen && formatTime(station.firstSeen)],
            ]}
          />
        </div>
        <div className={styles.card}>
          <h4 className={styles.cardTitle}>Connection &amp; boot</h4>
          <Definition
            items={[
              ['Connection', station.online ? 'Online' : 'Offline'],
              [
                station.online ? 'Connected since' : 'Disconnected at',
                station.online
                  ? station.connectedAt && `${formatTime(station.connectedAt)} (${formatAgo(station.connectedAt)})`
                  : station.disconnectedAt &&
                    `${formatTime(station.disconnectedAt)} (${formatAgo(station.disconnectedAt)})`,
              ],
              [
                'Last heartbeat',
                heartbeatAge === undefined
                  ? 'never'
                  : `${formatDuration(heartbeatAge)} ago (${formatTime(station.lastHeartbeat)})`,
              ],
              ['Last boot', station.lastBoot && `${formatTime(station.lastBoot)} (${formatAgo(station.lastBoot)})`],
              ['Boot reason', station.bootReason],
              ['Collector', station.collectorId],
              ['Open errors', String(station.openErrors)],
              ['Active sessions', String(station.activeTransactions)],
            ]}
          />
        </div>
        <div className={styles.card} data-testid={testIds.station.metadata}>
          <h4 className={styles.cardTitle}>Metadata</h4>
          <Definition
            items={[
              ['Site', meta.site ?? station.site],
              ['Address', meta.address],
              ['Coordinates', coords],
              ['Operating hours', meta.operatingHours],
              [
                'Tags',
                tags.length ? (
                  <span className={styles.tags}>
                    {tags.map(([k, v]) => (
                      <span key={k} className={styles.tag}>
                        {k}={v}
                      </span>
                    ))}
                  </span>
                ) : undefined,
              ],
            ]}
          />
        </div>
      </div>

      <section>
        <h3 className={styles.h3}>Connectors</h3>
        <table className={table.table}>
          <thead>
            <tr>
              <th>EVSE</th>
              <th>Connector</th>
              <th>Status</th>
              <th>Error code</th>
              <th>Since</th>
              <th>Transaction</th>
            </tr>
          </thead>
          <tbody>
            {station.connectors.map((c) => (
              <tr
                key={`${c.evseId}/${c.connectorId}`}
                data-testid={testIds.station.connector(c.evseId, c.connectorId)}
                data-status={c.status}
              >
                <td>{c.evseId}</td>
                <td>{c.connectorId}</td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td>
                  {c.errorCode && c.errorCode !== 'NoError' ? (
                    c.errorCode
                  ) : (
                    <span className={table.muted}>NoError</span>
                  )}
                </td>
                <td title={formatTime(c.since)}>
                  {formatTime(c.since)} <span className={table.muted}>({formatAgo(c.since)})</span>
                </td>
                <td>{c.transactionId ?? '–'}</td>
              </tr>
            ))}
            {station.connectors.length === 0 && (
              <tr>
                <td colSpan={6} className={table.empty}>
                  No connectors reported yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
    </>
  );
}

function Truncated({ shown, total }: { shown: number; total: number }) {
  const table = useStyles2(getTableStyles);
  return shown < total ? (
    <div className={table.muted}>
      Showing the latest {shown} of {total}.
    </div>
  ) : null;
}

function HistoryTables({ history, now }: { history: StationHistory; now: number }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const timeline = history.statusTimeline.slice(0, HISTORY_ROWS);
  const errors = history.errors.slice(0, HISTORY_ROWS);
  const sessions = history.sessions.slice(0, HISTORY_ROWS);
  const connections = history.connections.slice(0, HISTORY_ROWS);
  const energy = history.sessions.reduce((sum, s) => sum + (s.energyWh ?? 0), 0);

  return (
    <div className={styles.historyGrid}>
      <div data-testid={testIds.station.timeline}>
        <h4 className={styles.cardTitle}>Status changes ({history.statusTimeline.length})</h4>
        <table className={table.table}>
          <thead>
            <tr>
              <th>Time</th>
              <th>EVSE/connector</th>
              <th>Status</th>
              <th>Error code</th>
            </tr>
          </thead>
          <tbody>
            {timeline.map((t, i) => (
              <tr key={`${t.time}-${i}`}>
                <td>{formatTime(t.time)}</td>
                <td>
                  {t.evseId}/{t.connectorId}
                </td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td>{t.errorCode}</td>
              </tr>
            ))}
            {timeline.length === 0 && (
              <tr>
                <td colSpan={4} className={table.empty}>
                  No status changes in this period.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Truncated shown={timeline.length} total={history.statusTimeline.length} />
      </div>

      <div data-testid={testIds.station.errors}>
        <h4 className={styles.cardTitle}>Errors ({history.errors.length})</h4>
        <table className={table.table}>
          <thead>
            <tr>
              <th>Time</th>
              <th>EVSE/connector</th>
              <th>Error code</th>
              <th>Vendor code</th>
              <th>Info</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={`${e.time}-${i}`}>
                <td>{formatTime(e.time)}</td>
                <td>
                  {e.evseId}/{e.connectorId}
                </td>
                <td className={styles.errorCode}>{e.errorCode}</td>
                <td>{e.vendorErrorCode ?? '–'}</td>
                <td>{e.info ?? '–'}</td>
              </tr>
            ))}
            {errors.length === 0 && (
              <tr>
                <td colSpan={5} className={table.empty}>
                  No errors in this period.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Truncated shown={errors.length} total={history.errors.length} />
      </div>

      <div data-testid={testIds.station.sessions}>
        <h4 className={styles.cardTitle}>
          Sessions ({history.sessions.length}, {formatEnergy(energy)})
        </h4>
        <table className={table.table}>
          <thead>
            <tr>
              <th>Transaction</th>
              <th>EVSE/connector</th>
              <th>Started</th>
              <th>Duration</th>
              <th className={table.numeric}>Energy</th>
              <th>Stopped</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => {
              const end = s.endedAt ? Date.parse(s.endedAt) : now;
              const duration = (end - Date.parse(s.startedAt)) / 1000;
              return (
                <tr key={s.transactionId}>
                  <td>{s.transactionId}</td>
                  <td>
                    {s.evseId}/{s.connectorId}
                  </td>
                  <td>{formatTime(s.startedAt)}</td>
                  <td>
                    {formatDuration(duration)}
                    {s.endedAt ? '' : ' (ongoing)'}
                  </td>
                  <td className={table.numeric}>{formatEnergy(s.energyWh)}</td>
                  <td>{s.endedAt ? (s.stoppedReason ?? 'ended') : 'charging'}</td>
                </tr>
              );
            })}
            {sessions.length === 0 && (
              <tr>
                <td colSpan={6} className={table.empty}>
                  No sessions in this period.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Truncated shown={sessions.length} total={history.sessions.length} />
      </div>

      <div data-testid={testIds.station.connections}>
        <h4 className={styles.cardTitle}>Connections ({history.connections.length})</h4>
        <table className={table.table}>
          <thead>
            <tr>
              <th>Time</th>
              <th>Event</th>
              <th>Remote address</th>
              <th>Close code / reason</th>
            </tr>
          </thead>
          <tbody>
            {connections.map((c, i) => (
              <tr key={`${c.time}-${i}`}>
                <td>{formatTime(c.time)}</td>
                <td>{c.event === 'opened' ? 'Connected' : 'Disconnected'}</td>
                <td>{c.remoteAddress ?? '–'}</td>
                <td>
                  {c.event === 'closed'
                    ? [c.code, c.reason].filter((x) => x !== undefined && x !== '').join(' ') || '–'
                    : ''}
                </td>
              </tr>
            ))}
            {connections.length === 0 && (
              <tr>
                <td colSpan={4} className={table.empty}>
                  No connection events in this period.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Truncated shown={connections.length} total={history.connections.length} />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  }),
  back: css({
    color: theme.colors.text.link,
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  title: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    flexWrap: 'wrap',
  }),
  h2: css({ margin: 0 }),
  h3: css({ margin: theme.spacing(0, 0, 1, 0) }),
  sectionHeader: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
    h3: { margin: 0 },
  }),
  cards: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))',
    gap: theme.spacing(1.5),
  }),
  card: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1.5, 2),
  }),
  cardTitle: css({
    margin: theme.spacing(0, 0, 1, 0),
    fontSize: theme.typography.h5.fontSize,
  }),
  dl: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: 0,
    dt: { color: theme.colors.text.secondary },
    dd: { margin: 0, wordBreak: 'break-word' },
  }),
  tags: css({ display: 'inline-flex', flexWrap: 'wrap', gap: theme.spacing(0.5) }),
  tag: css({
    background: theme.colors.background.canvas,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.5),
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  historyGrid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(520px, 1fr))',
    gap: theme.spacing(2),
  }),
  errorCode: css({ color: theme.colors.error.text }),
});
