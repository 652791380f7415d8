/**
 * CALLERROR codes differ between versions: OCPP 2.0.1 added RpcFrameworkError, FormatViolation and
 * MessageTypeNotSupported, while 1.6 spells FormationViolation and OccurenceConstraintViolation.
 * ocpp-rpc translates errors of handled calls itself but answers unparsable frames with 2.0.1 codes
 * whatever the protocol; this table puts those answers into 1.6's vocabulary.
 */
const OCPP16_CODES: Record<string, string> = {
  RpcFrameworkError: 'FormationViolation',
  FormatViolation: 'FormationViolation',
  MessageTypeNotSupported: 'NotSupported',
  OccurrenceConstraintViolation: 'OccurenceConstraintViolation',
};

export const OCPP16_ERROR_CODES = [
  'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
  'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
] as const;

export const OCPP201_ERROR_CODES = [
  'FormatViolation', 'GenericError', 'InternalError', 'MessageTypeNotSupported', 'NotImplemented', 'NotSupported',
  'OccurrenceConstraintViolation', 'PropertyConstraintViolation', 'ProtocolError', 'RpcFrameworkError',
  'SecurityError', 'TypeConstraintViolation',
] as const;

/** Rewrites an outgoing CALLERROR frame for the given protocol; other frames pass unchanged. */
export function localiseCallError(protocol: string, frame: string): string {
  if (protocol !== 'ocpp1.6' || !frame.startsWith('[4,')) return frame;
  try {
    const msg = JSON.parse(frame) as [number, string, string, string, unknown];
    const code = typeof msg[2] === 'string' && Object.hasOwn(OCPP16_CODES, msg[2]) ? OCPP16_CODES[msg[2]] : undefined;
    if (!code) return frame;
    msg[2] = code;
    return JSON.stringify(msg);
  } catch {
    return frame;
  }
}
