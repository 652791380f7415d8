/**
 * The OCPP 2.0.1 device model of a simulated station: the components and variables that GetVariables
 * and SetVariables see, bound to the station's live state and to the driver's boolean flags.
 */
import type { StationContext } from './model';
import { connectorStatus201 } from './messages201';

type Params = Record<string, any>;

export interface VariableDef {
  component: string;
  componentInstance?: string;
  evseId?: number;
  connectorId?: number;
  variable: string;
  variableInstance?: string;
  readonly: boolean;
  get: () => string;
  set?: (v: string) => 'Accepted' | 'Rejected' | 'RebootRequired';
  /** Attributes besides Actual (GetVariables attributeType), e.g. MaxSet. */
  attributes?: Record<string, () => string>;
}

export function buildDeviceModel201(st: StationContext, flags: Record<string, boolean>): VariableDef[] {
  const variables: VariableDef[] = [];
  const add = (d: Omit<VariableDef, 'readonly'> & { readonly?: boolean }) => variables.push({ readonly: !d.set, ...d });
  const plain = (component: string, variable: string, value: string, variableInstance?: string) => {
    let v = value;
    add({
      component,
      variable,
      variableInstance,
      get: () => v,
      set: (nv) => {
        v = nv;
        return 'Accepted';
      },
    });
  };
  const int = (component: string, variable: string, get: () => number, set: (n: number) => void) =>
    add({
      component,
      variable,
      get: () => String(get()),
      set: (v) => {
        if (!/^\d+$/.test(v.trim()) || Number(v) < 1) return 'Rejected';
        set(Number(v));
        return 'Accepted';
      },
    });
  const bool = (component: string, variable: string, flag: string) =>
    add({
      component,
      variable,
      get: () => String(flags[flag]),
      set: (v) => {
        if (!/^(true|false)$/i.test(v)) return 'Rejected';
        flags[flag] = v.toLowerCase() === 'true';
        return 'Accepted';
      },
    });
  const ro = (component: string, variable: string, get: () => string, extra: Partial<VariableDef> = {}) =>
    add({ component, variable, get, ...extra });

  int('OCPPCommCtrlr', 'HeartbeatInterval', () => st.heartbeatIntervalSec, (n) => st.setHeartbeatInterval(n));
  plain('OCPPCommCtrlr', 'OfflineThreshold', '300');
  plain('OCPPCommCtrlr', 'MessageTimeout', '30', 'Default');
  plain('OCPPCommCtrlr', 'ResetRetries', '1');
  plain('OCPPCommCtrlr', 'MessageAttempts', '3', 'TransactionEvent');
  plain('OCPPCommCtrlr', 'MessageAttemptInterval', '60', 'TransactionEvent');
  int('SampledDataCtrlr', 'TxUpdatedInterval', () => st.meterIntervalSec, (n) => (st.meterIntervalSec = n));
  const dcExtra = st.profile.kind === 'DC' ? ',SoC' : '';
  plain('SampledDataCtrlr', 'TxUpdatedMeasurands', `Energy.Active.Import.Register,Power.Active.Import,Voltage,Current.Import${dcExtra}`);
  plain('SampledDataCtrlr', 'TxEndedMeasurands', 'Energy.Active.Import.Register');
  plain('SampledDataCtrlr', 'TxEndedInterval', '0');
  ro('SampledDataCtrlr', 'Enabled', () => 'true');
  plain('AlignedDataCtrlr', 'Interval', '900');
  plain('AlignedDataCtrlr', 'Measurands', 'Energy.Active.Import.Register');
  ro('AuthCtrlr', 'Enabled', () => 'true');
  bool('AuthCtrlr', 'AuthorizeRemoteStart', 'AuthorizeRemoteStart');
  bool('AuthCtrlr', 'LocalAuthorizeOffline', 'LocalAuthorizeOffline');
  bool('AuthCtrlr', 'LocalPreAuthorize', 'LocalPreAuthorize');
  bool('AuthCtrlr', 'OfflineTxForUnknownIdEnabled', 'OfflineTxForUnknownIdEnabled');
  // A station without a local list has no LocalAuthListCtrlr at all (GetVariables: UnknownComponent).
  const ll = st.localList.limits;
  if (ll.supported) {
    bool('LocalAuthListCtrlr', 'Enabled', 'LocalAuthListEnabled');
    ro('LocalAuthListCtrlr', 'Entries', () => String(st.localList.entries.size), { attributes: { MaxSet: () => String(ll.maxLength) } });
    ro('LocalAuthListCtrlr', 'ItemsPerMessage', () => String(ll.itemsPerMessage));
    ro('LocalAuthListCtrlr', 'BytesPerMessage', () => String(ll.bytesPerMessage));
    ro('LocalAuthListCtrlr', 'Storage', () => '1048576');
  }
  plain('TxCtrlr', 'EVConnectionTimeOut', '60');
  bool('TxCtrlr', 'StopTxOnEVSideDisconnect', 'StopTxOnEVSideDisconnect');
  bool('TxCtrlr', 'StopTxOnInvalidId', 'StopTxOnInvalidId');
  ro('TxCtrlr', 'TxStartPoint', () => 'Authorized');
  ro('TxCtrlr', 'TxStopPoint', () => 'EVConnected');
  ro('DeviceDataCtrlr', 'ItemsPerMessage', () => '50', { variableInstance: 'GetVariables' });
  ro('DeviceDataCtrlr', 'ItemsPerMessage', () => '50', { variableInstance: 'SetVariables' });
  ro('DeviceDataCtrlr', 'BytesPerMessage', () => '65536', { variableInstance: 'GetVariables' });
  ro('SecurityCtrlr', 'Identity', () => st.id);
  ro('SecurityCtrlr', 'SecurityProfile', () => '1');
  plain('SecurityCtrlr', 'OrganizationName', 'ChargeWatch Simulator');
  ro('ChargingStation', 'Model', () => st.profile.model);
  ro('ChargingStation', 'VendorName', () => st.profile.vendor);
  ro('ChargingStation', 'AvailabilityState', () => (st.connectors.every((c) => !c.operative) ? 'Unavailable' : 'Available'));
  ro('ChargingStation', 'Available', () => 'true');
  ro('ChargingStation', 'SupplyPhases', () => String(st.profile.phases));
  bool('ChargingStation', 'AllowNewSessionsPendingFirmwareUpdate', 'AllowNewSessionsPendingFirmwareUpdate');
  ro('FirmwareCtrlr', 'FirmwareVersion', () => st.firmwareVersion);
  for (const c of st.connectors) {
    ro('EVSE', 'AvailabilityState', () => connectorStatus201(c.status), { evseId: c.id });
    ro('EVSE', 'Available', () => 'true', { evseId: c.id });
    ro('EVSE', 'Power', () => String(Math.round(st.profile.maxPowerKw * 1000)), { evseId: c.id });
    ro('Connector', 'AvailabilityState', () => connectorStatus201(c.status), { evseId: c.id, connectorId: 1 });
    ro('Connector', 'ConnectorType', () => st.profile.connectorType, { evseId: c.id, connectorId: 1 });
  }
  return variables;
}

/** Finds a variable the way OCPP 2.0.1 reports misses: an unknown component, or a known one without it. */
export function lookupVariable(variables: readonly VariableDef[], component: Params, variable: Params): VariableDef | 'UnknownComponent' | 'UnknownVariable' {
  const compMatches = variables.filter(
    (v) =>
      v.component === component.name &&
      (component.instance === undefined || v.componentInstance === component.instance) &&
      (component.evse === undefined ||
        (v.evseId === component.evse.id && (component.evse.connectorId === undefined || v.connectorId === component.evse.connectorId))) &&
      (component.evse !== undefined || v.evseId === undefined),
  );
  if (compMatches.length === 0) return 'UnknownComponent';
  const hit = compMatches.find(
    (v) => v.variable === variable.name && (variable.instance ?? undefined) === (v.variableInstance ?? undefined),
  );
  return hit ?? 'UnknownVariable';
}
