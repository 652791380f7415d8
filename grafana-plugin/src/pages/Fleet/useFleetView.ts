import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type FleetFilterState, type FleetView, fleetViewParams, parseFleetView, type TableSort } from './fleetView';

/**
 * The Fleet page's view, kept in the query string. Changing filters, sort or page size goes back to
 * the first page. Updates replace the history entry: the address bar always shows the current view
 * without each keystroke of a search adding a Back step.
 */
export function useFleetView() {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseFleetView(params), [params]);

  const update = useCallback(
    (change: (current: FleetView) => FleetView) =>
      setParams((prev) => fleetViewParams(change(parseFleetView(prev)), prev), { replace: true }),
    [setParams]
  );

  const setFilters = useCallback((filters: FleetFilterState) => update((v) => ({ ...v, filters, page: 0 })), [update]);
  const setSort = useCallback((sort: TableSort) => update((v) => ({ ...v, sort, page: 0 })), [update]);
  const setPage = useCallback((page: number) => update((v) => ({ ...v, page })), [update]);
  const setPageSize = useCallback((pageSize: number) => update((v) => ({ ...v, pageSize, page: 0 })), [update]);

  return { view, search: params.toString(), setFilters, setSort, setPage, setPageSize };
}
