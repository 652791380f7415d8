import React from 'react';
import { Alert, Badge, type BadgeColor, LoadingPlaceholder, useStyles2 } from '@grafana/ui';
import type { CommandPage, CommandView } from '../../api/types';
import type { PollingState } from '../../data/usePolling';
import { getTableStyles } from '../../components/common/tableStyles';
import { testIds } from '../../components/testIds';
import { formatTime } from '../../utils/format';
import { commandState, commandSummary, type Tone } from './commandRequests';
import { getStyles } from './styles';

const BADGE: Record<Tone, BadgeColor> = { success: 'green', error: 'red', warning: 'orange', info: 'blue' };

function submittedBy(c: CommandView): string {
  const who = c.actor?.name ?? c.actor?.kind ?? '–';
  return c.actor?.role ? `${who} (${c.actor.role})` : who;
}

interface Props {
  history: PollingState<CommandPage> & { missing: boolean };
}

/** The station's commands, newest first: what, by whom, how it ended, when. */
export function CommandHistory({ history }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const items = history.data?.items ?? [];
  return (
    <section data-testid={testIds.station.commandHistory}>
      <h3 className={styles.h3}>Command history{history.data ? ` (${history.data.total})` : ''}</h3>
      {history.error && history.missing && (
        <Alert severity="info" title="No command history from the collector">
          This collector does not serve station commands ({history.error.message}).
        </Alert>
      )}
      {history.error && !history.missing && (
        <Alert severity="error" title="Could not load the command history">
          {history.error.message}
        </Alert>
      )}
      {!history.data && history.loading && <LoadingPlaceholder text="Loading commands…" />}
      {history.data && (
        <table className={table.table}>
          <thead>
            <tr>
              <th>Command</th>
              <th>Submitted by</th>
              <th>Status / result</th>
              <th>Submitted</th>
              <th>Finished</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => {
              const state = commandState(c);
              return (
                <tr key={c.id} data-testid={testIds.station.commandRow(c.id)} data-status={c.status}>
                  <td>
                    <strong>{c.name}</strong> <span className={table.muted}>{commandSummary(c)}</span>
                  </td>
                  <td>{submittedBy(c)}</td>
                  <td>
                    <Badge color={BADGE[state.tone]} text={state.label} />{' '}
                    {c.result?.reason && <span className={table.muted}>{c.result.reason}</span>}
                  </td>
                  <td>{formatTime(c.submittedAt)}</td>
                  <td>{c.finishedAt ? formatTime(c.finishedAt) : '–'}</td>
                </tr>
              );
            })}
            {items.length === 0 && (
              <tr>
                <td colSpan={5} className={table.empty}>
                  No commands sent to this station yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
