/** OCPP 2.0.1 message shapes of a simulated station: status names, stop reasons, meter values. */
import type { ConnectorStatus, MeterSample, StopReason } from './model';

type Params = Record<string, any>;

export function connectorStatus201(s: ConnectorStatus): 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted' {
  switch (s) {
    case 'Available':
      return 'Available';
    case 'Reserved':
      return 'Reserved';
    case 'Unavailable':
      return 'Unavailable';
    case 'Faulted':
      return 'Faulted';
    default:
      return 'Occupied';
  }
}

export const STOPPED_REASON: Record<StopReason, string> = {
  Local: 'Local',
  EVDisconnected: 'EVDisconnected',
  Remote: 'Remote',
  SoftReset: 'ImmediateReset',
  HardReset: 'ImmediateReset',
  ImmediateReset: 'ImmediateReset',
  Reboot: 'Reboot',
  DeAuthorized: 'DeAuthorized',
  PowerLoss: 'PowerLoss',
  SOCLimitReached: 'SOCLimitReached',
  Fault: 'Other',
  UnlockCommand: 'Other',
};

export const END_TRIGGER: Record<StopReason, string> = {
  Local: 'StopAuthorized',
  EVDisconnected: 'EVDeparted',
  Remote: 'RemoteStop',
  SoftReset: 'ResetCommand',
  HardReset: 'ResetCommand',
  ImmediateReset: 'ResetCommand',
  Reboot: 'ResetCommand',
  DeAuthorized: 'Deauthorized',
  PowerLoss: 'AbnormalCondition',
  SOCLimitReached: 'ChargingStateChanged',
  Fault: 'AbnormalCondition',
  UnlockCommand: 'UnlockCommand',
};

/** A 2.0.1 MeterValue: numbers with unitOfMeasure. */
export function meterValue201(s: MeterSample, energyOnly = false): Params {
  const energy = s.unit === 'kWh' ? Math.round(s.energyWh) / 1000 : Math.round(s.energyWh);
  const sv: Params[] = [
    {
      value: energy,
      context: s.context,
      measurand: 'Energy.Active.Import.Register',
      location: 'Outlet',
      unitOfMeasure: { unit: s.unit },
    },
  ];
  if (!energyOnly) {
    sv.push({ value: s.powerW, context: s.context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } });
    if (s.kind === 'AC') {
      const phases = ['L1', 'L2', 'L3'];
      s.voltages.forEach((v, i) => sv.push({ value: v, context: s.context, measurand: 'Voltage', phase: `${phases[i]}-N`, unitOfMeasure: { unit: 'V' } }));
      s.currents.forEach((a, i) => sv.push({ value: a, context: s.context, measurand: 'Current.Import', phase: phases[i], unitOfMeasure: { unit: 'A' } }));
    } else {
      sv.push({ value: s.voltages[0], context: s.context, measurand: 'Voltage', unitOfMeasure: { unit: 'V' } });
      sv.push({ value: s.currents[0], context: s.context, measurand: 'Current.Import', unitOfMeasure: { unit: 'A' } });
      if (s.soc !== undefined) sv.push({ value: s.soc, context: s.context, measurand: 'SoC', location: 'EV', unitOfMeasure: { unit: 'Percent' } });
    }
  }
  return { timestamp: s.timestamp, sampledValue: sv };
}
