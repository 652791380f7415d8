/**
 * What a simulated OCPP 1.6J station answers to CSMS calls: the core profiles, and the Security
 * Whitepaper's SignedUpdateFirmware, GetLog and ExtendedTriggerMessage. Effects go through the station
 * (StationContext), so they are the same as for 2.0.1 where the versions mean the same.
 */
import type { RPCClient } from 'ocpp-rpc';
import { commandHandlers, dateMs, type Params } from './command-handler';
import { createRPCError } from 'ocpp-rpc/lib/util';
import type { ConfigKey } from './config16';
import type { LogUpload, StationContext, TriggerKind } from './model';

const isPem = (text: unknown) => typeof text === 'string' && text.includes('-----BEGIN CERTIFICATE-----');

/** What the handlers use of the 1.6 driver: its configuration and how it reports an upload. */
export interface Driver16 {
  readonly config: Map<string, ConfigKey>;
  flag(name: string): boolean;
  logStatus(upload: LogUpload): void;
}

export function registerCommands16(client: RPCClient, st: StationContext, driver: Driver16): void {
  const on = commandHandlers(client, st);

  on('UpdateFirmware', (p) => {
    if (st.signedFirmwareOnly) throw createRPCError('NotSupported', 'this station installs signed firmware only: send SignedUpdateFirmware');
    // The .conf has no status: whatever the station decides, the CSMS learns it from the notifications.
    st.updateFirmware({ location: String(p.location), retrieveAt: dateMs(p.retrieveDate) ?? Date.now(), signed: false });
    return {};
  });

  on('SignedUpdateFirmware', (p) => {
    if (!isPem(p.firmware?.signingCertificate)) return { status: 'InvalidCertificate' };
    const status = st.updateFirmware({
      location: String(p.firmware?.location ?? ''),
      retrieveAt: dateMs(p.firmware?.retrieveDateTime) ?? Date.now(),
      installAt: dateMs(p.firmware?.installDateTime),
      requestId: Number(p.requestId),
      signed: true,
    });
    return { status };
  });

  on('GetDiagnostics', (p) => {
    const fileName = st.uploadLog('diagnostics', String(p.location));
    return fileName ? { fileName } : {};
  });

  on('GetLog', (p) => {
    const fileName = st.uploadLog(p.logType === 'SecurityLog' ? 'security' : 'diagnostics', String(p.log?.remoteLocation ?? ''), Number(p.requestId));
    return fileName ? { status: 'Accepted', filename: fileName } : { status: 'Rejected' };
  });

  on('SendLocalList', (p) => ({ status: sendLocalList(st, driver, p) }));
  on('GetLocalListVersion', () => ({ listVersion: st.localList.limits.supported && driver.flag('LocalAuthListEnabled') ? st.localList.version : -1 }));
  on('ClearCache', () => ({ status: 'Accepted' }));

  const triggerable: TriggerKind[] = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'FirmwareStatusNotification'];
  const trigger = (kinds: readonly string[]) => (p: Params) => {
    const kind = p.requestedMessage as string;
    if (p.connectorId !== undefined && p.connectorId !== 0 && !st.connector(p.connectorId)) return { status: 'Rejected' };
    if (kind === 'DiagnosticsStatusNotification') {
      const upload = st.logUpload?.kind === 'diagnostics' && st.logUpload.busy ? st.logUpload : { kind: 'diagnostics' as const, status: 'Idle', fileName: '', busy: false };
      setImmediate(() => driver.logStatus(upload));
      return { status: 'Accepted' };
    }
    if (!kinds.includes(kind)) return { status: 'NotImplemented' };
    st.trigger(kind as TriggerKind, p.connectorId);
    return { status: 'Accepted' };
  };
  on('TriggerMessage', trigger(triggerable));
  // The simulator holds no key pair, so it cannot answer SignChargePointCertificate.
  on('ExtendedTriggerMessage', trigger([...triggerable, 'LogStatusNotification']));

  on('Reset', (p) => {
    const r = st.reset(p.type === 'Hard' ? 'Hard' : 'Soft');
    return { status: r === 'Rejected' ? 'Rejected' : 'Accepted' };
  });

  on('ChangeAvailability', (p) => {
    const id = Number(p.connectorId);
    if (id !== 0 && !st.connector(id)) return { status: 'Rejected' };
    return { status: st.changeAvailability(id, p.type === 'Operative') };
  });

  on('GetConfiguration', (p) => {
    const keys: string[] | undefined = Array.isArray(p.key) && p.key.length > 0 ? p.key : undefined;
    const configurationKey: Params[] = [];
    const unknownKey: string[] = [];
    for (const k of keys ?? [...driver.config.keys()]) {
      const entry = driver.config.get(k);
      if (!entry) unknownKey.push(k);
      else configurationKey.push({ key: k, readonly: entry.readonly, value: entry.value().slice(0, 500) });
    }
    const res: Params = { configurationKey };
    if (unknownKey.length > 0) res.unknownKey = unknownKey;
    return res;
  });

  on('ChangeConfiguration', (p) => {
    const entry = driver.config.get(p.key);
    if (!entry) return { status: 'NotSupported' };
    if (entry.readonly || !entry.set) return { status: 'Rejected' };
    return { status: entry.set(String(p.value)) };
  });

  on('RemoteStartTransaction', (p) => {
    if (p.connectorId !== undefined && !st.connector(p.connectorId)) return { status: 'Rejected' };
    const ok = st.remoteStart(p.connectorId, String(p.idTag), { needsAuth: driver.flag('AuthorizeRemoteTxRequests') });
    return { status: ok ? 'Accepted' : 'Rejected' };
  });

  on('RemoteStopTransaction', (p) => {
    const c = st.connectors.find((x) => x.tx && x.tx.transactionId === p.transactionId);
    return { status: c && st.stopTransaction(c, 'Remote') ? 'Accepted' : 'Rejected' };
  });

  on('UnlockConnector', (p) => {
    const c = st.connector(Number(p.connectorId));
    if (!c) return { status: 'NotSupported' };
    if (c.tx) st.stopTransaction(c, 'UnlockCommand');
    return { status: 'Unlocked' };
  });

  on('DataTransfer', (p) => {
    if (p.vendorId !== st.profile.vendor) return { status: 'UnknownVendorId' };
    if (p.messageId && p.messageId !== 'Echo') return { status: 'UnknownMessageId' };
    return { status: 'Accepted', data: typeof p.data === 'string' ? p.data : '' };
  });
}

function sendLocalList(st: StationContext, driver: Driver16, p: Params): string {
  const status = applyLocalList16(st, driver, p);
  const list = Array.isArray(p.localAuthorizationList) ? p.localAuthorizationList : [];
  st.localList.received.push({ updateType: String(p.updateType), version: Number(p.listVersion), entries: list.length, bytes: frameBytes('SendLocalList', p), status });
  return status;
}

/** The OCPP-J frame of a call, its message id counted at the 36 characters OCPP-J allows. */
export function frameBytes(action: string, payload: unknown): number {
  return Buffer.byteLength(JSON.stringify([2, 'x'.repeat(36), action, payload]));
}

function applyLocalList16(st: StationContext, driver: Driver16, p: Params): string {
  const ll = st.localList;
  if (!ll.limits.supported || !driver.flag('LocalAuthListEnabled')) return 'NotSupported';
  const forced = ll.answerNext.shift();
  if (forced) return forced;
  const list: Params[] = Array.isArray(p.localAuthorizationList) ? p.localAuthorizationList : [];
  if (list.length > ll.limits.itemsPerMessage) return 'Failed';
  const version = Number(p.listVersion);
  if (p.updateType === 'Full') {
    const entries = new Map<string, string>();
    for (const e of list) if (e.idTagInfo) entries.set(e.idTag, e.idTagInfo.status);
    if (entries.size > ll.limits.maxLength) return 'Failed';
    ll.entries = entries;
    ll.version = version;
    return 'Accepted';
  }
  // Differential: must move the version forward; applied only when the result fits.
  if (version <= ll.version) return 'VersionMismatch';
  const next = new Map(ll.entries);
  for (const e of list) {
    if (e.idTagInfo) next.set(e.idTag, e.idTagInfo.status);
    else next.delete(e.idTag);
  }
  if (next.size > ll.limits.maxLength) return 'Failed';
  ll.entries = next;
  ll.version = version;
  return 'Accepted';
}
