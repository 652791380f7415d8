/**
 * Commands for OCPP 1.6J stations, including the Security Whitepaper's messages that ocpp-rpc's 1.6
 * schema set carries (SignedUpdateFirmware, GetLog, ExtendedTriggerMessage). 1.6 addresses connectors by
 * one number: connector N is EVSE N (connector 1 of it), 0 the station.
 */
import type { LocalAuthorizationStatus, SettingRef, TriggerMessageKind } from '@chargewatch/model';
import { byStatus, call, createCommandAdapter, derivedId, isKeyRef, isUnsupported, stationHasNoConnector, unsupported, type SettingItemStatus } from './common';
import type { CommandAdapter, CommandMappers, Unsupported } from './types';

const ID_TAG_MAX = 20;
const VALUE_MAX = 500;

/** The 1.6 connector number of a target; absent EVSE is the whole station (0). */
function connector16(evseId: number | undefined, connectorId: number | undefined): number | Unsupported {
  if (evseId === undefined || evseId === 0) return connectorId === undefined ? 0 : stationHasNoConnector;
  if (connectorId !== undefined && connectorId !== 1) {
    return unsupported(`1.6 has one connector per EVSE (connector N is EVSE N); connector ${connectorId} of EVSE ${evseId} cannot be addressed`);
  }
  return evseId;
}

const idTag = (id: string, what: string): string | Unsupported =>
  id.length > ID_TAG_MAX ? unsupported(`1.6 ${what} holds at most ${ID_TAG_MAX} characters; this one has ${id.length}`) : id;

const TRIGGERS: Record<TriggerMessageKind, { action: string; message: string } | undefined> = {
  boot: { action: 'TriggerMessage', message: 'BootNotification' },
  heartbeat: { action: 'TriggerMessage', message: 'Heartbeat' },
  status: { action: 'TriggerMessage', message: 'StatusNotification' },
  meterValues: { action: 'TriggerMessage', message: 'MeterValues' },
  firmwareStatus: { action: 'TriggerMessage', message: 'FirmwareStatusNotification' },
  diagnosticsStatus: { action: 'TriggerMessage', message: 'DiagnosticsStatusNotification' },
  logStatus: { action: 'ExtendedTriggerMessage', message: 'LogStatusNotification' },
  signCertificate: { action: 'ExtendedTriggerMessage', message: 'SignChargePointCertificate' },
  transaction: undefined,
};

/** 1.6 idTagInfo knows five statuses; the rest of 2.0.1's are refusals, sent as Invalid. */
const STATUS_16 = new Set<LocalAuthorizationStatus>(['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx']);

const keysOnly = (refs: readonly SettingRef[]): string[] | Unsupported =>
  refs.every(isKeyRef) ? refs.map((r) => r.key) : unsupported('1.6 configuration is read and written by key; component/variable references are OCPP 2.0.1');

const SET_STATUS: Record<string, SettingItemStatus> = { Accepted: 'accepted', RebootRequired: 'reboot_required', Rejected: 'rejected', NotSupported: 'unknown' };

const mappers: CommandMappers = {
  Reset: {
    plan: (p) => (p.evseId !== undefined ? unsupported('1.6 resets the whole station; it cannot reset one EVSE') : call('Reset', { type: p.type === 'soft' ? 'Soft' : 'Hard' })),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  TriggerMessage: {
    plan(p) {
      const t = TRIGGERS[p.message];
      if (!t) return unsupported('1.6 has no TransactionEvent; trigger meterValues of the connector instead');
      const connectorId = connector16(p.evseId, p.connectorId);
      if (isUnsupported(connectorId)) return connectorId;
      return call(t.action, { requestedMessage: t.message, connectorId: connectorId === 0 ? undefined : connectorId });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'], notSupported: ['NotImplemented'] }),
  },
  ChangeAvailability: {
    plan(p) {
      const connectorId = connector16(p.evseId, p.connectorId);
      return isUnsupported(connectorId) ? connectorId : call('ChangeAvailability', { connectorId, type: p.availability === 'operative' ? 'Operative' : 'Inoperative' });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted', 'Scheduled'], flags: { Scheduled: { scheduled: true } } }),
  },
  UnlockConnector: {
    plan(p) {
      const connectorId = connector16(p.evseId, p.connectorId);
      return isUnsupported(connectorId) ? connectorId : call('UnlockConnector', { connectorId });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Unlocked'], notSupported: ['NotSupported'] }),
  },
  RemoteStart: {
    plan(p) {
      const tag = idTag(p.idToken.id, 'idTag');
      return isUnsupported(tag) ? tag : call('RemoteStartTransaction', { idTag: tag, connectorId: p.evseId });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  RemoteStop: {
    plan(p) {
      const id = /^-?\d{1,10}$/.test(p.transactionId) ? Number(p.transactionId) : NaN;
      if (!Number.isSafeInteger(id) || id > 2147483647 || id < -2147483648) return unsupported(`1.6 transaction ids are integers; "${p.transactionId}" is not one`);
      return call('RemoteStopTransaction', { transactionId: id });
    },
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  GetSettings: {
    plan(p) {
      const keys = keysOnly(p.settings ?? []);
      return isUnsupported(keys) ? keys : call('GetConfiguration', { key: keys.length ? keys : undefined });
    },
    interpret: (_p, _c, r: { configurationKey?: Array<{ key: string; readonly: boolean; value?: string }>; unknownKey?: string[] }) => ({
      status: 'accepted',
      data: {
        settings: [
          ...(r.configurationKey ?? []).map((k) => ({ key: k.key, value: k.value, readonly: k.readonly, status: 'accepted' })),
          ...(r.unknownKey ?? []).map((key) => ({ key, status: 'unknown' })),
        ],
      },
    }),
  },
  SetSettings: {
    plan(p) {
      if (p.settings.length !== 1) return unsupported('1.6 ChangeConfiguration sets one key per call; send one SetSettings per key');
      const [s] = p.settings;
      if (!s || !isKeyRef(s)) return unsupported('1.6 configuration is written by key; component/variable references are OCPP 2.0.1');
      if (s.value.length > VALUE_MAX) return unsupported(`1.6 configuration values hold at most ${VALUE_MAX} characters; this one has ${s.value.length}`);
      return call('ChangeConfiguration', { key: s.key, value: s.value });
    },
    interpret(_p, c, r: { status: string }) {
      const item = { key: c.payload.key, status: SET_STATUS[r.status] ?? 'rejected' };
      if (r.status === 'NotSupported') return { status: 'not_supported', reason: `the station does not support configuration key ${String(c.payload.key)}`, data: { settings: [item] } };
      const result = byStatus(r, { accepted: ['Accepted', 'RebootRequired'], flags: { RebootRequired: { rebootRequired: true } } });
      return { ...result, data: { ...result.data, settings: [item] } };
    },
  },
  ClearCache: {
    plan: () => call('ClearCache', {}),
    interpret: (_p, _c, r) => byStatus(r, { accepted: ['Accepted'] }),
  },
  GetLocalListVersion: {
    plan: () => call('GetLocalListVersion', {}),
    interpret: (_p, _c, r: { listVersion: number }) =>
      r.listVersion === -1
        ? { status: 'not_supported', reason: 'the station has no local authorization list (listVersion -1)' }
        : { status: 'accepted', data: { version: r.listVersion } },
  },
  SendLocalList: {
    plan(p) {
      const list = [];
      for (const e of p.entries ?? []) {
        const tag = idTag(e.idToken.id, 'idTag');
        if (isUnsupported(tag)) return tag;
        if (e.evseIds?.length) return unsupported('a 1.6 local list entry cannot limit a token to EVSEs');
        const parent = e.groupId === undefined ? undefined : idTag(e.groupId, 'parentIdTag');
        if (isUnsupported(parent)) return parent;
        const status = e.status === undefined ? undefined : STATUS_16.has(e.status) ? e.status : 'Invalid';
        list.push({ idTag: tag, idTagInfo: status ? { status, expiryDate: e.expiresAt, parentIdTag: parent } : undefined });
      }
      return call('SendLocalList', { listVersion: p.version, updateType: p.updateType === 'full' ? 'Full' : 'Differential', localAuthorizationList: p.entries ? list : undefined });
    },
    interpret: (p, _c, r) => byStatus(r, { accepted: ['Accepted'], notSupported: ['NotSupported'], data: { version: p.version } }),
  },
  UpdateFirmware: {
    plan(p, ctx) {
      const options = { retries: p.retries, retryInterval: p.retryIntervalSec };
      if (p.signingCertificate && p.signature) {
        return call('SignedUpdateFirmware', {
          requestId: p.requestId ?? derivedId(ctx.commandId),
          firmware: { location: p.location, retrieveDateTime: p.retrieveAt, installDateTime: p.installAt, signingCertificate: p.signingCertificate, signature: p.signature },
          ...options,
        });
      }
      if (p.installAt) return unsupported('1.6 UpdateFirmware has no install time; a secure update (with signing certificate and signature) has one');
      return call('UpdateFirmware', { location: p.location, retrieveDate: p.retrieveAt, ...options });
    },
    interpret(_p, c, r) {
      if (c.action === 'UpdateFirmware') return { status: 'accepted', data: { secure: false } };
      return byStatus(r, { accepted: ['Accepted', 'AcceptedCanceled'], flags: { AcceptedCanceled: { canceledPrevious: true } }, data: { secure: true, requestId: c.payload.requestId } });
    },
    /** A Security Whitepaper station refuses plain UpdateFirmware this way; say so, so it can be remembered. */
    onCallError(_p, c, code, description) {
      if (c.action !== 'UpdateFirmware' || (code !== 'NotSupported' && code !== 'NotImplemented')) return undefined;
      return {
        status: 'not_supported',
        reason: `the station refused plain UpdateFirmware (CALLERROR ${code}); it expects a secure update: send signing certificate and signature`,
        data: { code, description: description.slice(0, 512), secureUpdateRequired: true },
      };
    },
  },
  GetLog: {
    plan(p, ctx) {
      const options = { retries: p.retries, retryInterval: p.retryIntervalSec };
      if ((p.logType ?? 'diagnostics') === 'diagnostics') return call('GetDiagnostics', { location: p.location, startTime: p.from, stopTime: p.to, ...options });
      return call('GetLog', {
        logType: 'SecurityLog',
        requestId: p.requestId ?? derivedId(ctx.commandId),
        log: { remoteLocation: p.location, oldestTimestamp: p.from, latestTimestamp: p.to },
        ...options,
      });
    },
    interpret(_p, c, r: { fileName?: string; filename?: string; status?: string }) {
      if (c.action === 'GetDiagnostics') {
        return r.fileName ? { status: 'accepted', data: { fileName: r.fileName } } : { status: 'rejected', reason: 'the station has no diagnostics to upload' };
      }
      return byStatus(r as { status: string }, {
        accepted: ['Accepted', 'AcceptedCanceled'],
        flags: { AcceptedCanceled: { canceledPrevious: true } },
        data: { requestId: c.payload.requestId, fileName: r.filename },
      });
    },
  },
  DataTransfer: {
    plan: (p) =>
      call('DataTransfer', { vendorId: p.vendorId, messageId: p.messageId, data: p.data === undefined || typeof p.data === 'string' ? p.data : JSON.stringify(p.data) }),
    interpret: (_p, _c, r: { status: string; data?: string }) => byStatus(r, { accepted: ['Accepted'], data: { data: r.data } }),
  },
};

export const ocpp16Commands: CommandAdapter = createCommandAdapter('ocpp1.6', mappers);
