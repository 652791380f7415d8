/**
 * How 2.0.1 NotifyEvent items become connector errors. OCPP 2.0.1 reports faults as device-model
 * variables, not as a StatusNotification error code: a component's `Problem` variable turns "true"
 * (and back to "false", or is reported `cleared`), or its `AvailabilityState` becomes "Faulted". Each such
 * source is kept open on its connector until it clears; the connector's error is the newest open one.
 *
 * Error codes are a fixed set (`Problem`, `Faulted`) so Prometheus labels stay bounded whatever component
 * names a station invents; the component and the station's techCode/techInfo travel as `info` and
 * `vendorErrorCode`. The station store and the 2.0.1 adapter both apply these rules, so the connector
 * state in Redis and the events derived from it agree.
 */
import type { ConnectorRef } from './events';

export const PROBLEM_ERROR_CODES = ['Problem', 'Faulted'] as const;
export type ProblemErrorCode = (typeof PROBLEM_ERROR_CODES)[number];

/** One open problem on a connector. */
export interface ConnectorProblem {
  code: ProblemErrorCode;
  /** When it was raised (event time, epoch ms). */
  since: number;
  vendorErrorCode?: string;
  info?: string;
}

/** The fields of a NotifyEvent item these rules read (a DeviceEvent has them all). */
export interface ProblemItem {
  component: string;
  componentInstance?: string;
  variable: string;
  actualValue: string;
  cleared: boolean;
  evseId?: number;
  connectorId?: number;
  techCode?: string;
  techInfo?: string;
  time: number;
}

export interface ProblemChange {
  /** Identifies the source on its connector: component (with instance) and variable. */
  key: string;
  /** The problem when it is (still) raised; undefined when this item clears it. */
  raised?: ConnectorProblem;
}

/** The change an item makes, or undefined for items that are not about problems. */
export function problemChange(item: ProblemItem): ProblemChange | undefined {
  let code: ProblemErrorCode;
  let active: boolean;
  if (item.variable === 'Problem') {
    code = 'Problem';
    active = item.actualValue.trim().toLowerCase() === 'true';
  } else if (item.variable === 'AvailabilityState') {
    code = 'Faulted';
    active = item.actualValue.trim() === 'Faulted';
  } else {
    return undefined;
  }
  const component = item.componentInstance ? `${item.component}/${item.componentInstance}` : item.component;
  const key = `${component}.${item.variable}`;
  if (item.cleared || !active) return { key };
  const info = item.techInfo ? `${component}: ${item.techInfo}` : component;
  return { key, raised: { code, since: item.time, vendorErrorCode: item.techCode, info } };
}

/**
 * The connectors an item is about: the one it names; for an item naming only its EVSE, every known
 * connector of that EVSE (its first when none is known yet); for a station-level item, connector 0/0.
 */
export function problemTargets(item: Pick<ProblemItem, 'evseId' | 'connectorId'>, known: readonly ConnectorRef[]): ConnectorRef[] {
  const evseId = item.evseId ?? 0;
  if (evseId <= 0) return [{ evseId: 0, connectorId: 0 }];
  if (item.connectorId !== undefined) return [{ evseId, connectorId: item.connectorId }];
  const onEvse = known.filter((c) => c.evseId === evseId && c.connectorId > 0).map((c) => ({ evseId, connectorId: c.connectorId }));
  return onEvse.length > 0 ? onEvse : [{ evseId, connectorId: 1 }];
}

/** Applies a change to a connector's open problems; returns a new map (undefined when none is left). */
export function withProblem(
  problems: Readonly<Record<string, ConnectorProblem>> | undefined,
  change: ProblemChange,
): Record<string, ConnectorProblem> | undefined {
  const next: Record<string, ConnectorProblem> = { ...(problems ?? {}) };
  if (change.raised) {
    // A repeated report of an open problem keeps the time it was first raised.
    const prev = next[change.key];
    next[change.key] = prev && prev.code === change.raised.code ? { ...change.raised, since: prev.since } : change.raised;
  } else {
    delete next[change.key];
  }
  return Object.keys(next).length > 0 ? next : undefined;
}

/** The problem a connector shows: the most recently raised open one. */
export function currentProblem(problems: Readonly<Record<string, ConnectorProblem>> | undefined): ConnectorProblem | undefined {
  let newest: ConnectorProblem | undefined;
  for (const p of Object.values(problems ?? {})) if (!newest || p.since >= newest.since) newest = p;
  return newest;
}
