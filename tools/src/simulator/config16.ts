/**
 * The OCPP 1.6 configuration keys of a simulated station (GetConfiguration / ChangeConfiguration),
 * bound to the station's live state and to the driver's boolean flags.
 */
import type { StationContext } from './model';

export interface ConfigKey {
  value: () => string;
  readonly: boolean;
  /** Returns the ChangeConfiguration status. */
  set?: (v: string) => 'Accepted' | 'Rejected' | 'RebootRequired';
}

const intKey = (get: () => number, set: (n: number) => void, min = 0): Pick<ConfigKey, 'value' | 'set'> => ({
  value: () => String(get()),
  set: (v) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < min) return 'Rejected';
    set(Number(v));
    return 'Accepted';
  },
});

export function buildConfiguration16(st: StationContext, flags: Record<string, boolean>): Map<string, ConfigKey> {
  const config = new Map<string, ConfigKey>();
  const plain = (value: string, readonly = false) => {
    let v = value;
    return {
      value: () => v,
      readonly,
      set: (nv: string) => {
        v = nv;
        return 'Accepted' as const;
      },
    };
  };
  const dcExtra = st.profile.kind === 'DC' ? ',SoC' : '';
  config.set('HeartbeatInterval', { readonly: false, ...intKey(() => st.heartbeatIntervalSec, (n) => st.setHeartbeatInterval(n), 1) });
  config.set('MeterValueSampleInterval', {
    readonly: false,
    ...intKey(() => st.meterIntervalSec, (n) => (st.meterIntervalSec = n), 1),
  });
  config.set('ClockAlignedDataInterval', { readonly: false, ...intKey(() => 0, () => undefined) });
  config.set('ConnectionTimeOut', plain('60'));
  config.set('MeterValuesSampledData', plain(`Energy.Active.Import.Register,Power.Active.Import,Voltage,Current.Import${dcExtra}`));
  config.set('MeterValuesAlignedData', plain('Energy.Active.Import.Register'));
  config.set('StopTxnSampledData', plain('Energy.Active.Import.Register'));
  config.set('StopTxnAlignedData', plain(''));
  config.set('NumberOfConnectors', { value: () => String(st.connectors.length), readonly: true });
  // A station without the LocalAuthListManagement profile has none of its keys.
  const ll = st.localList.limits;
  for (const k of Object.keys(flags)) {
    if (k === 'LocalAuthListEnabled' && !ll.supported) continue;
    config.set(k, {
      readonly: false,
      value: () => String(flags[k]),
      set: (v) => {
        if (!/^(true|false)$/i.test(v)) return 'Rejected';
        flags[k] = v.toLowerCase() === 'true';
        return 'Accepted';
      },
    });
  }
  if (ll.supported) {
    config.set('LocalAuthListMaxLength', { value: () => String(ll.maxLength), readonly: true });
    config.set('SendLocalListMaxLength', { value: () => String(ll.itemsPerMessage), readonly: true });
  }
  config.set('TransactionMessageAttempts', plain('3'));
  config.set('TransactionMessageRetryInterval', plain('60'));
  config.set('ResetRetries', plain('1'));
  config.set('WebSocketPingInterval', plain('30'));
  config.set('GetConfigurationMaxKeys', { value: () => '50', readonly: true });
  config.set('SupportedFeatureProfiles', {
    value: () => `Core,FirmwareManagement,${ll.supported ? 'LocalAuthListManagement,' : ''}RemoteTrigger`,
    readonly: true,
  });
  config.set('ConnectorPhaseRotation', plain(st.connectors.map((c) => `${c.id}.RST`).join(',')));
  config.set('AuthorizationCacheEnabled', plain('false'));
  return config;
}
