import React from 'react';
import { Link, useNavigate } from 'react-router-dom';
import type { SelectableValue } from '@grafana/data';
import { Alert, Button, LoadingPlaceholder, RadioButtonGroup, useStyles2 } from '@grafana/ui';
import type { CampaignStatus, FirmwareRelease } from '../../api/firmwareTypes';
import { useCampaignDraft, type useCampaignList } from '../../data/useFirmwareCampaigns';
import { formatTime } from '../../utils/format';
import { campaignUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { CampaignForm } from './CampaignForm';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CAMPAIGN_STATUSES } from './firmwareView';
import { getStyles } from './styles';

interface Props {
  list: ReturnType<typeof useCampaignList>;
  releases: FirmwareRelease[];
  status?: CampaignStatus;
  onStatus: (status: CampaignStatus | undefined) => void;
  canEdit: boolean;
  creating: boolean;
  initialReleaseId?: string;
  onCreating: (open: boolean) => void;
}

const STATUS_OPTIONS: Array<SelectableValue<string>> = [
  { label: 'All', value: '' },
  ...CAMPAIGN_STATUSES.map((s) => ({ label: s[0].toUpperCase() + s.slice(1), value: s })),
];

/** Campaigns, newest first, with their progress; Editors open the create form from here. */
export function Campaigns({
  list,
  releases,
  status,
  onStatus,
  canEdit,
  creating,
  initialReleaseId,
  onCreating,
}: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const navigate = useNavigate();
  const draft = useCampaignDraft((id) => navigate(campaignUrl(id)));
  const releaseName = (id: string) => {
    const r = releases.find((x) => x.id === id);
    return r ? `${r.vendor} ${r.model} ${r.version}` : `release ${id}`;
  };

  return (
    <div className={styles.stack} data-testid={testIds.firmware.campaigns}>
      {canEdit && creating && (
        <CampaignForm
          releases={releases}
          draft={draft}
          initialReleaseId={initialReleaseId}
          onClose={() => onCreating(false)}
        />
      )}
      <div className={styles.sectionHeader}>
        <RadioButtonGroup
          size="sm"
          options={STATUS_OPTIONS}
          value={status ?? ''}
          onChange={(v) => onStatus((v || undefined) as CampaignStatus | undefined)}
        />
        {canEdit && !creating && (
          <Button icon="plus" onClick={() => onCreating(true)} data-testid={testIds.firmware.newCampaign}>
            New campaign
          </Button>
        )}
      </div>
      {list.error && (
        <Alert severity="error" title="Could not load campaigns">
          {list.error.message}
        </Alert>
      )}
      {!list.data && !list.error && <LoadingPlaceholder text="Loading campaigns…" />}
      {list.data && (
        <table className={table.table} data-testid={testIds.firmware.campaignList}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Progress</th>
              <th>Release</th>
              <th>Started</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.id} data-testid={testIds.firmware.campaignRow(c.id)}>
                <td>
                  <Link className={styles.link} to={campaignUrl(c.id)}>
                    {c.name}
                  </Link>
                </td>
                <td>
                  <CampaignStatusBadge status={c.status} />
                </td>
                <td data-cell="progress">
                  {c.status === 'completed'
                    ? `${c.waveCount} of ${c.waveCount} waves`
                    : `wave ${Math.min(c.currentWave + 1, c.waveCount)} of ${c.waveCount}`}
                </td>
                <td>{releaseName(c.releaseId)}</td>
                <td>{formatTime(c.createdAt)}</td>
                <td>{c.createdBy}</td>
              </tr>
            ))}
            {list.data.items.length === 0 && (
              <tr>
                <td colSpan={6} className={table.empty}>
                  No campaign{status ? ` is ${status}` : ' yet'}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
