/** Events of one station for the state tests; `t` is ms after T0 and is used as both time and receivedAt. */
import type { ChargeEvent, ConnectorStatus, DeviceEvent } from '@chargewatch/model';

export const T0 = 1_700_000_000_000;

export function txEvents(stationId: string) {
  const at = (t: number) => ({ stationId, time: T0 + t, receivedAt: T0 + t });
  return {
    status: (t: number, evseId: number, status: ConnectorStatus, connectorId = 1): ChargeEvent => ({
      ...at(t),
      type: 'connector.status',
      evseId,
      connectorId,
      status,
      errorCode: 'NoError',
    }),
    problem: (t: number, item: Partial<DeviceEvent> & { variable: string; actualValue: string }): DeviceEvent => ({
      ...at(t),
      type: 'device.event',
      eventId: t,
      trigger: 'Alerting',
      component: 'Connector',
      cleared: false,
      ...item,
    }),
  };
}
