import React, { useState } from 'react';
import { Alert, Button, ConfirmModal, Drawer, Field, Input, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { AccessToken, Account, ChargingSession } from '../../api/accessTypes';
import { type TokenActions, useTokenDetail } from '../../data/useAccessTokens';
import type { PollingState } from '../../data/usePolling';
import { formatDuration, formatEnergy, formatTime } from '../../utils/format';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { IncidentStatusBadge, SeverityBadge, ruleLabel, TokenStatusBadge } from './AccessBadges';
import { getStyles } from './styles';
import { formatWindows, tokenPatchBody } from './tokenRules';
import { TokenForm } from './TokenForm';
import { accountName, tokenLabel } from './tokenText';

interface Props {
  id: string;
  editing: boolean;
  canEdit: boolean;
  accounts: Account[];
  actions: TokenActions;
  onEdit: (editing: boolean) => void;
  onClose: () => void;
  onShowAccount: (id: string) => void;
}

type Asking = 'block' | 'unblock' | 'delete';

function Fields({
  t,
  accounts,
  onShowAccount,
}: {
  t: AccessToken;
  accounts: Account[];
  onShowAccount: (id: string) => void;
}) {
  const styles = useStyles2(getStyles);
  const list = (l?: string[]) => (l?.length ? l.join(', ') : 'any');
  const rows: Array<[string, string, React.ReactNode]> = [
    ['id', 'Registry id', t.id],
    [
      'uid',
      t.type === 'KeyCode' ? 'PIN' : 'Token id',
      t.type === 'KeyCode' ? (t.hasPin ? 'set (write-only, never shown)' : 'not set') : tokenLabel(t),
    ],
    ['type', 'Type', t.type],
    ['ocpiType', 'OCPI type', t.ocpiType],
    ['status', 'Status', <TokenStatusBadge key="s" status={t.status} />],
    ['validUntil', 'Valid until', t.validUntil ? formatTime(t.validUntil) : 'no end'],
    [
      'account',
      'Account',
      t.accountId ? (
        <button key="a" type="button" className={styles.link} onClick={() => onShowAccount(t.accountId!)}>
          {accountName(accounts, t.accountId)}
        </button>
      ) : (
        'none'
      ),
    ],
    ['groupId', 'Group id', t.groupId ?? 'none'],
    ['maxConcurrentTx', 'Sessions at once', t.maxConcurrentTx === undefined ? 'no limit' : String(t.maxConcurrentTx)],
    ['allowedSites', 'Sites', list(t.allowedSites)],
    ['allowedStations', 'Stations', list(t.allowedStations)],
    ['allowedEvses', 'EVSEs', list(t.allowedEvses)],
    ['allowedHours', 'Hours', t.allowedHours?.length ? formatWindows(t.allowedHours) : 'any time'],
    ['note', 'Note', t.note ?? ''],
    ['created', 'Created', `${formatTime(t.createdAt)}${t.createdBy ? ` by ${t.createdBy}` : ''}`],
    ['updated', 'Updated', `${formatTime(t.updatedAt)}${t.updatedBy ? ` by ${t.updatedBy}` : ''}`],
  ];
  return (
    <dl className={styles.fields}>
      {rows.map(([key, label, value]) => (
        <React.Fragment key={key}>
          <dt>{label}</dt>
          <dd data-testid={testIds.access.detail(key)}>{value}</dd>
        </React.Fragment>
      ))}
    </dl>
  );
}

/** A section's data: a warning when it failed, a placeholder until it came. */
function Loaded<T>({
  state,
  what,
  children,
}: {
  state: PollingState<T | undefined>;
  what: string;
  children: (data: T) => React.ReactNode;
}) {
  if (state.error) {
    return (
      <Alert severity="warning" title={`Could not load ${what}`}>
        {state.error.message}
      </Alert>
    );
  }
  return state.data === undefined ? <LoadingPlaceholder text={`Loading ${what}…`} /> : <>{children(state.data)}</>;
}

/** Start to end (or to now while it charges); a dash while the start is unknown. */
function sessionDuration(s: ChargingSession, now = Date.now()): string {
  if (!s.startedAt) {
    return '–';
  }
  const end = s.endedAt ? Date.parse(s.endedAt) : now;
  return formatDuration(Math.max(0, Math.round((end - Date.parse(s.startedAt)) / 1000)));
}

/** One token: its fields, the incidents naming it and its newest sessions; Editors act on it. */
export function TokenDrawer({ id, editing, canEdit, accounts, actions, onEdit, onClose, onShowAccount }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const { token, incidents, sessions } = useTokenDetail(id);
  const [asking, setAsking] = useState<Asking>();
  const [reason, setReason] = useState('');
  const t = token.data;
  const failed = [actions.block, actions.unblock, actions.remove].find((a) => a.error);

  const confirm = async () => {
    const what = asking;
    setAsking(undefined);
    if (what === 'delete') {
      if (await actions.remove.run(id)) {
        onClose();
      }
      return;
    }
    const done =
      what === 'block' ? await actions.block.run(id, reason.trim() || undefined) : await actions.unblock.run(id);
    setReason('');
    if (done) {
      token.refresh();
    }
  };

  return (
    <Drawer
      title={t ? tokenLabel(t) : `Token ${id}`}
      subtitle={t ? `${t.type} · ${t.status}` : undefined}
      onClose={onClose}
      size="md"
    >
      <div className={styles.stack} data-testid={testIds.access.drawer}>
        {token.error && (
          <Alert severity="error" title="Could not load the token">
            {token.error.message}
          </Alert>
        )}
        {!t && !token.error && <LoadingPlaceholder text="Loading token…" />}
        {t && canEdit && !editing && (
          <div className={styles.toolbar}>
            <Button
              icon="pen"
              variant="secondary"
              onClick={() => onEdit(true)}
              data-testid={testIds.access.tokenAction('edit')}
            >
              Edit
            </Button>
            {t.status === 'Blocked' ? (
              <Button
                icon="unlock"
                variant="secondary"
                onClick={() => setAsking('unblock')}
                data-testid={testIds.access.tokenAction('unblock')}
              >
                Unblock
              </Button>
            ) : (
              <Button
                icon="lock"
                variant="destructive"
                onClick={() => setAsking('block')}
                data-testid={testIds.access.tokenAction('block')}
              >
                Block
              </Button>
            )}
            <Button
              icon="trash-alt"
              variant="secondary"
              fill="outline"
              onClick={() => setAsking('delete')}
              data-testid={testIds.access.tokenAction('delete')}
            >
              Delete
            </Button>
          </div>
        )}
        {failed?.error && (
          <Alert severity="error" title="The collector refused the change" onRemove={failed.reset}>
            {failed.error.message}
          </Alert>
        )}
        {t && editing && (
          <TokenForm
            token={t}
            accounts={accounts}
            send={(f) => {
              const patch = tokenPatchBody(f, t);
              return Object.keys(patch).length ? actions.update.run(t.id, patch) : Promise.resolve(t);
            }}
            state={actions.update}
            onClose={() => onEdit(false)}
            onSaved={() => {
              onEdit(false);
              token.refresh();
            }}
          />
        )}
        {t && !editing && <Fields t={t} accounts={accounts} onShowAccount={onShowAccount} />}
        {t && (
          <section data-testid={testIds.access.tokenIncidents}>
            <h3 className={styles.h3}>Incidents</h3>
            {t.type === 'KeyCode' ? (
              <p className={styles.muted}>
                Incidents keep nothing of a PIN: PIN guessing is an incident of the station. See the Incidents tab.
              </p>
            ) : (
              <Loaded state={incidents} what="incidents">
                {(page) => (
                  <table className={table.table}>
                    <tbody>
                      {page.items.map((i) => (
                        <tr key={i.id} data-testid={testIds.access.incidentRow(i.id)}>
                          <td>
                            <SeverityBadge severity={i.severity} />
                          </td>
                          <td>{ruleLabel(i.rule)}</td>
                          <td>{i.summary}</td>
                          <td>{formatTime(i.lastSeen)}</td>
                          <td>
                            <IncidentStatusBadge status={i.status} />
                          </td>
                        </tr>
                      ))}
                      {page.items.length === 0 && (
                        <tr>
                          <td colSpan={5} className={table.empty}>
                            No incident names this token.
                          </td>
                        </tr>
                      )}
                    </tbody>
                  </table>
                )}
              </Loaded>
            )}
          </section>
        )}
        {t && (
          <section data-testid={testIds.access.sessions}>
            <h3 className={styles.h3}>Sessions</h3>
            <Loaded state={sessions} what="sessions">
              {(page) => (
                <>
                  {page.total > page.items.length && (
                    <p className={styles.muted}>
                      The newest {page.items.length} of {page.total}.
                    </p>
                  )}
                  <table className={table.table}>
                    <thead>
                      <tr>
                        <th>Started</th>
                        <th>Station</th>
                        <th>Duration</th>
                        <th>Energy</th>
                        <th>Ended by</th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.items.map((s) => (
                        <tr key={s.id} data-testid={testIds.access.sessionRow(s.id)}>
                          <td>{formatTime(s.startedAt)}</td>
                          <td>
                            {s.stationId}
                            {s.evseId !== undefined && ` / ${s.evseId}`}
                          </td>
                          <td>{sessionDuration(s)}</td>
                          <td>{formatEnergy(s.energyWh)}</td>
                          <td>{s.active ? 'charging now' : (s.stoppedReason ?? '–')}</td>
                        </tr>
                      ))}
                      {page.items.length === 0 && (
                        <tr>
                          <td colSpan={5} className={table.empty}>
                            No session with this token yet.
                          </td>
                        </tr>
                      )}
                    </tbody>
                  </table>
                </>
              )}
            </Loaded>
          </section>
        )}
      </div>
      {t && asking && (
        <ConfirmModal
          isOpen
          title={
            asking === 'block'
              ? `Block ${tokenLabel(t)}`
              : asking === 'unblock'
                ? `Unblock ${tokenLabel(t)}`
                : `Delete ${tokenLabel(t)}`
          }
          body={
            asking === 'block' ? (
              <div>
                <p>
                  Every collector refuses this token within a second (status Blocked); sessions already running go on.
                </p>
                <Field label="Reason (optional, kept in the audit log)">
                  <Input
                    value={reason}
                    maxLength={500}
                    onChange={(e) => setReason(e.currentTarget.value)}
                    aria-label="Block reason"
                  />
                </Field>
              </div>
            ) : asking === 'unblock' ? (
              'The token is Accepted again wherever its other rules allow.'
            ) : (
              'The token leaves the registry: stations then see it as unknown (Invalid). Blocking keeps the record; deleting does not.'
            )
          }
          confirmText={asking === 'block' ? 'Block token' : asking === 'unblock' ? 'Unblock token' : 'Delete token'}
          onConfirm={confirm}
          onDismiss={() => setAsking(undefined)}
        />
      )}
    </Drawer>
  );
}
