import React from 'react';
import { Link } from 'react-router-dom';
import { Badge, type BadgeColor, useStyles2 } from '@grafana/ui';
import type { CampaignReportRow, CampaignStationState } from '../../api/firmwareTypes';
import { formatDuration, formatTime } from '../../utils/format';
import { stationUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { waveName } from './CampaignPreview';
import { DEFER_LABELS } from './CampaignWaves';
import { getStyles } from './styles';

const STATE_COLORS: Record<CampaignStationState, BadgeColor> = {
  pending: 'darkgrey',
  updating: 'blue',
  verified: 'green',
  failed: 'red',
  cancelled: 'darkgrey',
};

const deferLabel = (reason?: string) => (reason ? (DEFER_LABELS[reason.split(':')[0]] ?? reason) : '');

/** Every station of the campaign as the collector reports it now: wave, state, versions, timing. */
export function CampaignStations({ rows }: { rows: CampaignReportRow[] }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  return (
    <table className={table.table} data-testid={testIds.firmware.campaignStations}>
      <thead>
        <tr>
          <th>Station</th>
          <th>Wave</th>
          <th>Site</th>
          <th>State</th>
          <th>Why</th>
          <th>From</th>
          <th>Reported</th>
          <th>Sent</th>
          <th className={table.numeric}>Took</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.stationId} data-testid={testIds.firmware.campaignStation(r.stationId)} data-state={r.state}>
            <td>
              <Link className={styles.link} to={stationUrl(r.stationId)}>
                {r.stationId}
              </Link>
            </td>
            <td>{waveName(r.wave)}</td>
            <td>{r.site ?? '–'}</td>
            <td>
              <Badge color={STATE_COLORS[r.state] ?? 'darkgrey'} text={r.state} />
            </td>
            <td className={table.muted}>{r.failureReason ?? deferLabel(r.deferredReason)}</td>
            <td>{r.fromVersion ?? '–'}</td>
            <td>{r.reportedVersion ?? '–'}</td>
            <td>{formatTime(r.dispatchedAt)}</td>
            <td className={table.numeric}>{r.durationSec === undefined ? '–' : formatDuration(r.durationSec)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={9} className={table.empty}>
              No station in this campaign.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
