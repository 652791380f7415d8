/**
 * Security event types stations report (SecurityEventNotification): the OCPP 2.0.1 list (part 2,
 * appendix "Security Events") and the 1.6 Security Whitepaper's, whose names differ where 1.6 says
 * Central System / Charge Point. The message's `type` is free text of up to 50 characters, so a station
 * can send anything: metrics label only these and fold the rest into `other` (the full type is kept in
 * the event and in InfluxDB).
 */
export const STATION_SECURITY_EVENT_TYPES: ReadonlySet<string> = new Set([
  'FirmwareUpdated',
  'FailedToAuthenticateAtCsms',
  'FailedToAuthenticateAtCentralSystem',
  'CsmsFailedToAuthenticate',
  'CentralSystemFailedToAuthenticate',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'ReconfigurationOfSecurityParameters',
  'MemoryExhaustion',
  'InvalidMessages',
  'AttemptedReplayAttacks',
  'TamperDetectionActivated',
  'InvalidFirmwareSignature',
  'InvalidFirmwareSigningCertificate',
  'InvalidCsmsCertificate',
  'InvalidCentralSystemCertificate',
  'InvalidChargingStationCertificate',
  'InvalidChargePointCertificate',
  'InvalidTLSVersion',
  'InvalidTLSCipherSuite',
  'MaintenanceLoginAccepted',
  'MaintenanceLoginFailed',
]);

/** The `event_type` label of a station-reported security event. */
export function securityEventLabel(eventType: string): string {
  return STATION_SECURITY_EVENT_TYPES.has(eventType) ? eventType : 'other';
}
