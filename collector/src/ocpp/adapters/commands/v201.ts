/** Commands for OCPP 2.0.1 stations. Statuses come with statusInfo, which ends up in the reason. */
import type { ComponentRef, SettingAttribute, SettingRef, TriggerMessageKind, VariableRef } from '@chargewatch/model';
import { sendLocalListRequest201 } from '@chargewatch/model';
import { byStatus, call, createCommandAdapter, derivedId, isKeyRef, isUnsupported, stationHasNoConnector, unsupported, type SettingItemStatus } from './common';
import type { CommandAdapter, CommandMappers, Unsupported } from './types';

/** The `evse` of a request: absent (or EVSE 0) is the whole station. */
function evse201(evseId: number | undefined, connectorId: number | undefined): { id: number; connectorId?: number } | undefined | Unsupported {
  if (evseId === undefined || evseId === 0) return connectorId === undefined ? undefined : stationHasNoConnector;
  return { id: evseId, connectorId };
}

const TRIGGERS: Record<TriggerMessageKind, string> = {
  boot: 'BootNotification',
  heartbeat: 'Heartbeat',
  status: 'StatusNotification',
  meterValues: 'MeterValues',
  transaction: 'TransactionEvent',
  firmwareStatus: 'FirmwareStatusNotification',
  // 2.0.1 replaced GetDiagnostics by GetLog: the upload's status is a LogStatusNotification either way.
  diagnosticsStatus: 'LogStatusNotification',
  logStatus: 'LogStatusNotification',
  signCertificate: 'SignChargingStationCertificate',
};

type VariableRefFull = { component: ComponentRef; variable: VariableRef; attribute?: SettingAttribute };

const variablesOnly = (refs: readonly SettingRef[]): VariableRefFull[] | Unsupported =>
  refs.every((r) => !isKeyRef(r)) ? (refs as VariableRefFull[]) : unsupported('2.0.1 configuration is a device model: name component and variable; 1.6 configuration keys do not exist there');

const ITEM_STATUS: Record<string, SettingItemStatus> = {
  Accepted: 'accepted',
  Rejected: 'rejected',
  RebootRequired: 'reboot_required',
  UnknownComponent: 'unknown',
  UnknownVariable: 'unknown',
  NotSupportedAttributeType: 'not_supported',
};

interface VariableResult {
  attributeStatus: string;
  attributeStatusInfo?: { reasonCode: string; additionalInfo?: string };
  attributeType?: SettingAttribute;
  attributeValue?: string;
  component: ComponentRef;
  variable: VariableRef;
}

/** One reported variable in neutral form; the station's own status word stays in `reason` when not Accepted. */
const settingItem = (r: VariableResult) => ({
  component: r.component,
  variable: r.variable,
  attribute: r.attributeType,
  value: r.attributeValue,
  status: ITEM_STATUS[r.attributeStatus] ?? 'rejected',
  reason: r.attributeStatus === 'Accepted' ? undefined : [r.attributeStatus, r.attributeStatusInfo?.reasonCode].filter(Boolean).join(': '),
});

const mappers: CommandMappers = {
  Reset: {
    plan: (p) => call('Reset', { type: p.type === 'soft' ? 'OnIdle' : 'Immediate', evseId: p.evseId }),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted', 'Scheduled'], flags: { Scheduled: { scheduled: true } } }),
  },
  TriggerMessage: {
    plan(p) {
      const evse = evse201(p.evseId, p.connectorId);
      return isUnsupported(evse) ? evse : call('TriggerMessage', { requestedMessage: TRIGGERS[p.message], evse });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'], notSupported: ['NotImplemented'] }),
  },
  ChangeAvailability: {
    plan(p) {
      const evse = evse201(p.evseId, p.connectorId);
      return isUnsupported(evse) ? evse : call('ChangeAvailability', { operationalStatus: p.availability === 'operative' ? 'Operative' : 'Inoperative', evse });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted', 'Scheduled'], flags: { Scheduled: { scheduled: true } } }),
  },
  UnlockConnector: {
    plan: (p) => call('UnlockConnector', { evseId: p.evseId, connectorId: p.connectorId ?? 1 }),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Unlocked'] }),
  },
  RemoteStart: {
    plan: (p, ctx) =>
      call('RequestStartTransaction', {
        idToken: { idToken: p.idToken.id, type: p.idToken.type ?? 'Central' },
        remoteStartId: p.remoteStartId ?? derivedId(ctx.commandId),
        evseId: p.evseId,
      }),
    interpret: (_p, c, r: { status: string; transactionId?: string }) =>
      byStatus(r, { accepted: ['Accepted'], data: { remoteStartId: c.payload.remoteStartId, transactionId: r.transactionId } }),
  },
  RemoteStop: {
    plan: (p) => call('RequestStopTransaction', { transactionId: p.transactionId }),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  GetSettings: {
    plan(p) {
      if (!p.settings?.length) return unsupported('2.0.1 GetVariables names each variable; list the component/variable references to read');
      const refs = variablesOnly(p.settings);
      if (isUnsupported(refs)) return refs;
      return call('GetVariables', { getVariableData: refs.map((r) => ({ component: r.component, variable: r.variable, attributeType: r.attribute })) });
    },
    interpret: (_p, _c, r: { getVariableResult: VariableResult[] }) => ({ status: 'accepted', data: { settings: r.getVariableResult.map(settingItem) } }),
  },
  SetSettings: {
    plan(p) {
      const refs = variablesOnly(p.settings);
      if (isUnsupported(refs)) return refs;
      return call('SetVariables', {
        setVariableData: p.settings.map((s) => ({ ...('component' in s ? { component: s.component, variable: s.variable, attributeType: s.attribute } : {}), attributeValue: s.value })),
      });
    },
    interpret(_p, _c, r: { setVariableResult: VariableResult[] }) {
      const settings = r.setVariableResult.map(settingItem);
      const refused = settings.filter((s) => s.status !== 'accepted' && s.status !== 'reboot_required');
      const rebootRequired = settings.some((s) => s.status === 'reboot_required') || undefined;
      if (refused.length === 0) return { status: 'accepted', data: { settings, ...(rebootRequired ? { rebootRequired } : {}) } };
      return { status: 'rejected', reason: `the station did not accept ${refused.length} of ${settings.length} settings`, data: { settings } };
    },
  },
  ClearCache: {
    plan: () => call('ClearCache', {}),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  GetLocalListVersion: {
    plan: () => call('GetLocalListVersion', {}),
    interpret: (_p, _c, r: { versionNumber: number }) => ({ status: 'accepted', data: { version: r.versionNumber } }),
  },
  SendLocalList: {
    // The request as the model builds it: local-list chunking measures exactly these bytes.
    plan: (p) => call('SendLocalList', sendLocalListRequest201(p)),
    interpret: (p, _c, r) => byStatus(r, { accepted: ['Accepted'], data: { version: p.version } }),
  },
  UpdateFirmware: {
    plan: (p, ctx) =>
      call('UpdateFirmware', {
        requestId: p.requestId ?? derivedId(ctx.commandId),
        firmware: { location: p.location, retrieveDateTime: p.retrieveAt, installDateTime: p.installAt, signingCertificate: p.signingCertificate, signature: p.signature },
        retries: p.retries,
        retryInterval: p.retryIntervalSec,
      }),
    interpret: (p, c, r) =>
      byStatus(r, {
        accepted: ['Accepted', 'AcceptedCanceled'],
        flags: { AcceptedCanceled: { canceledPrevious: true } },
        data: { secure: Boolean(p.signature), requestId: c.payload.requestId },
      }),
  },
  GetLog: {
    plan: (p, ctx) =>
      call('GetLog', {
        logType: p.logType === 'security' ? 'SecurityLog' : 'DiagnosticsLog',
        requestId: p.requestId ?? derivedId(ctx.commandId),
        log: { remoteLocation: p.location, oldestTimestamp: p.from, latestTimestamp: p.to },
        retries: p.retries,
        retryInterval: p.retryIntervalSec,
      }),
    interpret: (_p, c, r: { status: string; filename?: string }) =>
      byStatus(r, { accepted: ['Accepted', 'AcceptedCanceled'], flags: { AcceptedCanceled: { canceledPrevious: true } }, data: { requestId: c.payload.requestId, fileName: r.filename } }),
  },
  DataTransfer: {
    plan: (p) => call('DataTransfer', { vendorId: p.vendorId, messageId: p.messageId, data: p.data }),
    interpret: (_p, _c, r: { status: string; data?: unknown }) => byStatus(r, { accepted: ['Accepted'], data: { data: r.data } }),
  },
};

export const ocpp201Commands: CommandAdapter = createCommandAdapter('ocpp2.0.1', mappers);
