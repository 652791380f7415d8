/** Helpers for the firmware tests: sending an update in each flavour, and reading back what followed. */
import type { FakeCsms } from './fake-csms';

export const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

/** 1.6 core UpdateFirmware, 1.6 SignedUpdateFirmware ('signed'), or 2.0.1 UpdateFirmware (signed when `signature`). */
export type UpdateKind = 'ocpp1.6' | 'signed' | 'ocpp2.0.1' | 'ocpp2.0.1-signed';

export interface UpdateArgs {
  location: string;
  retrieveAt?: string;
  installAt?: string;
  requestId?: number;
}

export function updateFirmware(csms: FakeCsms, id: string, kind: UpdateKind, a: UpdateArgs): Promise<any> {
  const retrieve = a.retrieveAt ?? new Date().toISOString();
  if (kind === 'ocpp1.6') return csms.command(id, 'UpdateFirmware', { location: a.location, retrieveDate: retrieve });
  const firmware: Record<string, unknown> = { location: a.location, retrieveDateTime: retrieve };
  if (a.installAt) firmware.installDateTime = a.installAt;
  if (kind !== 'ocpp2.0.1') Object.assign(firmware, { signingCertificate: PEM, signature: 'c2lnbmF0dXJl' });
  return csms.command(id, kind === 'signed' ? 'SignedUpdateFirmware' : 'UpdateFirmware', { requestId: a.requestId ?? 1, firmware });
}

const FIRMWARE_EVENTS = new Set(['InvalidFirmwareSignature', 'InvalidFirmwareSigningCertificate', 'FirmwareUpdated']);

/**
 * What a station reported about firmware after its first boot, in order: firmware statuses (either
 * message), `Boot [reason] <version>` for every later BootNotification (the reason is 2.0.1's), and
 * `Security <type>` for firmware security events.
 */
export function firmwareSequence(csms: FakeCsms, id: string): string[] {
  const calls = csms.callsFor(id, ['FirmwareStatusNotification', 'SignedFirmwareStatusNotification', 'BootNotification', 'SecurityEventNotification']);
  const firstBoot = calls.findIndex((c) => c.action === 'BootNotification');
  return calls
    .filter((c, i) => i !== firstBoot && (c.action !== 'SecurityEventNotification' || FIRMWARE_EVENTS.has(c.params.type)))
    .map((c) => {
      if (c.action === 'SecurityEventNotification') return `Security ${c.params.type}`;
      if (c.action !== 'BootNotification') return c.params.status;
      const p = c.params;
      return p.chargingStation ? `Boot ${p.reason} ${p.chargingStation.firmwareVersion}` : `Boot ${p.firmwareVersion}`;
    });
}

/** Waits until the station reported as much as `expected` (plus `settleMs` for anything extra), then compares. */
export async function expectSequence(csms: FakeCsms, id: string, expected: string[], timeoutMs = 5000, settleMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (firmwareSequence(csms, id).length < expected.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, settleMs));
  expect(firmwareSequence(csms, id)).toEqual(expected);
}
