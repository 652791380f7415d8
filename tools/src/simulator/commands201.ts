/**
 * What a simulated OCPP 2.0.1 station answers to CSMS calls (one connector per EVSE). Effects go through
 * the station (StationContext), as for 1.6; the device model behind Get/SetVariables is device-model201.ts.
 */
import type { RPCClient } from 'ocpp-rpc';
import { commandHandlers, dateMs, type Params } from './command-handler';
import { frameBytes } from './commands16';
import { lookupVariable, type VariableDef } from './device-model201';
import type { StationContext, TriggerKind } from './model';

/** What the handlers use of the 2.0.1 driver: its device model and boolean variables. */
export interface Driver201 {
  readonly flags: Record<string, boolean>;
  readonly variables: VariableDef[];
}

export function registerCommands201(client: RPCClient, st: StationContext, driver: Driver201): void {
  const on = commandHandlers(client, st);

  on('UpdateFirmware', (p) => {
    const secure = p.firmware?.signature !== undefined;
    if (p.firmware?.signingCertificate !== undefined && !String(p.firmware.signingCertificate).includes('-----BEGIN CERTIFICATE-----')) return { status: 'InvalidCertificate' };
    const status = st.updateFirmware({
      location: String(p.firmware?.location ?? ''),
      retrieveAt: dateMs(p.firmware?.retrieveDateTime) ?? Date.now(),
      installAt: dateMs(p.firmware?.installDateTime),
      requestId: Number(p.requestId),
      signed: secure,
    });
    return status === 'Rejected' ? { status, statusInfo: { reasonCode: 'Busy', additionalInfo: 'installing an earlier update' } } : { status };
  });

  on('GetLog', (p) => {
    const fileName = st.uploadLog(p.logType === 'SecurityLog' ? 'security' : 'diagnostics', String(p.log?.remoteLocation ?? ''), Number(p.requestId));
    return fileName ? { status: 'Accepted', filename: fileName } : { status: 'Rejected', statusInfo: { reasonCode: 'Busy' } };
  });

  on('SendLocalList', (p) => ({ status: sendLocalList(st, driver, p) }));
  on('GetLocalListVersion', () => ({ versionNumber: st.localList.version }));
  on('ClearCache', () => ({ status: 'Accepted' }));

  on('TriggerMessage', (p) => {
    const kind = p.requestedMessage as string;
    const evseId: number | undefined = p.evse?.id;
    if (evseId !== undefined && evseId !== 0 && !st.connector(evseId)) return { status: 'Rejected' };
    const supported: TriggerKind[] = ['BootNotification', 'Heartbeat', 'StatusNotification', 'MeterValues', 'FirmwareStatusNotification', 'LogStatusNotification', 'TransactionEvent'];
    if (!supported.includes(kind as TriggerKind)) return { status: 'NotImplemented' };
    if (kind === 'TransactionEvent' && !st.connectors.some((c) => c.tx && (!evseId || c.id === evseId))) return { status: 'Rejected' };
    st.trigger(kind as TriggerKind, evseId);
    return { status: 'Accepted' };
  });

  on('Reset', (p) => {
    if (p.evseId !== undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest' } };
    return { status: st.reset(p.type === 'OnIdle' ? 'OnIdle' : 'Immediate') };
  });

  on('ChangeAvailability', (p) => {
    const id = p.evse?.id ?? 0;
    if (id !== 0 && !st.connector(id)) return { status: 'Rejected' };
    return { status: st.changeAvailability(id, p.operationalStatus === 'Operative') };
  });

  on('UnlockConnector', (p) => {
    const c = st.connector(Number(p.evseId));
    if (!c || p.connectorId !== 1) return { status: 'UnknownConnector' };
    // F05: with an authorized transaction on it, the connector stays locked; the CSMS stops it first.
    if (c.tx) return { status: 'OngoingAuthorizedTransaction' };
    return { status: 'Unlocked' };
  });

  on('GetVariables', (p) => ({
    getVariableResult: (p.getVariableData as Params[]).map((d) => {
      const base: Params = { component: d.component, variable: d.variable };
      if (d.attributeType) base.attributeType = d.attributeType;
      const found = lookupVariable(driver.variables, d.component, d.variable);
      if (typeof found === 'string') return { ...base, attributeStatus: found };
      const value = d.attributeType && d.attributeType !== 'Actual' ? found.attributes?.[d.attributeType as string]?.() : found.get();
      if (value === undefined) return { ...base, attributeStatus: 'NotSupportedAttributeType' };
      return { ...base, attributeStatus: 'Accepted', attributeValue: value.slice(0, 2500) };
    }),
  }));

  on('SetVariables', (p) => ({
    setVariableResult: (p.setVariableData as Params[]).map((d) => {
      const base: Params = { component: d.component, variable: d.variable };
      if (d.attributeType) base.attributeType = d.attributeType;
      const found = lookupVariable(driver.variables, d.component, d.variable);
      if (typeof found === 'string') return { ...base, attributeStatus: found };
      if (d.attributeType && d.attributeType !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
      if (found.readonly || !found.set) return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } };
      return { ...base, attributeStatus: found.set(String(d.attributeValue)) };
    }),
  }));

  on('RequestStartTransaction', (p) => {
    if (p.evseId !== undefined && !st.connector(p.evseId)) return { status: 'Rejected' };
    const ok = st.remoteStart(p.evseId, String(p.idToken?.idToken ?? ''), {
      needsAuth: driver.flags.AuthorizeRemoteStart,
      remoteStartId: p.remoteStartId,
    });
    return { status: ok ? 'Accepted' : 'Rejected' };
  });

  on('RequestStopTransaction', (p) => {
    const c = st.connectors.find((x) => x.tx && String(x.tx.transactionId) === p.transactionId);
    return { status: c && st.stopTransaction(c, 'Remote') ? 'Accepted' : 'Rejected' };
  });

  on('DataTransfer', (p) => {
    if (p.vendorId !== st.profile.vendor) return { status: 'UnknownVendorId' };
    if (p.messageId && p.messageId !== 'Echo') return { status: 'UnknownMessageId' };
    return { status: 'Accepted', data: p.data ?? null };
  });
}

function sendLocalList(st: StationContext, driver: Driver201, p: Params): string {
  const status = applyLocalList201(st, driver, p);
  const list = Array.isArray(p.localAuthorizationList) ? p.localAuthorizationList : [];
  st.localList.received.push({ updateType: String(p.updateType), version: Number(p.versionNumber), entries: list.length, bytes: frameBytes('SendLocalList', p), status });
  return status;
}

function applyLocalList201(st: StationContext, driver: Driver201, p: Params): string {
  const ll = st.localList;
  if (!ll.limits.supported || !driver.flags.LocalAuthListEnabled) return 'Failed';
  const forced = ll.answerNext.shift();
  if (forced) return forced;
  const list: Params[] = Array.isArray(p.localAuthorizationList) ? p.localAuthorizationList : [];
  // D01: requests over ItemsPerMessage or BytesPerMessage are refused.
  if (list.length > ll.limits.itemsPerMessage || frameBytes('SendLocalList', p) > ll.limits.bytesPerMessage) return 'Failed';
  const version = Number(p.versionNumber);
  const key = (e: Params) => String(e.idToken.idToken);
  if (p.updateType === 'Full') {
    const entries = new Map<string, string>();
    for (const e of list) if (e.idTokenInfo) entries.set(key(e), e.idTokenInfo.status);
    if (entries.size > ll.limits.maxLength) return 'Failed';
    ll.entries = entries;
    ll.version = version;
    return 'Accepted';
  }
  if (version <= ll.version) return 'VersionMismatch';
  const next = new Map(ll.entries);
  for (const e of list) {
    if (e.idTokenInfo) next.set(key(e), e.idTokenInfo.status);
    else next.delete(key(e));
  }
  if (next.size > ll.limits.maxLength) return 'Failed';
  ll.entries = next;
  ll.version = version;
  return 'Accepted';
}
