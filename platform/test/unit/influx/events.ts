/** One event of every type, shared by the unit and integration tests of the InfluxDB sink. */
import type { ChargeEvent } from '@chargewatch/model';

export const ID_TOKEN = 'RFID-04A1B2C3D4';
export const TX_ID = 'tx-7f3a9c';

/** Events of one station and one charging session, `base` ms apart by `step`. */
export function sessionEvents(stationId: string, base: number, step = 1000): ChargeEvent[] {
  let t = base;
  const at = () => {
    t += step;
    return { stationId, time: t, receivedAt: t };
  };
  return [
    { ...at(), type: 'connection.opened', remoteAddress: '10.0.0.7', protocol: 'ocpp1.6', collectorId: 'col-1', replaced: false },
    {
      ...at(),
      type: 'station.booted',
      vendor: 'Acme Power',
      model: 'DC,50',
      serialNumber: 'SN-1',
      firmwareVersion: '1.2.3',
      registration: 'Accepted',
      reason: 'PowerUp',
    },
    { ...at(), type: 'station.heartbeat', receivedAt: t - 1500 },
    { ...at(), type: 'connector.status', evseId: 1, connectorId: 1, status: 'Preparing', errorCode: 'NoError' },
    { ...at(), type: 'authorization.requested', idToken: { id: ID_TOKEN, type: 'ISO14443' }, result: 'Accepted' },
    {
      ...at(),
      type: 'transaction.started',
      evseId: 1,
      connectorId: 1,
      transactionId: TX_ID,
      idToken: { id: ID_TOKEN, type: 'ISO14443' },
      meterStartWh: 1000,
      offline: false,
      seqNo: 0,
      triggerReason: 'Authorized',
    },
    {
      ...at(),
      type: 'meter.sample',
      evseId: 1,
      connectorId: 1,
      transactionId: TX_ID,
      context: 'Sample.Periodic',
      values: [
        { measurand: 'Energy.Active.Import.Register', value: 1500, unit: 'Wh' },
        { measurand: 'Power.Active.Import', value: 7400, unit: 'W' },
        { measurand: 'Current.Import', value: 16, unit: 'A', phase: 'L1' },
        { measurand: 'Current.Import', value: 15.5, unit: 'A', phase: 'L2' },
        { measurand: 'SoC', value: 42, unit: 'Percent', location: 'EV' },
      ],
    },
    {
      ...at(),
      type: 'transaction.updated',
      evseId: 1,
      connectorId: 1,
      transactionId: TX_ID,
      chargingState: 'Charging',
      offline: false,
      seqNo: 1,
      triggerReason: 'MeterValuePeriodic',
    },
    {
      ...at(),
      type: 'transaction.ended',
      evseId: 1,
      connectorId: 1,
      transactionId: TX_ID,
      meterStopWh: 12_500,
      stoppedReason: 'EVDisconnected',
      offline: false,
      seqNo: 2,
      triggerReason: 'EVCommunicationLost',
      // As the adapters look it up in the shared state: the start event above.
      start: { time: base + 6 * step, meterStartWh: 1000, idToken: { id: ID_TOKEN, type: 'ISO14443' } },
      closedBy: 'station',
    },
    {
      ...at(),
      type: 'connector.status',
      evseId: 1,
      connectorId: 1,
      status: 'Faulted',
      errorCode: 'GroundFailure',
      vendorErrorCode: 'E42',
      info: 'RCD tripped, see log',
    },
    { ...at(), type: 'firmware.status', status: 'Downloaded', requestId: 7 },
    { ...at(), type: 'log.status', status: 'Uploaded', requestId: 8 },
    { ...at(), type: 'security.event', eventType: 'TamperDetectionActivated', techInfo: 'door open', source: 'station' },
    {
      ...at(),
      type: 'device.event',
      eventId: 3,
      trigger: 'Alerting',
      component: 'EVSE',
      evseId: 1,
      connectorId: 1,
      variable: 'Problem',
      actualValue: 'true',
      techCode: 'T1',
      cleared: false,
      severity: 2,
    },
    {
      ...at(),
      type: 'device.report',
      requestId: 5,
      seqNo: 0,
      tbc: false,
      items: [
        { component: 'EVSE', variable: 'Power', value: '50000' },
        { component: 'Connector', variable: 'Type', value: 'cCCS2' },
      ],
    },
    { ...at(), type: 'data.transfer', vendorId: 'com.acme', messageId: 'Diag', dataLength: 120 },
    { ...at(), type: 'connection.closed', code: 1006, reason: 'ping timeout', collectorId: 'col-1' },
    { ...at(), type: 'certificate.signing', certificateType: 'ChargingStationCertificate', csrLength: 1200, result: 'Rejected' },
  ];
}
