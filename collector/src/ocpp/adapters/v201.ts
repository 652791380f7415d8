/**
 * OCPP 2.0.1 station→CSMS calls, translated into the version-independent event model. TransactionEvent
 * lives in v201-transactions.ts, NotifyEvent / NotifyReport (and connector errors) in v201-device.ts.
 */
import {
  assertNotNegative,
  createAdapter,
  currentTime,
  eventBase,
  evseOnly,
  firmwareStatusNotification,
  handler,
  dataTransfer,
  heartbeat,
  logStatusNotification,
  rebootCloses,
  securityEventNotification,
  signCertificateRequest,
} from './common';
import { meterSamples } from './meter';
import type { ProtocolAdapter } from './types';
import { parseStationTime } from './units';
import { connectorSnapshot, notifyEvent, notifyReport, statusWithProblems } from './v201-device';
import { authorizeToken, idTokenOf, rawMeterValues, type IdTokenV201, type MeterValueV201 } from './v201-shared';
import { transactionEventHandler } from './v201-transactions';

// Request shapes, limited to the fields we read (the server has validated the rest against the schema).

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

interface MeterValuesReq {
  evseId: number;
  meterValue: MeterValueV201[];
}

interface AuthorizeReq {
  idToken: IdTokenV201;
}

interface SignCertificateReq {
  csr: string;
  certificateType?: 'ChargingStationCertificate' | 'V2GCertificate';
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
  const ref = { evseId: req.evseId, connectorId: req.connectorId };
  // 2.0.1 reports faults through NotifyEvent, not here: the error stays what the open problems say.
  const stored = await connectorSnapshot(ctx, req.evseId, req.connectorId);
  // A connector Available after a reboot holds no transaction from before it (the station would have said).
  const closes = req.connectorStatus === 'Available' && req.evseId > 0 ? await rebootCloses(ctx, ref) : [];
  const time = parseStationTime(req.timestamp, ctx.receivedAt);
  return { reply: {}, events: [...closes, statusWithProblems(ctx, time, { ...stored, status: req.connectorStatus })] };
});

const meterValues = handler<MeterValuesReq>(async (req, ctx) => ({
  reply: {},
  // The message names only the EVSE; its connector is not known from this message alone.
  events: meterSamples(ctx, evseOnly(req.evseId), rawMeterValues(req.meterValue)),
}));

const authorize = handler<AuthorizeReq>(async (req, ctx) => {
  const info = await authorizeToken(ctx, req.idToken);
  return {
    reply: { idTokenInfo: info },
    events: [{ type: 'authorization.requested', ...eventBase(ctx), idToken: idTokenOf(req.idToken), result: info.status }],
  };
});

const signCertificate = handler<SignCertificateReq>(async (req, ctx) => {
  const { status, event } = await signCertificateRequest(req, ctx);
  // Tell the station why, so it does not retry in a loop (reasonCode ≤ 20 characters).
  const statusInfo = status === 'Rejected' ? { reasonCode: 'NotSupported', additionalInfo: 'certificate management is not available' } : undefined;
  return { reply: { status, statusInfo }, events: [event] };
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
  SignCertificate: signCertificate,
  DataTransfer: dataTransfer,
});
