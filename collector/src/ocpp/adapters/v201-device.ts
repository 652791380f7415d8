/**
 * OCPP 2.0.1 device-model messages: NotifyEvent and NotifyReport, and the connector error a 2.0.1
 * station reports through them. 2.0.1 has no error code in StatusNotification; faults arrive as
 * `Problem` / `AvailabilityState` items (rules in model/src/problems.ts). Each such item is recorded as
 * it came (`device.event`) and followed by a `connector.status` carrying the connector's resulting
 * error, computed from the problems the shared state holds, so every store and metric follows it.
 */
import {
  currentProblem,
  problemChange,
  problemTargets,
  withProblem,
  type ConnectorSnapshot,
  type ConnectorStatusChanged,
  type DeviceEvent,
  type DeviceReport,
} from '@chargewatch/model';
import { eventBase, handler } from './common';
import type { HandleContext } from './types';
import { parseStationTime } from './units';
import type { ComponentV201, VariableV201 } from './v201-shared';

interface NotifyEventReq {
  generatedAt: string;
  seqNo: number;
  tbc?: boolean;
  eventData: Array<{
    eventId: number;
    timestamp: string;
    trigger: string;
    actualValue: string;
    techCode?: string;
    techInfo?: string;
    cleared?: boolean;
    component: ComponentV201;
    variable: VariableV201;
  }>;
}

interface NotifyReportReq {
  requestId: number;
  generatedAt: string;
  seqNo: number;
  tbc?: boolean;
  reportData?: Array<{
    component: ComponentV201;
    variable: VariableV201;
    variableAttribute: Array<{ type?: string; value?: string }>;
  }>;
}

/** Default attribute type of a reported variable. */
const DEFAULT_ATTRIBUTE = 'Actual';

const refKey = (c: { evseId: number; connectorId: number }) => `${c.evseId}/${c.connectorId}`;

/** A connector's status with the error its open problems give it (`NoError` when none). */
export function statusWithProblems(ctx: HandleContext, time: number, connector: ConnectorSnapshot): ConnectorStatusChanged {
  const problem = currentProblem(connector.problems);
  return {
    type: 'connector.status',
    ...eventBase(ctx, time),
    evseId: connector.evseId,
    connectorId: connector.connectorId,
    status: connector.status,
    errorCode: problem?.code ?? 'NoError',
    vendorErrorCode: problem?.vendorErrorCode,
    info: problem?.info,
  };
}

/** The stored state of one connector (Unknown when the state has none yet). */
export async function connectorSnapshot(ctx: HandleContext, evseId: number, connectorId: number): Promise<ConnectorSnapshot> {
  const found = (await ctx.decisions.connectors(ctx.stationId)).find((c) => c.evseId === evseId && c.connectorId === connectorId);
  return found ?? { evseId, connectorId, status: 'Unknown' };
}

function deviceEvent(ctx: HandleContext, item: NotifyEventReq['eventData'][number], i: number): DeviceEvent {
  return {
    type: 'device.event',
    ...eventBase(ctx, parseStationTime(item.timestamp, ctx.receivedAt, `eventData[${i}].timestamp`)),
    eventId: item.eventId,
    trigger: item.trigger,
    component: item.component.name,
    componentInstance: item.component.instance,
    evseId: item.component.evse?.id,
    connectorId: item.component.evse?.connectorId,
    variable: item.variable.name,
    actualValue: item.actualValue,
    techCode: item.techCode,
    techInfo: item.techInfo,
    cleared: item.cleared ?? false,
  };
}

/** The connector.status events that the problem items among `items` give, applied in order. */
async function problemStatuses(ctx: HandleContext, items: readonly DeviceEvent[]): Promise<ConnectorStatusChanged[]> {
  const changes = items.map((item) => ({ item, change: problemChange(item) }));
  if (!changes.some((c) => c.change)) return [];
  const state = new Map((await ctx.decisions.connectors(ctx.stationId)).map((c) => [refKey(c), c]));
  const out: ConnectorStatusChanged[] = [];
  for (const { item, change } of changes) {
    if (!change) continue;
    for (const ref of problemTargets(item, [...state.values()])) {
      const prev = state.get(refKey(ref)) ?? { ...ref, status: 'Unknown' as const };
      const next = { ...prev, problems: withProblem(prev.problems, change) };
      // A repeated report (or clearing what is not open) changes nothing and adds no status.
      if (JSON.stringify(next.problems) === JSON.stringify(prev.problems)) continue;
      state.set(refKey(ref), next);
      out.push(statusWithProblems(ctx, item.time, next));
    }
  }
  return out;
}

export const notifyEvent = handler<NotifyEventReq>(async (req, ctx) => {
  const items = req.eventData.map((item, i) => deviceEvent(ctx, item, i));
  // The items first: the station store keeps the problems from them, then takes the statuses as given.
  return { reply: {}, events: [...items, ...(await problemStatuses(ctx, items))] };
});

export const notifyReport = handler<NotifyReportReq>(async (req, ctx) => {
  const items: DeviceReport['items'] = (req.reportData ?? []).flatMap((data) =>
    data.variableAttribute.map((attribute) => ({
      component: data.component.name,
      variable: data.variable.name,
      attribute: attribute.type ?? DEFAULT_ATTRIBUTE,
      value: attribute.value,
    })),
  );
  return {
    reply: {},
    events: [
      {
        type: 'device.report',
        ...eventBase(ctx, parseStationTime(req.generatedAt, ctx.receivedAt, 'generatedAt')),
        requestId: req.requestId,
        seqNo: req.seqNo,
        tbc: req.tbc ?? false,
        items,
      },
    ],
  };
});
