/** OCPP 2.0.1 station→CSMS calls, translated into the version-independent event model. */
import type { ChargeEvent, ConnectorRef, DeviceEvent, DeviceReport, IdToken, IdTokenType, MeterSample } from '@chargewatch/model';
import {
  assertNotNegative,
  createAdapter,
  currentTime,
  eventBase,
  evseOnly,
  handler,
  isoOrUndefined,
  dataTransfer,
  heartbeat,
} from './common';
import { importRegisterWh, meterSamples, type RawMeterValue } from './meter';
import type { AuthorizationDecision, HandleContext, HandleResult, ProtocolAdapter } from './types';
import { parseStationTime } from './units';

// Request shapes, limited to the fields we read (the server has validated the rest against the schema).

interface IdTokenV201 {
  idToken: string;
  type: Exclude<IdTokenType, 'Unknown'>;
}

interface EvseV201 {
  id: number;
  connectorId?: number;
}

interface ComponentV201 {
  name: string;
  instance?: string;
  evse?: EvseV201;
}

interface VariableV201 {
  name: string;
  instance?: string;
}

interface BootNotificationReq {
  reason: string;
  chargingStation: {
    vendorName: string;
    model: string;
    serialNumber?: string;
    firmwareVersion?: string;
    modem?: { iccid?: string; imsi?: string };
  };
}

interface StatusNotificationReq {
  timestamp: string;
  connectorStatus: 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
  evseId: number;
  connectorId: number;
}

interface SampledValueV201 {
  value: number;
  context?: string;
  measurand?: string;
  phase?: string;
  location?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

interface MeterValueV201 {
  timestamp: string;
  sampledValue: SampledValueV201[];
}

interface MeterValuesReq {
  evseId: number;
  meterValue: MeterValueV201[];
}

interface TransactionEventReq {
  eventType: 'Started' | 'Updated' | 'Ended';
  timestamp: string;
  triggerReason: string;
  seqNo: number;
  offline?: boolean;
  reservationId?: number;
  transactionInfo: {
    transactionId: string;
    chargingState?: string;
    stoppedReason?: string;
  };
  evse?: EvseV201;
  idToken?: IdTokenV201;
  meterValue?: MeterValueV201[];
}

interface AuthorizeReq {
  idToken: IdTokenV201;
}

interface StatusReq {
  status: string;
  requestId?: number;
}

interface SecurityEventNotificationReq {
  type: string;
  timestamp: string;
  techInfo?: string;
}

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

interface IdTokenInfo {
  status: string;
  cacheExpiryDateTime?: string;
  groupIdToken?: IdTokenV201;
}

const AUTHORIZATION_STATUSES_201: ReadonlySet<string> = new Set([
  'Accepted',
  'Blocked',
  'ConcurrentTx',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
]);
const IDTOKEN_MAX_LENGTH = 36;
/** 2.0.1: stoppedReason "MAY only be omitted when Reason is Local". */
const DEFAULT_STOP_REASON = 'Local';
/** Default attribute type of a reported variable. */
const DEFAULT_ATTRIBUTE = 'Actual';

function idTokenOf(token: IdTokenV201): IdToken {
  return { id: token.idToken, type: token.type };
}

function idTokenInfo(decision: AuthorizationDecision): IdTokenInfo {
  const status = AUTHORIZATION_STATUSES_201.has(decision.status) ? decision.status : 'Invalid';
  // Group ids are ours, so they are tokens of type Central; one too long for the schema is optional and dropped.
  const groupIdToken =
    decision.groupId && decision.groupId.length <= IDTOKEN_MAX_LENGTH
      ? { idToken: decision.groupId, type: 'Central' as const }
      : undefined;
  return { status, cacheExpiryDateTime: isoOrUndefined(decision.expiryDate), groupIdToken };
}

async function authorizeToken(ctx: HandleContext, token: IdTokenV201): Promise<IdTokenInfo> {
  return idTokenInfo(await ctx.decisions.authorize(ctx.stationId, idTokenOf(token)));
}

function rawMeterValues(meterValues: readonly MeterValueV201[]): RawMeterValue[] {
  return meterValues.map((mv) => ({
    timestamp: mv.timestamp,
    sampledValue: mv.sampledValue.map((sv) => ({
      value: sv.value,
      measurand: sv.measurand,
      unit: sv.unitOfMeasure?.unit,
      multiplier: sv.unitOfMeasure?.multiplier,
      phase: sv.phase,
      location: sv.location,
      context: sv.context,
    })),
  }));
}

function componentRef(component: ComponentV201): Partial<ConnectorRef> {
  return { evseId: component.evse?.id, connectorId: component.evse?.connectorId };
}

/**
 * Only the first TransactionEvent must name the EVSE; later ones may omit it (or its connector), so the open
 * transaction fills the gap.
 */
async function transactionRef(req: TransactionEventReq, ctx: HandleContext): Promise<ConnectorRef> {
  const evse = req.evse;
  if (evse?.connectorId !== undefined) {
    assertNotNegative(evse.id, 'evse.id');
    return { evseId: evse.id, connectorId: evse.connectorId };
  }
  const open = await ctx.decisions.findTransaction(ctx.stationId, req.transactionInfo.transactionId);
  if (open && (evse === undefined || open.evseId === evse.id)) return { evseId: open.evseId, connectorId: open.connectorId };
  return evse ? evseOnly(evse.id) : { evseId: 0, connectorId: 0 };
}

const bootNotification = handler<BootNotificationReq>(async (req, ctx) => {
  const station = req.chargingStation;
  const boot = {
    vendor: station.vendorName,
    model: station.model,
    serialNumber: station.serialNumber,
    firmwareVersion: station.firmwareVersion,
  };
  const decision = await ctx.decisions.registration(ctx.stationId, boot);
  return {
    reply: { status: decision.status, currentTime: currentTime(ctx), interval: Math.round(decision.intervalSec) },
    events: [
      {
        type: 'station.booted',
        ...eventBase(ctx),
        ...boot,
        iccid: station.modem?.iccid,
        imsi: station.modem?.imsi,
        reason: req.reason,
        registration: decision.status,
      },
    ],
  };
});

const statusNotification = handler<StatusNotificationReq>(async (req, ctx) => {
  assertNotNegative(req.evseId, 'evseId');
  assertNotNegative(req.connectorId, 'connectorId');
  return {
    reply: {},
    events: [
      {
        type: 'connector.status',
        ...eventBase(ctx, parseStationTime(req.timestamp, ctx.receivedAt)),
        evseId: req.evseId,
        connectorId: req.connectorId,
        status: req.connectorStatus,
        // 2.0.1 reports faults through NotifyEvent, not here.
        errorCode: 'NoError',
      },
    ],
  };
});

const meterValues = handler<MeterValuesReq>(async (req, ctx) => ({
  reply: {},
  // The message names only the EVSE; its connector is not known from this message alone.
  events: meterSamples(ctx, evseOnly(req.evseId), rawMeterValues(req.meterValue)),
}));

function transactionEvent(
  req: TransactionEventReq,
  ctx: HandleContext,
  ref: ConnectorRef,
  samples: readonly MeterSample[],
): ChargeEvent {
  const common = {
    ...eventBase(ctx, parseStationTime(req.timestamp, ctx.receivedAt)),
    ...ref,
    transactionId: req.transactionInfo.transactionId,
    idToken: req.idToken && idTokenOf(req.idToken),
    offline: req.offline ?? false,
    seqNo: req.seqNo,
    triggerReason: req.triggerReason,
  };
  switch (req.eventType) {
    case 'Started':
      return {
        type: 'transaction.started',
        ...common,
        meterStartWh: importRegisterWh(samples, 'first'),
        reservationId: req.reservationId,
      };
    case 'Updated':
      return { type: 'transaction.updated', ...common, chargingState: req.transactionInfo.chargingState };
    case 'Ended':
      return {
        type: 'transaction.ended',
        ...common,
        meterStopWh: importRegisterWh(samples, 'last'),
        stoppedReason: req.transactionInfo.stoppedReason ?? DEFAULT_STOP_REASON,
      };
  }
}

const transactionEventHandler = handler<TransactionEventReq>(async (req, ctx) => {
  const ref = await transactionRef(req, ctx);
  const transactionId = req.transactionInfo.transactionId;
  const samples = meterSamples(ctx, ref, rawMeterValues(req.meterValue ?? []), transactionId);
  const event = transactionEvent(req, ctx, ref, samples);
  const reply = req.idToken ? { idTokenInfo: await authorizeToken(ctx, req.idToken) } : {};
  // Samples belong inside the transaction: after its start, before its end.
  const events = req.eventType === 'Ended' ? [...samples, event] : [event, ...samples];
  return { reply, events };
});

const authorize = handler<AuthorizeReq>(async (req, ctx) => {
  const info = await authorizeToken(ctx, req.idToken);
  return {
    reply: { idTokenInfo: info },
    events: [{ type: 'authorization.requested', ...eventBase(ctx), idToken: idTokenOf(req.idToken), result: info.status }],
  };
});

const firmwareStatusNotification = handler<StatusReq>(async (req, ctx) => ({
  reply: {},
  events: [{ type: 'firmware.status', ...eventBase(ctx), status: req.status, requestId: req.requestId }],
}));

const logStatusNotification = handler<StatusReq>(async (req, ctx) => ({
  reply: {},
  events: [{ type: 'log.status', ...eventBase(ctx), status: req.status, requestId: req.requestId }],
}));

const securityEventNotification = handler<SecurityEventNotificationReq>(async (req, ctx) => ({
  reply: {},
  events: [
    {
      type: 'security.event',
      ...eventBase(ctx, parseStationTime(req.timestamp, ctx.receivedAt)),
      eventType: req.type,
      techInfo: req.techInfo,
      source: 'station',
    },
  ],
}));

const notifyEvent = handler<NotifyEventReq>(async (req, ctx) => ({
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

const notifyReport = handler<NotifyReportReq>(async (req, ctx) => {
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


export const ocpp201Adapter: ProtocolAdapter = createAdapter('ocpp2.0.1', {
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
  MeterValues: meterValues,
  TransactionEvent: transactionEventHandler,
  Authorize: authorize,
  FirmwareStatusNotification: firmwareStatusNotification,
  LogStatusNotification: logStatusNotification,
  SecurityEventNotification: securityEventNotification,
  NotifyEvent: notifyEvent,
  NotifyReport: notifyReport,
  DataTransfer: dataTransfer,
});
