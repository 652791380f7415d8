import React, { useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Tab, TabContent, TabsBar, useStyles2 } from '@grafana/ui';
import { REFRESH_INTERVAL_MS } from '../../constants';
import { firmwareApi } from '../../api/firmware';
import type { LiveOptions } from '../../data/useFleetData';
import { useFirmwareOverview } from '../../data/useFirmwareOverview';
import { useFirmwareCatalogue } from '../../data/useFirmwareCatalogue';
import { useCampaignList } from '../../data/useFirmwareCampaigns';
import { usePolling } from '../../data/usePolling';
import { canManageFirmware } from '../../utils/role';
import { RefreshControls } from '../../components/common/RefreshControls';
import { testIds } from '../../components/testIds';
import { Campaigns } from './Campaigns';
import { Catalogue } from './Catalogue';
import { DRIFT_PAGE_SIZE, type FirmwareTab, type FirmwareView, splitModel } from './firmwareView';
import { Overview } from './Overview';
import { getStyles } from './styles';
import { useFirmwareView } from './useFirmwareView';

interface Props {
  refreshIntervalMs?: number;
}

const TAB_LABELS: Record<FirmwareTab, string> = {
  overview: 'Overview',
  catalogue: 'Catalogue',
  campaigns: 'Campaigns',
};

interface TabProps {
  view: FirmwareView;
  update: (change: Partial<FirmwareView>) => void;
  live: LiveOptions;
  controls: (refresh: () => void, lastUpdated?: Date) => React.ReactNode;
  canEdit: boolean;
}

function OverviewTab({ view, update, live, controls }: TabProps) {
  const drift = useMemo(
    () => ({ ...splitModel(view.driftModel), limit: DRIFT_PAGE_SIZE, offset: view.driftPage * DRIFT_PAGE_SIZE }),
    [view.driftModel, view.driftPage]
  );
  const data = useFirmwareOverview(drift, live);
  return (
    <>
      {controls(data.refresh, data.lastUpdated)}
      <Overview
        data={data}
        driftPage={view.driftPage}
        driftModel={view.driftModel}
        onDriftPage={(driftPage) => update({ driftPage })}
        onDriftModel={(driftModel) => update({ driftModel, driftPage: 0 })}
      />
    </>
  );
}

function CatalogueTab({ live, controls, canEdit }: TabProps) {
  const data = useFirmwareCatalogue(live);
  return (
    <>
      {controls(data.refresh, data.lastUpdated)}
      <Catalogue data={data} canEdit={canEdit} />
    </>
  );
}

function CampaignsTab({ view, update, live, controls, canEdit }: TabProps) {
  const query = useMemo(() => ({ status: view.status, limit: 100 }), [view.status]);
  const list = useCampaignList(query, live);
  const releases = usePolling(() => firmwareApi.releases({ limit: 200 }), 'releases', live);
  return (
    <>
      {controls(list.refresh, list.lastUpdated)}
      <Campaigns
        list={list}
        releases={releases.data?.items ?? []}
        status={view.status}
        onStatus={(status) => update({ status })}
        canEdit={canEdit}
        creating={view.create}
        initialReleaseId={view.releaseId}
        onCreating={(create) => update({ create, releaseId: undefined })}
      />
    </>
  );
}

const TABS: Record<FirmwareTab, React.ComponentType<TabProps>> = {
  overview: OverviewTab,
  catalogue: CatalogueTab,
  campaigns: CampaignsTab,
};

/**
 * Firmware: the overview (versions per model, on/off target, drift), the release catalogue and the
 * campaigns. The tab and each tab's state live in the query string; only the open tab polls.
 */
export function FirmwarePage({ refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const styles = useStyles2(getStyles);
  const { view, update } = useFirmwareView();
  const [paused, setPaused] = useState(false);
  const live = { intervalMs: refreshIntervalMs, paused };
  const canEdit = canManageFirmware();
  const Current = TABS[view.tab];
  const controls = (refresh: () => void, lastUpdated?: Date) => (
    <div className={styles.header}>
      <span />
      <RefreshControls
        paused={paused}
        onTogglePause={() => setPaused((p) => !p)}
        onRefresh={refresh}
        lastUpdated={lastUpdated}
        intervalMs={refreshIntervalMs}
      />
    </div>
  );

  return (
    <PluginPage>
      <div className={styles.page} data-testid={testIds.firmware.page}>
        <TabsBar>
          {(Object.keys(TAB_LABELS) as FirmwareTab[]).map((tab) => (
            <Tab
              key={tab}
              label={TAB_LABELS[tab]}
              active={view.tab === tab}
              onChangeTab={() => update({ tab, create: false })}
              data-testid={testIds.firmware.tab(tab)}
            />
          ))}
        </TabsBar>
        <TabContent>
          <div className={styles.page}>
            <Current view={view} update={update} live={live} controls={controls} canEdit={canEdit} />
          </div>
        </TabContent>
      </div>
    </PluginPage>
  );
}

export default FirmwarePage;
