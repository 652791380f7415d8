import { useCallback, useEffect, useRef, useState } from 'react';
import { isFinalStatus } from '@chargewatch/model/commands';
import { ApiError, chargewatchApi } from '../api/client';
import type { CommandParams, CommandView, StationOperation } from '../api/types';
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
  const [run, setRun] = useState<OperationRun>();
  const settledRef = useRef(onSettled);
  useEffect(() => {
    settledRef.current = onSettled;
  });
  // answers to a submit made for another station (or before unmount) are dropped
  const seq = useRef(0);
  useEffect(() => {
    seq.current++;
    setRun(undefined);
  }, [stationId]);
  useEffect(
    () => () => {
      seq.current++;
    },
    []
  );

  const pending = run?.command && !isFinalStatus(run.command.status) ? run.command : undefined;
  const poll = usePolling<CommandView | undefined>(
    () => (pending ? chargewatchApi.command(pending.id) : Promise.resolve(undefined)),
    pending?.id ?? '',
    { intervalMs: pollMs, paused: !pending }
  );

  useEffect(() => {
    if (!pending) {
      return;
    }
    const latest = poll.data;
    const fresh = latest && latest.id === pending.id && latest !== pending ? latest : undefined;
    if (fresh) {
      setRun((r) => (r && r.command?.id === fresh.id ? { ...r, command: fresh, pollError: undefined } : r));
      if (isFinalStatus(fresh.status)) {
        settledRef.current();
      }
    } else if (poll.error) {
      const pollError = poll.error;
      setRun((r) => (r && r.command?.id === pending.id ? { ...r, pollError } : r));
    }
  }, [poll.data, poll.error, pending]);

  const send = useCallback(
    <N extends StationOperation>(name: N, params: CommandParams[N], label: string) => {
      const id = ++seq.current;
      setRun({ label, submitting: true });
      chargewatchApi
        .sendCommand(stationId, name, params)
        .then((command) => {
          if (id !== seq.current) {
            return;
          }
          setRun({ label, submitting: false, command });
          // the history shows it at once, queued or ended
          settledRef.current();
        })
        .catch((error: Error) => {
          if (id === seq.current) {
            setRun({ label, submitting: false, error });
            settledRef.current();
          }
        });
    },
    [stationId]
  );

  const busy = Boolean(run?.submitting || pending);
  return { run, send, busy, dismiss: () => setRun(undefined) };
}
