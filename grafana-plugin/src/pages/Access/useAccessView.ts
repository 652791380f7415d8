import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type AccessView, accessViewParams, parseAccessView } from './accessView';

/** The Access page's view, kept in the query string (replacing the history entry, as the other pages do). */
export function useAccessView() {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseAccessView(params), [params]);
  const update = useCallback(
    (change: Partial<AccessView>) =>
      setParams((prev) => accessViewParams({ ...parseAccessView(prev), ...change }, prev), { replace: true }),
    [setParams]
  );
  return { view, update };
}
