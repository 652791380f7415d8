import { useCallback, useEffect, useRef, useState } from 'react';

export interface PollingState<T> {
  data?: T;
  error?: Error;
  /** true while the first request (or a request after the inputs changed) is in flight */
  loading: boolean;
  /** time of the last successful answer */
  lastUpdated?: Date;
  refresh: () => void;
}

export interface PollingOptions {
  /** refresh period; 0 or undefined: no auto-refresh */
  intervalMs?: number;
  paused?: boolean;
  /** drop the previous data when `key` changes (e.g. another station); default keeps it while loading */
  resetOnKeyChange?: boolean;
}

/**
 * Runs `load` now and whenever `key` changes, then every `intervalMs` unless paused.
 * Answers of superseded requests are dropped; the previous data stays visible while a refresh runs.
 */
export function usePolling<T>(load: () => Promise<T>, key: string, options: PollingOptions = {}): PollingState<T> {
  const { intervalMs, paused, resetOnKeyChange } = options;
  const [state, setState] = useState<Omit<PollingState<T>, 'refresh'>>({ loading: true });
  const seq = useRef(0);
  const loadRef = useRef(load);
  // keep the latest loader without restarting the timer; declared first so it runs before the effects below
  useEffect(() => {
    loadRef.current = load;
  });
  const keyRef = useRef(key);

  const run = useCallback(() => {
    const id = ++seq.current;
    const keyChanged = keyRef.current !== key;
    keyRef.current = key;
    if (keyChanged && resetOnKeyChange) {
      setState({ loading: true });
    } else if (keyChanged) {
      setState((s) => ({ ...s, loading: true }));
    }
    loadRef
      .current()
      .then((data) => {
        if (id === seq.current) {
          setState({ data, error: undefined, loading: false, lastUpdated: new Date() });
        }
      })
      .catch((error: Error) => {
        if (id === seq.current) {
          setState((s) => ({ ...s, error, loading: false }));
        }
      });
  }, [key, resetOnKeyChange]);

  useEffect(() => {
    run();
  }, [run]);

  useEffect(() => {
    if (!intervalMs || paused) {
      return;
    }
    const timer = setInterval(run, intervalMs);
    return () => clearInterval(timer);
  }, [run, intervalMs, paused]);

  useEffect(
    () => () => {
      // ignore answers that arrive after unmount
      seq.current++;
    },
    []
  );

  return { ...state, refresh: run };
}

/** One refresh for two polled resources (a page's "Refresh" button). */
export function useRefreshBoth(a: Pick<PollingState<unknown>, 'refresh'>, b: Pick<PollingState<unknown>, 'refresh'>) {
  const first = a.refresh;
  const second = b.refresh;
  return useCallback(() => {
    first();
    second();
  }, [first, second]);
}
