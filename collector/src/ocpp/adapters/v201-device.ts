/** OCPP 2.0.1 device-model messages: NotifyEvent and NotifyReport. */
import type { ConnectorRef, DeviceEvent, DeviceReport } from '@chargewatch/model';
import { eventBase, handler } from './common';
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

function componentRef(component: ComponentV201): Partial<ConnectorRef> {
  return { evseId: component.evse?.id, connectorId: component.evse?.connectorId };
}

export const notifyEvent = handler<NotifyEventReq>(async (req, ctx) => ({
  reply: {},
  events: req.eventData.map(
    (item, i): DeviceEvent => ({
      type: 'device.event',
      ...eventBase(ctx, parseStationTime(item.timestamp, ctx.receivedAt, `eventData[${i}].timestamp`)),
      eventId: item.eventId,
      trigger: item.trigger,
      component: item.component.name,
      ...componentRef(item.component),
      variable: item.variable.name,
      actualValue: item.actualValue,
      techCode: item.techCode,
      techInfo: item.techInfo,
      cleared: item.cleared ?? false,
    }),
  ),
}));

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
