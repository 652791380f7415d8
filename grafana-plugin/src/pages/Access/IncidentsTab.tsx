import React, { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { SelectableValue } from '@grafana/data';
import {
  Alert,
  Button,
  ConfirmModal,
  Field,
  Input,
  LoadingPlaceholder,
  Pagination,
  RadioButtonGroup,
  Select,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import { INCIDENT_STATUSES, MISUSE_RULES, MISUSE_SEVERITIES } from '@chargewatch/model/misuse';
import type { Incident } from '../../api/accessTypes';
import { useIncidentActions, useIncidentList } from '../../data/useAccessIncidents';
import { formatInt, formatTime } from '../../utils/format';
import { stationUrl } from '../../routing/routes';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { IncidentStatusBadge, ruleLabel, SeverityBadge } from './AccessBadges';
import type { AccessTabProps } from './AccessPage';
import { INCIDENT_PAGE_SIZE, SINCE, type Since, sinceFrom } from './accessView';
import { getStyles } from './styles';

const RULES: Array<SelectableValue<string>> = MISUSE_RULES.map((r) => ({ label: ruleLabel(r), value: r }));
const SEVERITIES: Array<SelectableValue<string>> = MISUSE_SEVERITIES.map((s) => ({ label: s, value: s }));
const STATUSES: Array<SelectableValue<string>> = INCIDENT_STATUSES.map((s) => ({ label: s, value: s }));
const SINCE_OPTIONS: Array<SelectableValue<Since | ''>> = [
  { label: 'All time', value: '' },
  ...SINCE.map((s) => ({ label: `Last ${s}`, value: s })),
];

/** What the detector did about it: a keypad lockout or a block of the token. */
function response(i: Incident): string {
  if (!i.response) {
    return '';
  }
  if (i.response.action === 'keycode_lockout') {
    return `PINs refused here until ${formatTime(i.response.until)}`;
  }
  if (i.response.action === 'block_token') {
    return `token block: ${i.response.result ?? 'pending'}`;
  }
  return i.response.action;
}

/** The misuse incident feed, most recently seen first; Editors acknowledge and resolve. */
export function IncidentsTab({ view, update, live, controls, canEdit }: AccessTabProps) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  // `from` moves with the clock only when the choice changes, so the poll's key stays put
  const from = useMemo(() => sinceFrom(view.since), [view.since]);
  const query = useMemo(
    () => ({
      rule: view.rule,
      severity: view.severity,
      status: view.istatus,
      station: view.station,
      from,
      limit: INCIDENT_PAGE_SIZE,
      offset: view.ipage * INCIDENT_PAGE_SIZE,
    }),
    [view.rule, view.severity, view.istatus, view.station, from, view.ipage]
  );
  const list = useIncidentList(query, live);
  const actions = useIncidentActions(list.refresh);
  const [resolving, setResolving] = useState<Incident>();
  const [resolution, setResolution] = useState('');
  const [station, setStation] = useState(view.station ?? '');
  const failed = actions.acknowledge.error ? actions.acknowledge : actions.resolve.error ? actions.resolve : undefined;
  const pages = list.data ? Math.ceil(list.data.total / INCIDENT_PAGE_SIZE) : 0;
  const select = (key: 'rule' | 'severity' | 'istatus', label: string, options: Array<SelectableValue<string>>) => (
    <Field label={label} className={styles.field}>
      <Select
        inputId={`cw-incident-filter-${key}`}
        aria-label={`Filter by ${label.toLowerCase()}`}
        width={22}
        isClearable
        placeholder="All"
        options={options}
        value={view[key] ?? null}
        onChange={(v) => update({ [key]: v?.value ?? undefined, ipage: 0 })}
      />
    </Field>
  );

  return (
    <div className={styles.stack} data-testid={testIds.access.incidents}>
      {controls(list.refresh, list.lastUpdated)}
      <div className={styles.filters}>
        {select('rule', 'Rule', RULES)}
        {select('severity', 'Severity', SEVERITIES)}
        {select('istatus', 'Status', STATUSES)}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            update({ station: station.trim() || undefined, ipage: 0 });
          }}
        >
          <Field label="Station" className={styles.field}>
            <Input
              aria-label="Filter by station"
              width={20}
              value={station}
              onChange={(e) => setStation(e.currentTarget.value)}
              onBlur={() => update({ station: station.trim() || undefined, ipage: 0 })}
            />
          </Field>
        </form>
        <Field label="Last seen" className={styles.field}>
          <RadioButtonGroup
            options={SINCE_OPTIONS}
            value={view.since ?? ''}
            onChange={(s) => update({ since: (s || undefined) as Since | undefined, ipage: 0 })}
          />
        </Field>
      </div>
      {failed?.error && (
        <Alert severity="error" title="The collector refused the change" onRemove={failed.reset}>
          {failed.error.message}
        </Alert>
      )}
      {list.error && (
        <Alert severity="error" title="Could not load the incidents">
          {list.error.message}
        </Alert>
      )}
      {!list.data && !list.error && <LoadingPlaceholder text="Loading incidents…" />}
      {list.data && (
        <>
          <div className={styles.muted} data-testid={testIds.access.incidentTotal} data-total={list.data.total}>
            {formatInt(list.data.total)} {list.data.total === 1 ? 'incident' : 'incidents'}
          </div>
          <table className={table.table}>
            <thead>
              <tr>
                <th>Severity</th>
                <th>Rule</th>
                <th>What</th>
                <th>Station</th>
                <th>Token</th>
                <th className={table.numeric}>Findings</th>
                <th>Last seen</th>
                <th>Status</th>
                <th>Response</th>
                {canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((i) => (
                <tr key={i.id} data-testid={testIds.access.incidentRow(i.id)} data-status={i.status}>
                  <td>
                    <SeverityBadge severity={i.severity} />
                  </td>
                  <td>{ruleLabel(i.rule)}</td>
                  <td>{i.summary}</td>
                  <td>
                    {i.stationId ? (
                      <Link className={styles.link} to={stationUrl(i.stationId)}>
                        {i.stationId}
                      </Link>
                    ) : (
                      (i.site ?? '')
                    )}
                  </td>
                  <td className={styles.mono}>
                    {i.token ? `${i.token.masked}${i.token.type ? ` (${i.token.type})` : ''}` : ''}
                  </td>
                  <td className={table.numeric} data-cell="count">
                    {formatInt(i.count)}
                  </td>
                  <td title={`first seen ${formatTime(i.firstSeen)}`}>{formatTime(i.lastSeen)}</td>
                  <td title={i.resolution ?? (i.acknowledgedBy ? `acknowledged by ${i.acknowledgedBy}` : undefined)}>
                    <IncidentStatusBadge status={i.status} />
                    {i.status !== 'open' && (
                      <div className={styles.muted}>
                        {i.status === 'resolved' ? `by ${i.resolvedBy ?? '?'}` : `by ${i.acknowledgedBy ?? '?'}`}
                      </div>
                    )}
                  </td>
                  <td>{response(i)}</td>
                  {canEdit && (
                    <td>
                      {i.status === 'open' && (
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={actions.acknowledge.busy}
                          onClick={() => actions.acknowledge.run(i.id)}
                          data-testid={testIds.access.incidentAction('acknowledge', i.id)}
                        >
                          Acknowledge
                        </Button>
                      )}{' '}
                      {i.status !== 'resolved' && (
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => setResolving(i)}
                          data-testid={testIds.access.incidentAction('resolve', i.id)}
                        >
                          Resolve
                        </Button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
              {list.data.items.length === 0 && (
                <tr>
                  <td colSpan={canEdit ? 10 : 9} className={table.empty}>
                    No incidents match.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          {pages > 1 && (
            <div className={styles.pager}>
              <Pagination
                currentPage={view.ipage + 1}
                numberOfPages={pages}
                onNavigate={(p) => update({ ipage: p - 1 })}
              />
            </div>
          )}
        </>
      )}
      {resolving && (
        <ConfirmModal
          isOpen
          title={`Resolve: ${resolving.summary}`}
          body={
            <div>
              <p>Later findings of the same kind open a new incident.</p>
              <Field label="Resolution (optional)">
                <TextArea
                  aria-label="Resolution"
                  rows={2}
                  maxLength={1000}
                  value={resolution}
                  onChange={(e) => setResolution(e.currentTarget.value)}
                />
              </Field>
            </div>
          }
          confirmText="Resolve incident"
          onConfirm={() => {
            actions.resolve.run(resolving.id, resolution.trim() || undefined);
            setResolving(undefined);
            setResolution('');
          }}
          onDismiss={() => setResolving(undefined)}
        />
      )}
    </div>
  );
}
