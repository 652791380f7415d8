import React from 'react';
import { useStyles2 } from '@grafana/ui';
import type { StationDetail } from '../../api/types';
import { OnlineBadge, StatusBadge } from '../../components/common/StatusBadge';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { formatAgo, formatDuration, formatTime, secondsSince } from '../../utils/format';
import { getStyles } from './styles';

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

/** Who the station is, how it is connected, its metadata and its connectors now. */
export function StationOverview({ station }: { station: StationDetail }) {
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
