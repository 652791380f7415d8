import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { StationHistory } from '../../api/types';
import { StatusBadge } from '../../components/common/StatusBadge';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { formatDuration, formatEnergy, formatTime } from '../../utils/format';
import { getStyles } from './styles';

/** Rows shown per history table; the collector returns newest first. */
const HISTORY_ROWS = 50;

function Truncated({ shown, total }: { shown: number; total: number }) {
  const table = useStyles2(getTableStyles);
  return shown < total ? (
    <div className={table.muted}>
      Showing the latest {shown} of {total}.
    </div>
  ) : null;
}

/** Status changes, errors, sessions and connection events of the chosen period. */
export function HistoryTables({ history, now }: { history: StationHistory; now: number }) {
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
