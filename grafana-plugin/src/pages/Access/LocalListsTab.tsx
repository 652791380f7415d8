import React, { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { SelectableValue } from '@grafana/data';
import {
  Alert,
  Badge,
  type BadgeColor,
  Button,
  Checkbox,
  ConfirmModal,
  Field,
  Input,
  LoadingPlaceholder,
  Pagination,
  RadioButtonGroup,
  useStyles2,
} from '@grafana/ui';
import { LOCAL_LIST_STATES } from '@chargewatch/model/local-list-sync';
import type { LocalList, LocalListState } from '../../api/accessTypes';
import { useLocalListSync, useLocalLists, useStationLocalList } from '../../data/useLocalLists';
import { formatInt, formatTime } from '../../utils/format';
import { stationUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import type { AccessTabProps } from './AccessPage';
import { LOCAL_LIST_PAGE_SIZE } from './accessView';
import { getStyles } from './styles';

const STATE_COLOR: Record<LocalListState, BadgeColor> = {
  in_sync: 'green',
  pending: 'blue',
  failed: 'red',
  unsupported: 'darkgrey',
};
const label = (s: string) => s.replace(/_/g, ' ');
const STATES: Array<SelectableValue<LocalListState | ''>> = [
  { label: 'All', value: '' },
  ...LOCAL_LIST_STATES.map((s) => ({ label: label(s), value: s })),
];

const skippedText = (l: LocalList) =>
  Object.entries(l.skipped)
    .filter(([, n]) => n > 0)
    .map(([why, n]) => `${n} ${label(why)}`)
    .join(', ');

function Row({ l, canEdit, onResync }: { l: LocalList; canEdit: boolean; onResync: (l: LocalList) => void }) {
  const styles = useStyles2(getStyles);
  return (
    <tr data-testid={testIds.access.localListRow(l.stationId)} data-state={l.state}>
      <td>
        <Link className={styles.link} to={stationUrl(l.stationId)}>
          {l.stationId}
        </Link>
      </td>
      <td>{l.protocol ?? ''}</td>
      <td>
        <Badge color={STATE_COLOR[l.state] ?? 'darkgrey'} text={label(l.state)} />
        {l.needsFull && <div className={styles.muted}>next: Full</div>}
      </td>
      <td data-cell="version">{l.version ?? '–'}</td>
      <td data-cell="entries">{formatInt(l.entryCount)}</td>
      <td>{l.limits.maxEntries === undefined ? '' : formatInt(l.limits.maxEntries)}</td>
      <td>{skippedText(l)}</td>
      <td title={l.lastError}>
        {l.lastOutcome ? label(l.lastOutcome) : ''}
        {l.failures ? <div className={styles.muted}>{l.failures} failed in a row</div> : null}
      </td>
      <td>{l.lastSyncAt ? formatTime(l.lastSyncAt) : 'never'}</td>
      <td>{l.nextDueAt ? formatTime(l.nextDueAt) : ''}</td>
      {canEdit && (
        <td>
          <Button
            size="sm"
            variant="secondary"
            icon="sync"
            onClick={() => onResync(l)}
            data-testid={testIds.access.resync(l.stationId)}
          >
            Resync
          </Button>
        </td>
      )}
    </tr>
  );
}

/** Every station's local authorization list (state, version, entries, limits); Editors ask for a resync. */
export function LocalListsTab({ view, update, live, controls, canEdit }: AccessTabProps) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const query = useMemo(
    () => ({ state: view.lstate, limit: LOCAL_LIST_PAGE_SIZE, offset: view.lpage * LOCAL_LIST_PAGE_SIZE }),
    [view.lstate, view.lpage]
  );
  const list = useLocalLists(query, live);
  const one = useStationLocalList(view.lstation, live);
  const sync = useLocalListSync(() => {
    list.refresh();
    one.refresh();
  });
  const [asking, setAsking] = useState<LocalList>();
  const [full, setFull] = useState(false);
  const [station, setStation] = useState(view.lstation ?? '');
  const pages = list.data ? Math.ceil(list.data.total / LOCAL_LIST_PAGE_SIZE) : 0;
  const head = (
    <thead>
      <tr>
        <th>Station</th>
        <th>Protocol</th>
        <th>State</th>
        <th>Version</th>
        <th>Entries</th>
        <th>Max entries</th>
        <th>Left out</th>
        <th>Last outcome</th>
        <th>Last sync</th>
        <th>Next due</th>
        {canEdit && <th />}
      </tr>
    </thead>
  );
  const ask = (l: LocalList) => {
    setFull(l.needsFull);
    setAsking(l);
  };

  return (
    <div className={styles.stack} data-testid={testIds.access.localLists}>
      {controls(list.refresh, list.lastUpdated)}
      <div className={styles.filters}>
        <Field label="State" className={styles.field}>
          <RadioButtonGroup
            options={STATES}
            value={view.lstate ?? ''}
            onChange={(s) => update({ lstate: (s || undefined) as LocalListState | undefined, lpage: 0 })}
          />
        </Field>
        <form
          className={styles.filters}
          onSubmit={(e) => {
            e.preventDefault();
            update({ lstation: station.trim() || undefined });
          }}
        >
          <Field label="Station" className={styles.field}>
            <Input
              aria-label="Look up a station's local list"
              width={22}
              value={station}
              onChange={(e) => setStation(e.currentTarget.value)}
            />
          </Field>
          <Button type="submit" variant="secondary">
            Look up
          </Button>
        </form>
      </div>
      {sync.error && (
        <Alert severity="error" title="The collector refused the resync" onRemove={sync.reset}>
          {sync.error.message}
        </Alert>
      )}
      {sync.result && (
        <Alert severity="success" title={`Resync of ${sync.result.stationId} requested`} onRemove={sync.reset}>
          The worker sends the list; the state follows here.
        </Alert>
      )}
      {view.lstation && (
        <section data-testid={testIds.access.localListStation}>
          {one.error && (
            <Alert severity="error" title={`No local list for ${view.lstation}`}>
              {one.error.message}
            </Alert>
          )}
          {one.data && (
            <table className={table.table}>
              {head}
              <tbody>
                <Row l={one.data} canEdit={canEdit} onResync={ask} />
              </tbody>
            </table>
          )}
        </section>
      )}
      {list.error && (
        <Alert severity="error" title="Could not load the local lists">
          {list.error.message}
        </Alert>
      )}
      {!list.data && !list.error && <LoadingPlaceholder text="Loading local lists…" />}
      {list.data && (
        <>
          <div className={styles.muted} data-testid={testIds.access.localListTotal} data-total={list.data.total}>
            {formatInt(list.data.total)} {list.data.total === 1 ? 'station' : 'stations'}
          </div>
          <table className={table.table}>
            {head}
            <tbody>
              {list.data.items.map((l) => (
                <Row key={l.stationId} l={l} canEdit={canEdit} onResync={ask} />
              ))}
              {list.data.items.length === 0 && (
                <tr>
                  <td colSpan={canEdit ? 11 : 10} className={table.empty}>
                    {view.lstate ? 'No station in this state.' : 'No station has a local list yet.'}
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {pages > 1 && (
            <div className={styles.pager}>
              <Pagination
                currentPage={view.lpage + 1}
                numberOfPages={pages}
                onNavigate={(p) => update({ lpage: p - 1 })}
              />
            </div>
          )}
        </>
      )}
      {asking && (
        <ConfirmModal
          isOpen
          title={`Resync the local list of ${asking.stationId}`}
          body={
            <div>
              <p>The worker sends the station the changes since version {asking.version ?? '–'}, or the whole list.</p>
              <Checkbox
                label="Send the whole list (Full), also to a station marked unsupported"
                value={full}
                onChange={(e) => setFull(e.currentTarget.checked)}
              />
            </div>
          }
          confirmText="Resync now"
          onConfirm={() => {
            sync.run(asking.stationId, full);
            setAsking(undefined);
          }}
          onDismiss={() => setAsking(undefined)}
        />
      )}
    </div>
  );
}
