import { useCallback, useEffect, useRef, useState } from 'react';

export interface ActionState<T> {
  busy: boolean;
  /** the last answer, until the next run starts */
  result?: T;
  error?: Error;
}

/**
 * One write at a time (add a release, set a target, preview, create or steer a campaign): `run` sends
 * it, keeps what came back or the error (the collector's message, e.g. its 409 for a transition the
 * campaign's state does not allow), and calls `onDone` after a success so the page re-reads.
 * Answers of a run superseded by a later one are dropped.
 */
export function useFirmwareAction<A extends unknown[], T>(
  send: (...args: A) => Promise<T>,
  onDone?: (result: T) => void
) {
  const [state, setState] = useState<ActionState<T>>({ busy: false });
  const seq = useRef(0);
  const sendRef = useRef(send);
  const doneRef = useRef(onDone);
  // the latest callbacks without a new `run`; declared before anything that could call it
  useEffect(() => {
    sendRef.current = send;
    doneRef.current = onDone;
  });

  const run = useCallback((...args: A): Promise<T | undefined> => {
    const id = ++seq.current;
    setState({ busy: true });
    return sendRef.current(...args).then(
      (result) => {
        if (id === seq.current) {
          setState({ busy: false, result });
          doneRef.current?.(result);
        }
        return result;
      },
      (error: Error) => {
        if (id === seq.current) {
          setState({ busy: false, error });
        }
        return undefined;
      }
    );
  }, []);

  const reset = useCallback(() => {
    seq.current++;
    setState({ busy: false });
  }, []);

  return { ...state, run, reset };
}
