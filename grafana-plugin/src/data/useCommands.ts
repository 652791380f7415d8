import { useCallback, useEffect, useRef, useState } from 'react';
import { isFinalStatus } from '@chargewatch/model/commands';
import { ApiError, chargewatchApi } from '../api/client';
import type { CommandView, StationOperationRequest } from '../api/types';
import { usePolling } from './usePolling';
import type { LiveOptions } from './useFleetData';

/** How often a command the collector answered 202 for is read again until it ends. */
export const COMMAND_POLL_MS = 1000;
/** History rows the Station page shows. */
export const COMMAND_HISTORY_LIMIT = 20;

/** The station's command history, newest first, kept fresh with the page. */
export function useCommandHistory(stationId: string, live: LiveOptions) {
  const history = usePolling(() => chargewatchApi.stationCommands(stationId, COMMAND_HISTORY_LIMIT), stationId, {
    ...live,
    resetOnKeyChange: true,
  });
  // an older collector without the command API answers 404 (a route it does not have)
  const missing = history.error instanceof ApiError && history.error.notFound;
  return { ...history, missing };
}

export interface OperationRun {
  /** what was sent, for the result's heading */
  label: string;
  /** true from the click until the collector answered the submit */
  submitting: boolean;
  /** the command as last read: final, or still queued/sending while it is polled */
  command?: CommandView;
  /** the submit failed (e.g. 400 with the collector's message, 403 for a Viewer, 404 unknown station) */
  error?: Error;
  /** the last poll failed; polling goes on */
  pollError?: Error;
}

/**
 * Sends one operation at a time and follows it to its end: the collector answers 200 with the ended
 * command, or 202 while it is still queued or on the wire, and then the command is polled until final.
 * `onSettled` runs when the command ended or the submit failed (e.g. to refresh the history).
 */
export function useStationOperation(stationId: string, onSettled: () => void, pollMs = COMMAND_POLL_MS) {
  // the run belongs to the station it was sent to: another station's page starts without one
  const [state, setState] = useState<OperationRun & { stationId: string }>();
  const run = state?.stationId === stationId ? state : undefined;
  const settledRef = useRef(onSettled);
  useEffect(() => {
    settledRef.current = onSettled;
  });
  // answers to a submit superseded by another one (or made for another station) are dropped
  const seq = useRef(0);

  const pending = run?.command && !isFinalStatus(run.command.status) ? run.command : undefined;
  /** Updates the run of command `id` with a later read, never replacing an ended command. */
  const update = useCallback((id: string, change: Partial<OperationRun>) => {
    setState((r) => {
      if (!r?.command || r.command.id !== id || isFinalStatus(r.command.status)) {
        return r;
      }
      return { ...r, ...change };
    });
  }, []);
  const poll = usePolling<CommandView | undefined>(
    () => {
      if (!pending) {
        return Promise.resolve(undefined);
      }
      const id = pending.id;
      return chargewatchApi.command(id).then(
        (command) => {
          update(id, { command, pollError: undefined });
          if (isFinalStatus(command.status)) {
            settledRef.current();
          }
          return command;
        },
        (pollError: Error) => {
          update(id, { pollError });
          throw pollError;
        }
      );
    },
    pending?.id ?? '',
    { intervalMs: pollMs, paused: !pending }
  );
  void poll;

  const send = useCallback(
    (req: StationOperationRequest, label: string) => {
      const id = ++seq.current;
      setState({ stationId, label, submitting: true });
      const done = (change: Partial<OperationRun>) => {
        if (id === seq.current) {
          setState({ stationId, label, submitting: false, ...change });
          // the history shows it at once: ended, queued or refused
          settledRef.current();
        }
      };
      chargewatchApi.sendCommand(stationId, req).then(
        (command) => done({ command }),
        (error: Error) => done({ error })
      );
    },
    [stationId]
  );

  const busy = Boolean(run?.submitting || pending);
  return { run, send, busy, dismiss: () => setState(undefined) };
}
