import React from 'react';
import { Alert, Spinner } from '@grafana/ui';
import type { OperationRun } from '../../data/useCommands';
import { testIds } from '../../components/testIds';
import { formatTime } from '../../utils/format';
import { commandState } from './commandRequests';

const SEVERITY = { success: 'success', error: 'error', warning: 'warning', info: 'info' } as const;

/** The live result of the last operation: sending, queued/on the wire (polled), then how it ended. */
export function CommandResult({ run, onDismiss }: { run?: OperationRun; onDismiss: () => void }) {
  if (!run) {
    return null;
  }
  const testId = testIds.station.commandResult;
  if (run.submitting) {
    return (
      <Alert severity="info" title={`${run.label}: sending…`} data-testid={testId}>
        <Spinner inline /> Submitting the command to the collector.
      </Alert>
    );
  }
  if (run.error || !run.command) {
    return (
      <Alert severity="error" title={`${run.label}: not sent`} data-testid={testId} onRemove={onDismiss}>
        {run.error?.message ?? 'No answer from the collector'}
      </Alert>
    );
  }
  const c = run.command;
  const state = commandState(c);
  return (
    <Alert
      severity={SEVERITY[state.tone]}
      title={`${run.label}: ${state.label}`}
      data-testid={testId}
      data-status={c.status}
      onRemove={state.final ? onDismiss : undefined}
    >
      <div>
        {!state.final && <Spinner inline />} {state.detail}
        {c.action ? ` (OCPP ${c.action}${c.protocol ? `, ${c.protocol}` : ''})` : ''}.
      </div>
      <div>
        Submitted {formatTime(c.submittedAt)}
        {c.finishedAt ? `, finished ${formatTime(c.finishedAt)}` : ''} · command {c.id}
      </div>
      {run.pollError && <div>Could not read the command again: {run.pollError.message}</div>}
    </Alert>
  );
}
