/**
 * Keeps each connector's open 2.0.1 problems (model/src/problems.ts) in its state, from the NotifyEvent
 * items (`device.event`) of a call. The connector's error code itself comes with the `connector.status`
 * event the 2.0.1 adapter adds after such an item, computed by the same rules from this state.
 */
import { problemChange, problemTargets, withProblem, type DeviceEvent } from '@chargewatch/model';
import { connectorFrom, connectorKey, type ConnectorState } from './station-state';

/** true when the event changes some connector's problems (the store then reads the connectors first). */
export function isProblemItem(e: DeviceEvent): boolean {
  return problemChange(e) !== undefined;
}

export function applyProblemItem(connectors: Map<string, ConnectorState>, touched: Set<string>, e: DeviceEvent): void {
  const change = problemChange(e);
  if (!change) return;
  for (const ref of problemTargets(e, [...connectors.values()])) {
    const key = connectorKey(ref.evseId, ref.connectorId);
    const prev = connectors.get(key);
    connectors.set(key, { ...connectorFrom(prev, ref.evseId, ref.connectorId, e.time), problems: withProblem(prev?.problems, change) });
    touched.add(key);
  }
}
