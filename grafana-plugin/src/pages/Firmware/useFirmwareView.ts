import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { type FirmwareView, firmwareViewParams, parseFirmwareView } from './firmwareView';

/** The Firmware page's view, kept in the query string (replacing the history entry, as the Fleet page does). */
export function useFirmwareView() {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseFirmwareView(params), [params]);
  const update = useCallback(
    (change: Partial<FirmwareView>) =>
      setParams((prev) => firmwareViewParams({ ...parseFirmwareView(prev), ...change }, prev), { replace: true }),
    [setParams]
  );
  return { view, update };
}
