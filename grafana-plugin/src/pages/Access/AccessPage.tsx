import React, { useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Tab, TabContent, TabsBar, useStyles2 } from '@grafana/ui';
import { REFRESH_INTERVAL_MS } from '../../constants';
import type { LiveOptions } from '../../data/useFleetData';
import { canManageAccess } from '../../utils/role';
import { RefreshControls } from '../../components/common/RefreshControls';
import { testIds } from '../../components/testIds';
import { AccountsTab } from './AccountsTab';
import type { AccessTab, AccessView } from './accessView';
import { IncidentsTab } from './IncidentsTab';
import { LocalListsTab } from './LocalListsTab';
import { getStyles } from './styles';
import { TokensTab } from './TokensTab';
import { useAccessView } from './useAccessView';

interface Props {
  refreshIntervalMs?: number;
}

export interface AccessTabProps {
  view: AccessView;
  update: (change: Partial<AccessView>) => void;
  live: LiveOptions;
  controls: (refresh: () => void, lastUpdated?: Date) => React.ReactNode;
  canEdit: boolean;
}

const TAB_LABELS: Record<AccessTab, string> = {
  tokens: 'Tokens',
  accounts: 'Accounts & groups',
  'local-lists': 'Local lists',
  incidents: 'Incidents',
};

const TABS: Record<AccessTab, React.ComponentType<AccessTabProps>> = {
  tokens: TokensTab,
  accounts: AccountsTab,
  'local-lists': LocalListsTab,
  incidents: IncidentsTab,
};

/**
 * Access control: the token registry (search, filters, a token's detail; Editors create, change, block,
 * delete and import), accounts and groups, every station's local list (Editors resync) and the misuse
 * incident feed. The tab and each tab's state
 * live in the query string; only the open tab polls.
 */
export function AccessPage({ refreshIntervalMs = REFRESH_INTERVAL_MS }: Props) {
  const styles = useStyles2(getStyles);
  const { view, update } = useAccessView();
  const [paused, setPaused] = useState(false);
  const live = { intervalMs: refreshIntervalMs, paused };
  const canEdit = canManageAccess();
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
      <div className={styles.page} data-testid={testIds.access.page}>
        <TabsBar>
          {(Object.keys(TAB_LABELS) as AccessTab[]).map((tab) => (
            <Tab
              key={tab}
              label={TAB_LABELS[tab]}
              active={view.tab === tab}
              onChangeTab={() => update({ tab, form: undefined, import: false, accountForm: undefined })}
              data-testid={testIds.access.tab(tab)}
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

export default AccessPage;
