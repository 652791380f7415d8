import React, { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, ConfirmModal, Icon, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import { REFRESH_INTERVAL_MS } from '../../constants';
import { ApiError } from '../../api/client';
import type { CampaignAction, FirmwareCampaign } from '../../api/firmwareTypes';
import { useCampaign } from '../../data/useFirmwareCampaigns';
import { canManageFirmware } from '../../utils/role';
import { formatTime } from '../../utils/format';
import { firmwareUrl } from '../../routing/routes';
import { RefreshControls } from '../../components/common/RefreshControls';
import { testIds } from '../../components/testIds';
import { CampaignEvents } from './CampaignEvents';
import { CampaignStations } from './CampaignStations';
import { CampaignStatusBadge } from './CampaignStatusBadge';
import { CampaignWaves } from './CampaignWaves';
import { DEFAULT_VIEW, firmwareViewParams } from './firmwareView';
import { getStyles } from './styles';

interface Props {
  campaignId?: string;
  refreshIntervalMs?: number;
}

const PAUSE_REASONS: Record<string, string> = {
  gate_failed: 'a wave’s gate failed',
  no_return: 'a station did not come back after installing',
  operator: 'paused by an operator',
};

/** Which steering actions a campaign's status allows (the collector answers 409 to the others). */
export function allowedActions(c: FirmwareCampaign): CampaignAction[] {
  return c.status === 'running' ? ['pause', 'cancel'] : c.status === 'paused' ? ['resume', 'cancel'] : [];
}

const CONFIRM: Record<CampaignAction, { title: string; body: string; button: string }> = {
  pause: { title: 'Pause', body: 'Nothing more is sent; updates already sent go on.', button: 'Pause campaign' },
  resume: {
    title: 'Resume',
    body: 'Sending starts again. After an automatic pause, the current wave counts as passed.',
    button: 'Resume campaign',
  },
  cancel: {
    title: 'Cancel',
    body: 'Stations not yet sent their update are dropped; updates already sent go on. This cannot be undone.',
    button: 'Cancel campaign',
  },
};

/** One campaign: status and steering, waves with tallies and gates, every station live, the events. */
export function CampaignPage({ campaignId, refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const params = useParams<{ id: string }>();
  const id = campaignId ?? params.id ?? '';
  const styles = useStyles2(getStyles);
  const [paused, setPaused] = useState(false);
  const [asking, setAsking] = useState<CampaignAction>();
  const { detail, report, release, refresh, steer, lastUpdated } = useCampaign(id, {
    intervalMs: refreshIntervalMs,
    paused,
  });
  const canEdit = canManageFirmware();
  const campaign = detail.data?.campaign;
  const notFound = detail.error instanceof ApiError && detail.error.notFound;
  const back = firmwareUrl(firmwareViewParams({ ...DEFAULT_VIEW, tab: 'campaigns' }));

  return (
    <PluginPage pageNav={{ text: campaign ? `Campaign ${campaign.name}` : `Campaign ${id}` }}>
      <div className={styles.page} data-testid={testIds.firmware.campaignPage}>
        <div className={styles.header}>
          <Link to={back} className={styles.link}>
            <Icon name="arrow-left" /> Campaigns
          </Link>
          <RefreshControls
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={refresh}
            lastUpdated={lastUpdated}
            intervalMs={refreshIntervalMs}
          />
        </div>
        {notFound && <Alert severity="warning" title={`Campaign ${id} not found`} />}
        {detail.error && !notFound && (
          <Alert severity="error" title="Could not load the campaign">
            {detail.error.message}
          </Alert>
        )}
        {!detail.data && detail.loading && <LoadingPlaceholder text="Loading campaign…" />}
        {campaign && detail.data && (
          <>
            <div className={styles.sectionHeader}>
              <h2 style={{ margin: 0 }}>{campaign.name}</h2>
              <span data-testid={testIds.firmware.campaignStatus} data-status={campaign.status}>
                <CampaignStatusBadge status={campaign.status} />
              </span>
              <span className={styles.muted}>
                {release ? `${release.vendor} ${release.model} ${release.version}` : `release ${campaign.releaseId}`} ·
                started {formatTime(campaign.createdAt)} by {campaign.createdBy}
                {campaign.finishedAt ? ` · ended ${formatTime(campaign.finishedAt)}` : ''}
              </span>
            </div>
            {campaign.status === 'paused' && campaign.pauseReason && (
              <Alert
                severity="warning"
                title={`Paused: ${PAUSE_REASONS[campaign.pauseReason] ?? campaign.pauseReason}`}
              >
                {campaign.pauseDetail}
              </Alert>
            )}
            {canEdit && allowedActions(campaign).length > 0 && (
              <div className={styles.actions} data-testid={testIds.firmware.campaignActions}>
                {allowedActions(campaign).map((a) => (
                  <Button
                    key={a}
                    variant={a === 'cancel' ? 'destructive' : 'secondary'}
                    icon={a === 'pause' ? 'pause' : a === 'resume' ? 'play' : 'times'}
                    disabled={steer.busy}
                    onClick={() => setAsking(a)}
                    data-testid={testIds.firmware.campaignAction(a)}
                  >
                    {CONFIRM[a].title}…
                  </Button>
                ))}
              </div>
            )}
            {steer.error && (
              <Alert severity="error" title="The collector refused" onRemove={steer.reset}>
                {steer.error.message}
              </Alert>
            )}
            <section>
              <h3 className={styles.h3}>Waves</h3>
              <CampaignWaves campaign={campaign} waves={detail.data.waves} />
            </section>
            <section>
              <h3 className={styles.h3}>Stations</h3>
              {report.error && (
                <Alert severity="error" title="Could not load the per-station report">
                  {report.error.message}
                </Alert>
              )}
              {report.data && <CampaignStations rows={report.data.items} />}
            </section>
            <section>
              <h3 className={styles.h3}>Events</h3>
              <CampaignEvents events={detail.data.events} />
            </section>
          </>
        )}
        {asking && campaign && (
          <ConfirmModal
            isOpen
            title={`${CONFIRM[asking].title} campaign ${campaign.name}`}
            body={CONFIRM[asking].body}
            confirmText={CONFIRM[asking].button}
            confirmVariant={asking === 'cancel' ? 'destructive' : 'primary'}
            onConfirm={() => {
              steer.run(asking);
              setAsking(undefined);
            }}
            onDismiss={() => setAsking(undefined)}
          />
        )}
      </div>
    </PluginPage>
  );
}

export default CampaignPage;
