/** Transaction, status and problem events of one station for the transaction-state tests; `t` is ms after T0. */
import type { ChargeEvent, ConnectorStatus, DeviceEvent, TransactionEnded } from '@chargewatch/model';

export const T0 = 1_700_000_000_000;
const TOKEN = { id: 'RFID-1', type: 'ISO14443' } as const;

export function txEvents(stationId: string) {
  const at = (t: number) => ({ stationId, time: T0 + t, receivedAt: T0 + t });
  return {
    booted: (t: number): ChargeEvent => ({ ...at(t), type: 'station.booted', vendor: 'Acme', model: 'AC22', registration: 'Accepted' }),
    opened: (t: number, collectorId: string): ChargeEvent => ({ ...at(t), type: 'connection.opened', remoteAddress: '10.0.0.1', protocol: 'ocpp1.6', collectorId, replaced: false }),
    status: (t: number, evseId: number, status: ConnectorStatus, connectorId = 1): ChargeEvent => ({
      ...at(t),
      type: 'connector.status',
      evseId,
      connectorId,
      status,
      errorCode: 'NoError',
    }),
    started: (t: number, evseId: number, transactionId: string, extra: { meterStartWh?: number; resent?: boolean } = {}): ChargeEvent => ({
      ...at(t),
      type: 'transaction.started',
      evseId,
      connectorId: 1,
      transactionId,
      idToken: TOKEN,
      meterStartWh: extra.meterStartWh ?? 1000,
      offline: false,
      ...(extra.resent ? { resent: true } : {}),
    }),
    updated: (t: number, evseId: number, transactionId: string): ChargeEvent => ({
      ...at(t),
      type: 'transaction.updated',
      evseId,
      connectorId: 1,
      transactionId,
      offline: false,
    }),
    meter: (t: number, evseId: number, transactionId: string | undefined, wh: number): ChargeEvent => ({
      ...at(t),
      type: 'meter.sample',
      evseId,
      connectorId: 1,
      transactionId,
      context: 'Sample.Periodic',
      values: [{ measurand: 'Energy.Active.Import.Register', value: wh, unit: 'Wh' }],
    }),
    ended: (t: number, evseId: number, transactionId: string, extra: Partial<TransactionEnded> = {}): TransactionEnded => ({
      ...at(t),
      type: 'transaction.ended',
      evseId,
      connectorId: 1,
      transactionId,
      meterStopWh: 5000,
      stoppedReason: 'EVDisconnected',
      offline: false,
      closedBy: 'station',
      ...extra,
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
