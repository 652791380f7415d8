/** OCPP 1.6J station→CSMS calls, translated into the version-independent event model. */
import { endFacts, isResentStart, toStatus16, type AuthorizationRequest, type ChargeEvent, type ConnectorRef, type ConnectorStatus, type IdToken } from '@chargewatch/model';
import {
  assertNotNegative,
  createAdapter,
  currentTime,
  eventBase,
  firmwareStatusNotification,
  handler,
  isoOrUndefined,
  dataTransfer,
  heartbeat,
  logStatusNotification,
  rebootCloses,
  securityEventNotification,
  signCertificateRequest,
} from './common';
import { meterSamples, type RawMeterValue } from './meter';
import type { AuthorizationDecision, HandleContext, HandleResult, ProtocolAdapter } from './types';
import { assertNonNegativeRegister, parseStationTime, type RawSampledValue } from './units';

// Request shapes, limited to the fields we read (the server has validated the rest against the schema).

interface BootNotificationReq {
  chargePointVendor: string;
  chargePointModel: string;
  chargePointSerialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
}

interface StatusNotificationReq {
  connectorId: number;
  errorCode: string;
  /** 1.6 statuses are a subset of the model's; only 2.0.1 has Occupied. */
  status: Exclude<ConnectorStatus, 'Occupied' | 'Unknown'>;
  info?: string;
  timestamp?: string;
  vendorId?: string;
  vendorErrorCode?: string;
}

interface SampledValue16 extends RawSampledValue {
  value: string;
  format?: 'Raw' | 'SignedData';
}

interface MeterValue16 {
  timestamp: string;
  sampledValue: SampledValue16[];
}

interface MeterValuesReq {
  connectorId: number;
  transactionId?: number;
  meterValue: MeterValue16[];
}

interface StartTransactionReq {
  connectorId: number;
  idTag: string;
  meterStart: number;
  reservationId?: number;
  timestamp: string;
}

interface StopTransactionReq {
  transactionId: number;
  idTag?: string;
  meterStop: number;
  timestamp: string;
  reason?: string;
  transactionData?: MeterValue16[];
}

interface AuthorizeReq {
  idTag: string;
}

/** 1.6 Security Whitepaper. */
interface SignCertificateReq {
  csr: string;
}

interface IdTagInfo {
  status: string;
  expiryDate?: string;
  parentIdTag?: string;
}

/** 1.6 idTags carry no token type. */
const IDTAG_TYPE = 'Unknown';
const IDTAG_MAX_LENGTH = 20;
/** 1.6: "MAY only be omitted when the Reason is Local". */
const DEFAULT_STOP_REASON = 'Local';

function idTokenOf(idTag: string): IdToken {
  return { id: idTag, type: IDTAG_TYPE };
}

/** 1.6 has one connector per connectorId; the model places it as EVSE N, connector 1 (0 stays 0/0). */
export function connectorRef16(connectorId: number): ConnectorRef {
  assertNotNegative(connectorId, 'connectorId');
  return connectorId === 0 ? { evseId: 0, connectorId: 0 } : { evseId: connectorId, connectorId: 1 };
}

function idTagInfo(decision: AuthorizationDecision, start: boolean): IdTagInfo {
  // 2.0.1-only statuses have no 1.6 twin: a known token refused here (NotAtThisTime, …) is Blocked,
  // an unknown one Invalid (model STATUS_16_OF). ConcurrentTx belongs to StartTransaction answers only.
  const mapped = toStatus16(decision.status);
  const status = mapped === 'ConcurrentTx' && !start ? 'Blocked' : mapped;
  // A group id too long for parentIdTag would make the whole reply invalid; it is optional, so drop it.
  const parentIdTag = decision.groupId && decision.groupId.length <= IDTAG_MAX_LENGTH ? decision.groupId : undefined;
  return { status, expiryDate: isoOrUndefined(decision.expiryDate), parentIdTag };
}

async function authorizeIdTag(ctx: HandleContext, idTag: string, request?: AuthorizationRequest): Promise<IdTagInfo> {
  return idTagInfo(await ctx.decisions.authorize(ctx.stationId, idTokenOf(idTag), request), request?.purpose === 'start');
}

/** SignedData values are signed blobs, not numbers; the Raw reading travels alongside them. */
function rawMeterValues(meterValues: readonly MeterValue16[]): RawMeterValue[] {
  return meterValues
    .map((mv) => ({ timestamp: mv.timestamp, sampledValue: mv.sampledValue.filter((sv) => sv.format !== 'SignedData') }))
    .filter((mv) => mv.sampledValue.length > 0);
}

const bootNotification = handler<BootNotificationReq>(async (req, ctx) => {
  const boot = {
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber ?? req.chargeBoxSerialNumber,
    firmwareVersion: req.firmwareVersion,
  };
  const decision = await ctx.decisions.registration(ctx.stationId, boot);
  return {
    reply: { status: decision.status, currentTime: currentTime(ctx), interval: Math.round(decision.intervalSec) },
    events: [
      {
        type: 'station.booted',
        ...eventBase(ctx),
        ...boot,
        iccid: req.iccid,
        imsi: req.imsi,
        meterType: req.meterType,
        meterSerialNumber: req.meterSerialNumber,
        registration: decision.status,
      },
    ],
  };
});

const statusNotification = handler<StatusNotificationReq>(async (req, ctx) => {
  const time = req.timestamp === undefined ? ctx.receivedAt : parseStationTime(req.timestamp, ctx.receivedAt);
  const ref = connectorRef16(req.connectorId);
  // A connector free after a reboot has no transaction any more, whatever the state still holds.
  const closes = req.status === 'Available' && req.connectorId > 0 ? await rebootCloses(ctx, ref) : [];
  return {
    reply: {},
    events: [
      ...closes,
      {
        type: 'connector.status',
        ...eventBase(ctx, time),
        ...ref,
        status: req.status,
        errorCode: req.errorCode,
        vendorErrorCode: req.vendorErrorCode,
        vendorId: req.vendorId,
        info: req.info,
      },
    ],
  };
});

const meterValues = handler<MeterValuesReq>(async (req, ctx) => {
  const transactionId = req.transactionId === undefined ? undefined : String(req.transactionId);
  return {
    reply: {},
    events: meterSamples(ctx, connectorRef16(req.connectorId), rawMeterValues(req.meterValue), transactionId),
  };
});

const startTransaction = handler<StartTransactionReq>(async (req, ctx) => {
  const time = parseStationTime(req.timestamp, ctx.receivedAt);
  const ref = connectorRef16(req.connectorId);
  assertNonNegativeRegister(req.meterStart, 'meterStart');
  // 1.6 expects a transaction id even when the idTag is refused; the station then ends the transaction itself.
  // A resend of this StartTransaction (its answer was lost) must get the same id, not open a second transaction.
  const startKey = JSON.stringify([req.connectorId, req.timestamp, req.idTag, req.meterStart]);
  const transactionId = await ctx.decisions.allocateTransactionId(ctx.stationId, startKey);
  // The start key gave the id of an earlier StartTransaction: it is a resend if that start was recorded.
  const resent = isResentStart(await ctx.decisions.findTransaction(ctx.stationId, String(transactionId)));
  // Checked again even when the station authorized it before: its local list or cache may be stale.
  const info = await authorizeIdTag(ctx, req.idTag, { purpose: 'start', transactionId: String(transactionId), ...(ref.evseId > 0 ? { evseId: ref.evseId } : {}) });
  return {
    reply: { transactionId, idTagInfo: info },
    events: [
      {
        type: 'transaction.started',
        ...eventBase(ctx, time),
        ...ref,
        transactionId: String(transactionId),
        idToken: idTokenOf(req.idTag),
        meterStartWh: req.meterStart,
        reservationId: req.reservationId,
        authorization: info.status,
        offline: false,
        ...(resent ? { resent } : {}),
      },
    ],
  };
});

const stopTransaction = handler<StopTransactionReq>(async (req, ctx) => {
  const time = parseStationTime(req.timestamp, ctx.receivedAt);
  assertNonNegativeRegister(req.meterStop, 'meterStop');
  const transactionId = String(req.transactionId);
  const known = await ctx.decisions.endingTransaction(ctx.stationId, transactionId, ctx.receivedAt);
  // Stations replay StopTransaction after restarts, for transactions we may never have seen start.
  const ref: ConnectorRef = known ? { evseId: known.evseId, connectorId: known.connectorId } : { evseId: 0, connectorId: 0 };
  const samples = meterSamples(ctx, ref, rawMeterValues(req.transactionData ?? []), transactionId);
  const ended: ChargeEvent = {
    type: 'transaction.ended',
    ...eventBase(ctx, time),
    ...ref,
    transactionId,
    meterStopWh: req.meterStop,
    stoppedReason: req.reason ?? DEFAULT_STOP_REASON,
    idToken: req.idTag === undefined ? undefined : idTokenOf(req.idTag),
    offline: false,
    closedBy: 'station',
    ...endFacts(known),
  };
  const reply = req.idTag === undefined ? {} : { idTagInfo: await authorizeIdTag(ctx, req.idTag) };
  // Readings taken during the transaction come before its end, so consumers see them while it is open.
  return { reply, events: [...samples, ended] };
});

const authorize = handler<AuthorizeReq>(async (req, ctx) => {
  const info = await authorizeIdTag(ctx, req.idTag);
  return {
    reply: { idTagInfo: info },
    events: [{ type: 'authorization.requested', ...eventBase(ctx), idToken: idTokenOf(req.idTag), result: info.status }],
  };
});

const signCertificate = handler<SignCertificateReq>(async (req, ctx) => {
  const { status, event } = await signCertificateRequest(req, ctx);
  return { reply: { status }, events: [event] };
});

export const ocpp16Adapter: ProtocolAdapter = createAdapter('ocpp1.6', {
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
  MeterValues: meterValues,
  StartTransaction: startTransaction,
  StopTransaction: stopTransaction,
  Authorize: authorize,
  FirmwareStatusNotification: firmwareStatusNotification,
  DiagnosticsStatusNotification: logStatusNotification,
  DataTransfer: dataTransfer,
  // 1.6 Security Whitepaper (ocpp-rpc's ocpp1.6 schemas define them, so strict mode validates them).
  SecurityEventNotification: securityEventNotification,
  LogStatusNotification: logStatusNotification,
  SignedFirmwareStatusNotification: firmwareStatusNotification,
  SignCertificate: signCertificate,
});
